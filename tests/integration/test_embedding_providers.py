"""The embedding providers, for real: the packaged MiniLM model on the CPU, and the
OpenAI-compatible client against a stand-in service on 127.0.0.1 that speaks the
`/v1/embeddings` protocol and fails on command."""

from __future__ import annotations

import asyncio
import math
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from graph_api.search.embeddings import (
    EMBEDDING_DIMENSIONS,
    EmbeddingError,
    EmbeddingSettings,
    LocalProvider,
    OpenAICompatibleProvider,
    check_dimensions,
    open_provider,
)


def cosine(a: list[float], b: list[float]) -> float:
    # both sides are unit length, so the dot product is the cosine
    return sum(x * y for x, y in zip(a, b, strict=True))


def assert_unit_length(vector: list[float]) -> None:
    assert math.hypot(*vector) == pytest.approx(1.0, abs=1e-5)


# -- the local model ------------------------------------------------------------


@pytest.fixture(scope="session")
async def local_provider() -> AsyncIterator[LocalProvider]:
    provider = await LocalProvider.load()
    yield provider
    await provider.close()


async def test_local_model_gives_384_unit_length_dimensions(local_provider: LocalProvider) -> None:
    assert local_provider.model == "all-MiniLM-L6-v2"
    assert local_provider.dimensions == EMBEDDING_DIMENSIONS
    check_dimensions(local_provider)
    [vector] = await local_provider.embed(["coffee with Ada about her new job"])
    assert len(vector) == EMBEDDING_DIMENSIONS
    assert all(isinstance(value, float) for value in vector)
    assert_unit_length(vector)


# a process where any connection but a Unix socket fails, the hub's variables unset and
# an empty model cache: what loading the model needs from outside, it cannot get
NO_NETWORK = """
import asyncio, socket

def refuse(self, address):
    if self.family != socket.AF_UNIX:
        raise OSError(f"no network in this test: {address!r}")
    return original(self, address)

original = socket.socket.connect
socket.socket.connect = refuse
socket.socket.connect_ex = lambda self, address: refuse(self, address) or 0

from graph_api.search.embeddings import LocalProvider

async def main():
    provider = await LocalProvider.load()
    [vector] = await provider.embed(["coffee with Ada"])
    print(provider.model, len(vector))

asyncio.run(main())
"""


def test_local_model_loads_and_embeds_without_a_network(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "TRANSFORMERS_", "SENTENCE_TRANSFORMERS_"))
    }
    env |= {"HF_HOME": str(tmp_path / "hf"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", NO_NETWORK],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["all-MiniLM-L6-v2", str(EMBEDDING_DIMENSIONS)]
    assert not list((tmp_path / "hf").rglob("*.safetensors")), "the model was fetched"


async def test_local_model_places_related_texts_closer(local_provider: LocalProvider) -> None:
    memory, related, unrelated = await local_provider.embed(
        [
            "raising a seed round for a soil-carbon startup",
            "who was fundraising for a climate company?",
            "recipe for banana bread",
        ]
    )
    assert cosine(memory, related) > cosine(memory, unrelated)


async def test_local_model_finds_the_memory_a_question_is_about(
    local_provider: LocalProvider,
) -> None:
    memories = [
        "Maya is raising a seed round for her soil-carbon startup",
        "Tom baked banana bread for the team offsite",
        "Priya moved to Lisbon and is learning Portuguese",
        "Sam's daughter starts university in September",
        "Leo recommended a book on distributed systems",
        "Ana ran the Berlin marathon in under four hours",
    ]
    questions = [
        "who raised money for a climate startup?",
        "recipe for banana bread",
        "who lives in Portugal now?",
        "whose kid is going to college?",
        "any reading suggestions about databases?",
        "who does long-distance running?",
    ]
    memory_vectors = await local_provider.embed(memories)
    for question, vector in zip(questions, await local_provider.embed(questions), strict=True):
        best = max(range(len(memories)), key=lambda i: cosine(vector, memory_vectors[i]))
        assert best == questions.index(question), (question, memories[best])


async def test_local_model_embeds_a_batch_of_100_in_order(local_provider: LocalProvider) -> None:
    texts = [f"note {i}: met contact number {i} at the {i % 7}th meetup" for i in range(100)]
    vectors = await local_provider.embed(texts)
    assert len(vectors) == 100
    for vector in vectors:
        assert len(vector) == EMBEDDING_DIMENSIONS
        assert_unit_length(vector)
    # each vector is the one its own text gets alone: nothing shifted in batching
    for i in (0, 63, 64, 99):
        [alone] = await local_provider.embed([texts[i]])
        assert cosine(vectors[i], alone) == pytest.approx(1.0, abs=1e-4)


async def test_local_model_concurrent_calls_get_their_own_answers(
    local_provider: LocalProvider,
) -> None:
    texts = ["lunch with Grace", "Alan's thesis defence", "Ada's birthday party"]
    serial = [await local_provider.embed([text]) for text in texts]
    concurrent = await asyncio.gather(*(local_provider.embed([text]) for text in texts))
    for one, other in zip(serial, concurrent, strict=True):
        assert cosine(one[0], other[0]) == pytest.approx(1.0, abs=1e-5)


async def test_local_model_nothing_to_embed(local_provider: LocalProvider) -> None:
    assert await local_provider.embed([]) == []


async def test_open_provider_local_and_none() -> None:
    assert await open_provider(EmbeddingSettings(provider="none")) is None
    provider = await open_provider(EmbeddingSettings(provider="local", batch_size=8))
    assert isinstance(provider, LocalProvider)
    assert provider.dimensions == EMBEDDING_DIMENSIONS
    await provider.close()


# -- an OpenAI-compatible service on loopback -----------------------------------


def fake_embedding(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """The same text always gets the same (not normalised) vector."""
    generator = random.Random(text)
    return [generator.gauss(0, 3) for _ in range(dimensions)]


def normalised(vector: list[float]) -> list[float]:
    norm = math.hypot(*vector)
    return [value / norm for value in vector]


@dataclass
class Seen:
    authorization: str | None
    body: dict[str, Any]


@dataclass
class StandIn:
    """What the service saw, and what it is told to do next."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    # answered in turn, one per request, before the normal 200s
    statuses: list[int] = field(default_factory=list)
    # replaces the normal answer: takes the request's texts, returns the JSON body
    answer: Callable[[list[str]], object] | None = None
    hang: bool = False
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def embeddings(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.seen.append(Seen(request.headers.get("Authorization"), body))
        if self.hang:
            await self.release.wait()
        if self.statuses:
            status = self.statuses.pop(0)
            if status != 200:
                # like OpenAI's 401, which repeats part of the key it was given
                message = {
                    "error": {"message": f"failed; key {request.headers.get('Authorization')}"}
                }
                return web.json_response(message, status=status)
        if not isinstance(body.get("model"), str) or not isinstance(body.get("input"), list):
            return web.json_response({"error": {"message": "model and input required"}}, status=400)
        texts: list[str] = body["input"]
        if self.answer is not None:
            return web.json_response(self.answer(texts))
        data = [
            {"object": "embedding", "index": i, "embedding": fake_embedding(text)}
            for i, text in enumerate(texts)
        ]
        # out of order on purpose: the index, not the position, says which text it is
        data.reverse()
        return web.json_response({"object": "list", "data": data, "model": body["model"]})


@pytest.fixture
async def stand_in() -> AsyncIterator[StandIn]:
    service = StandIn()
    app = web.Application()
    app.router.add_post("/v1/embeddings", service.embeddings)
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    service.url = f"http://{host}:{port}"
    try:
        yield service
    finally:
        service.release.set()
        await runner.cleanup()


MakeProvider = Callable[..., OpenAICompatibleProvider]


@pytest.fixture
async def make_provider(stand_in: StandIn) -> AsyncIterator[MakeProvider]:
    providers: list[OpenAICompatibleProvider] = []

    def make(**overrides: Any) -> OpenAICompatibleProvider:
        options: dict[str, Any] = {
            "url": stand_in.url,
            "model": "nomic-embed-text",
            "dimensions": EMBEDDING_DIMENSIONS,
            "backoff_seconds": 0.01,
            **overrides,
        }
        provider = OpenAICompatibleProvider(**options)
        providers.append(provider)
        return provider

    yield make
    for provider in providers:
        await provider.close()


async def test_service_answers_in_order_in_batches(
    stand_in: StandIn, make_provider: MakeProvider
) -> None:
    provider = make_provider(api_key="sk-test", batch_size=4)
    texts = [f"memory {i}" for i in range(10)]
    vectors = await provider.embed(texts)

    assert provider.model == "openai:nomic-embed-text"
    assert [seen.body["input"] for seen in stand_in.seen] == [texts[0:4], texts[4:8], texts[8:10]]
    assert {seen.body["model"] for seen in stand_in.seen} == {"nomic-embed-text"}
    assert {seen.authorization for seen in stand_in.seen} == {"Bearer sk-test"}
    for text, vector in zip(texts, vectors, strict=True):
        assert vector == pytest.approx(normalised(fake_embedding(text)))
        assert_unit_length(vector)


async def test_service_without_a_key_gets_no_authorization(
    stand_in: StandIn, make_provider: MakeProvider
) -> None:
    await make_provider().embed(["one"])
    assert stand_in.seen[0].authorization is None


@pytest.mark.parametrize("suffix", ["/", "/v1", "/v1/", "/v1/embeddings"])
async def test_service_url_may_include_v1(
    stand_in: StandIn, make_provider: MakeProvider, suffix: str
) -> None:
    [vector] = await make_provider(url=stand_in.url + suffix).embed(["one"])
    assert len(vector) == EMBEDDING_DIMENSIONS


async def test_service_nothing_to_embed_sends_nothing(
    stand_in: StandIn, make_provider: MakeProvider
) -> None:
    assert await make_provider().embed([]) == []
    assert stand_in.seen == []


@pytest.mark.parametrize("status", [503, 429])
async def test_service_busy_twice_is_retried(
    stand_in: StandIn, make_provider: MakeProvider, status: int
) -> None:
    stand_in.statuses = [status, status]
    [vector] = await make_provider(max_retries=3).embed(["retry me"])
    assert vector == pytest.approx(normalised(fake_embedding("retry me")))
    assert len(stand_in.seen) == 3


async def test_service_always_failing_gives_up_after_the_retries(
    stand_in: StandIn, make_provider: MakeProvider
) -> None:
    stand_in.statuses = [500] * 10
    provider = make_provider(api_key="sk-secret-key", max_retries=2, backoff_seconds=0.05)
    started = time.perf_counter()
    with pytest.raises(EmbeddingError, match="500") as error:
        await provider.embed(["never"])
    assert len(stand_in.seen) == 3
    # backoff 0.05 s, then 0.1 s
    assert time.perf_counter() - started >= 0.15
    assert "sk-secret-key" not in str(error.value)


@pytest.mark.parametrize("status", [400, 401, 404, 422])
async def test_service_refusal_is_not_retried(
    stand_in: StandIn, make_provider: MakeProvider, status: int
) -> None:
    stand_in.statuses = [status]
    with pytest.raises(EmbeddingError, match=str(status)) as error:
        await make_provider(api_key="sk-secret-key").embed(["bad request"])
    assert len(stand_in.seen) == 1
    assert "sk-secret-key" not in str(error.value)


def bad_answers() -> dict[str, Callable[[list[str]], object]]:
    def vectors(make: Callable[[str], object]) -> Callable[[list[str]], object]:
        return lambda texts: {
            "data": [{"index": i, "embedding": make(text)} for i, text in enumerate(texts)]
        }

    return {
        "768 dimensions": vectors(lambda text: fake_embedding(text, 768)),
        "a NaN": vectors(lambda text: [math.nan, *fake_embedding(text, 383)]),
        "all zeros": vectors(lambda text: [0.0] * EMBEDDING_DIMENSIONS),
        "strings": vectors(lambda text: [str(v) for v in fake_embedding(text)]),
        "base64": vectors(lambda text: "AAAAAA=="),
        "one vector short": lambda texts: {
            "data": [{"index": 0, "embedding": fake_embedding(texts[0])}]
        },
        "no index": lambda texts: {"data": [{"embedding": fake_embedding(t)} for t in texts]},
        "an index twice": lambda texts: {
            "data": [{"index": 0, "embedding": fake_embedding(t)} for t in texts]
        },
        "no data": lambda texts: {"object": "list"},
        "a list": lambda texts: [fake_embedding(t) for t in texts],
    }


@pytest.mark.parametrize("case", bad_answers())
async def test_service_bad_answer_is_an_error(
    stand_in: StandIn, make_provider: MakeProvider, case: str
) -> None:
    stand_in.answer = bad_answers()[case]
    with pytest.raises(EmbeddingError, match="answered badly"):
        await make_provider().embed(["first", "second"])
    assert len(stand_in.seen) == 1


async def test_service_wrong_dimensions_says_how_many(
    stand_in: StandIn, make_provider: MakeProvider
) -> None:
    stand_in.answer = bad_answers()["768 dimensions"]
    with pytest.raises(EmbeddingError, match="384 numbers, got 768"):
        await make_provider().embed(["first"])


async def test_service_that_never_answers_times_out(
    stand_in: StandIn, make_provider: MakeProvider
) -> None:
    stand_in.hang = True
    provider = make_provider(timeout_seconds=0.2, max_retries=1)
    started = time.perf_counter()
    with pytest.raises(EmbeddingError, match=r"no answer within 0\.2 s"):
        await provider.embed(["hello?"])
    assert len(stand_in.seen) == 2
    assert time.perf_counter() - started < 5


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_service_that_is_down_is_an_error_after_retries(
    make_provider: MakeProvider,
) -> None:
    provider = make_provider(url=f"http://user:sk-secret@127.0.0.1:{unused_port()}", max_retries=1)
    with pytest.raises(EmbeddingError, match="failed 2 times") as error:
        await provider.embed(["anyone there?"])
    assert "sk-secret" not in str(error.value)


async def test_service_is_usable_again_after_close(
    stand_in: StandIn, make_provider: MakeProvider
) -> None:
    provider = make_provider()
    await provider.embed(["before"])
    await provider.close()
    await provider.embed(["after"])
    assert len(stand_in.seen) == 2


# -- dimensions and configuration -----------------------------------------------


async def test_check_dimensions_refuses_a_768_dimension_provider(
    make_provider: MakeProvider,
) -> None:
    provider = make_provider(model="nomic-embed-text-v1.5", dimensions=768)
    with pytest.raises(EmbeddingError) as error:
        check_dimensions(provider)
    message = str(error.value)
    assert "openai:nomic-embed-text-v1.5" in message
    assert "768" in message
    assert "384" in message
    assert "\n" not in message


async def test_open_provider_openai_talks_to_the_service(stand_in: StandIn) -> None:
    settings = EmbeddingSettings.from_env(
        {
            "GRAPH_API_EMBEDDINGS": "openai",
            "GRAPH_API_EMBEDDINGS_URL": stand_in.url,
            "GRAPH_API_EMBEDDINGS_MODEL": "all-minilm",
            "GRAPH_API_EMBEDDINGS_API_KEY": "sk-test",
        }
    )
    provider = await open_provider(settings)
    assert provider is not None
    try:
        assert provider.model == "openai:all-minilm"
        [vector] = await provider.embed(["hello"])
    finally:
        await provider.close()
    assert vector == pytest.approx(normalised(fake_embedding("hello")))
    assert stand_in.seen[0].authorization == "Bearer sk-test"


async def test_open_provider_refuses_the_wrong_dimensions(stand_in: StandIn) -> None:
    settings = EmbeddingSettings(
        provider="openai", url=stand_in.url, model="nomic-embed-text", dimensions=768
    )
    with pytest.raises(EmbeddingError, match="768"):
        await open_provider(settings)
