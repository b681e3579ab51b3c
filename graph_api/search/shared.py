"""One local model per process: loading it takes seconds and hundreds of MB, and
every app in the process (tests build many) can share it."""

from __future__ import annotations

from graph_api.search.embeddings import (
    EmbeddingProvider,
    EmbeddingSettings,
    LocalProvider,
    open_provider,
)

_local: LocalProvider | None = None


def local_provider_loaded() -> bool:
    return _local is not None


async def provider_for(settings: EmbeddingSettings) -> tuple[EmbeddingProvider | None, bool]:
    """(provider, owned): an owned provider is the caller's to close."""
    global _local
    if settings.provider != "local":
        return await open_provider(settings), True
    if _local is None:
        provider = await open_provider(settings)
        assert isinstance(provider, LocalProvider)
        _local = provider
    return _local, False
