"""Settings: each default is stated once, so `Settings()` (what tests and tools build)
and an empty environment (what `graph-api serve` reads) can never disagree."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from graph_api.env import SettingsError
from graph_api.settings import Settings


def test_an_empty_environment_gives_the_declared_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    # the data directory is the working directory's .data, made absolute
    assert settings.data_dir == tmp_path / ".data"
    assert replace(settings, data_dir=Settings.data_dir) == Settings()


def test_a_value_out_of_range_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="GRAPH_API_PORT must be between 0 and 65535"):
        Settings.from_env({"GRAPH_API_PORT": "70000"})
