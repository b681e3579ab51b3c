"""Client-supplied vectors and the embedding settings: checked before anything is stored."""

from __future__ import annotations

import math

import pytest

from graph_api.env import SettingsError
from graph_api.errors import InvalidInput
from graph_api.search.embeddings import (
    EMBEDDING_DIMENSIONS,
    EmbeddingSettings,
    validate_vector,
)


def raises_for(field: str) -> pytest.RaisesExc[InvalidInput]:
    return pytest.raises(InvalidInput, check=lambda error: error.field == field)


def vector(*head: float) -> list[float]:
    """A full-length vector that starts with `head` and is zero after it."""
    return [*head, *[0.0] * (EMBEDDING_DIMENSIONS - len(head))]


# -- validate_vector ------------------------------------------------------------


def test_a_vector_comes_back_at_unit_length() -> None:
    result = validate_vector(vector(3.0, 4.0))
    assert result[:3] == pytest.approx([0.6, 0.8, 0.0])
    assert len(result) == EMBEDDING_DIMENSIONS
    assert math.hypot(*result) == pytest.approx(1.0)


def test_a_unit_vector_is_unchanged() -> None:
    values = [1 / math.sqrt(EMBEDDING_DIMENSIONS)] * EMBEDDING_DIMENSIONS
    assert validate_vector(values) == pytest.approx(values)


def test_whole_numbers_are_accepted_as_floats() -> None:
    result = validate_vector([1] + [0] * (EMBEDDING_DIMENSIONS - 1))
    assert result[0] == 1.0
    assert all(isinstance(value, float) for value in result)


def test_huge_components_normalise_without_overflow() -> None:
    result = validate_vector(vector(1e300, 1e300))
    assert result[:2] == pytest.approx([math.sqrt(0.5), math.sqrt(0.5)])


@pytest.mark.parametrize("length", [0, 1, EMBEDDING_DIMENSIONS - 1, EMBEDDING_DIMENSIONS + 1, 768])
def test_wrong_length_names_the_field_and_the_sizes(length: int) -> None:
    with raises_for("queryEmbedding") as error:
        validate_vector([0.5] * length, field="queryEmbedding")
    assert str(EMBEDDING_DIMENSIONS) in error.value.message
    assert str(length) in error.value.message


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(bad: float) -> None:
    with raises_for("embedding") as error:
        validate_vector(vector(0.5, bad))
    assert "finite" in error.value.message


def test_all_zeros_is_refused() -> None:
    with raises_for("embedding") as error:
        validate_vector(vector())
    assert "zeros" in error.value.message


@pytest.mark.parametrize("bad", [True, "0.5", None])
def test_non_numbers_are_refused(bad: object) -> None:
    with raises_for("embedding"):
        validate_vector(vector(0.5, bad))  # type: ignore[arg-type]


@pytest.mark.parametrize("values", ["0.5, 0.5", b"\x00\x01", 0.5])
def test_something_other_than_a_list_is_refused(values: object) -> None:
    with raises_for("embedding"):
        validate_vector(values, dimensions=2)  # type: ignore[arg-type]


def test_another_dimension_count_can_be_asked_for() -> None:
    assert validate_vector([0.0, 2.0], dimensions=2) == [0.0, 1.0]
    with raises_for("embedding"):
        validate_vector(vector(1.0), dimensions=2)


# -- EmbeddingSettings.from_env -------------------------------------------------


def test_defaults_use_the_local_model() -> None:
    settings = EmbeddingSettings.from_env({})
    assert settings == EmbeddingSettings()
    assert settings.provider == "local"
    assert settings.dimensions == EMBEDDING_DIMENSIONS
    assert (settings.timeout_seconds, settings.max_retries, settings.batch_size) == (10.0, 3, 64)


def test_empty_values_mean_the_defaults() -> None:
    env = {
        "GRAPH_API_EMBEDDINGS": "",
        "GRAPH_API_EMBEDDINGS_URL": "",
        "GRAPH_API_EMBEDDINGS_DIMENSIONS": "",
        "GRAPH_API_EMBEDDINGS_BATCH_SIZE": "",
    }
    assert EmbeddingSettings.from_env(env) == EmbeddingSettings()


def test_an_openai_compatible_service_is_configured_in_full() -> None:
    settings = EmbeddingSettings.from_env(
        {
            "GRAPH_API_EMBEDDINGS": "OpenAI",
            "GRAPH_API_EMBEDDINGS_URL": "http://127.0.0.1:11434",
            "GRAPH_API_EMBEDDINGS_MODEL": "all-minilm",
            "GRAPH_API_EMBEDDINGS_API_KEY": "sk-secret",
            "GRAPH_API_EMBEDDINGS_DIMENSIONS": "384",
            "GRAPH_API_EMBEDDINGS_TIMEOUT_SECONDS": "2.5",
            "GRAPH_API_EMBEDDINGS_MAX_RETRIES": "0",
            "GRAPH_API_EMBEDDINGS_BATCH_SIZE": "16",
        }
    )
    assert settings == EmbeddingSettings(
        provider="openai",
        url="http://127.0.0.1:11434",
        model="all-minilm",
        api_key="sk-secret",
        dimensions=384,
        timeout_seconds=2.5,
        max_retries=0,
        batch_size=16,
    )


def test_the_api_key_stays_out_of_the_settings_repr() -> None:
    settings = EmbeddingSettings(provider="openai", url="http://x", model="m", api_key="sk-secret")
    assert "sk-secret" not in repr(settings)


def test_keyword_only_search_needs_nothing_else() -> None:
    assert EmbeddingSettings.from_env({"GRAPH_API_EMBEDDINGS": "none"}).provider == "none"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GRAPH_API_EMBEDDINGS", "openia"),
        ("GRAPH_API_EMBEDDINGS_URL", "localhost:11434"),
        ("GRAPH_API_EMBEDDINGS_URL", "ftp://example.com"),
        ("GRAPH_API_EMBEDDINGS_URL", "http://"),
        ("GRAPH_API_EMBEDDINGS_DIMENSIONS", "lots"),
        ("GRAPH_API_EMBEDDINGS_DIMENSIONS", "0"),
        ("GRAPH_API_EMBEDDINGS_DIMENSIONS", "100000"),
        ("GRAPH_API_EMBEDDINGS_TIMEOUT_SECONDS", "soon"),
        ("GRAPH_API_EMBEDDINGS_TIMEOUT_SECONDS", "0"),
        ("GRAPH_API_EMBEDDINGS_TIMEOUT_SECONDS", "nan"),
        ("GRAPH_API_EMBEDDINGS_MAX_RETRIES", "-1"),
        ("GRAPH_API_EMBEDDINGS_MAX_RETRIES", "1.5"),
        ("GRAPH_API_EMBEDDINGS_BATCH_SIZE", "0"),
        ("GRAPH_API_EMBEDDINGS_BATCH_SIZE", "5000"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        EmbeddingSettings.from_env({name: value})


def test_a_bad_url_is_not_echoed() -> None:
    with pytest.raises(SettingsError) as error:
        EmbeddingSettings.from_env({"GRAPH_API_EMBEDDINGS_URL": "ftp://user:sk-secret@host"})
    assert "sk-secret" not in str(error.value)


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"GRAPH_API_EMBEDDINGS_MODEL": "all-minilm"}, "GRAPH_API_EMBEDDINGS_URL"),
        ({"GRAPH_API_EMBEDDINGS_URL": "http://127.0.0.1:8080"}, "GRAPH_API_EMBEDDINGS_MODEL"),
        ({}, "GRAPH_API_EMBEDDINGS_URL"),
    ],
)
def test_openai_without_url_or_model_is_refused(env: dict[str, str], missing: str) -> None:
    with pytest.raises(SettingsError, match=missing):
        EmbeddingSettings.from_env({"GRAPH_API_EMBEDDINGS": "openai", **env})
