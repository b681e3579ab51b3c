"""Embedding a memory as it is written, without ever losing the write.

The provider runs before the transaction (a database connection is never held
while a model thinks). If it fails or is too slow, the memory is saved without an
embedding, reported `PENDING`, found by keyword search meanwhile, and embedded by
the background task once the provider answers again.
"""

from __future__ import annotations

import asyncio
import logging

from graph_api.search.embeddings import EmbeddingError, EmbeddingProvider
from graph_api.search.memories import memory_text

logger = logging.getLogger("graph_api.search")

# a client-supplied vector is recorded under this model name and never re-embedded
CLIENT_MODEL = "client"
EMBED_ON_WRITE_TIMEOUT_SECONDS = 10.0
MAX_EMBEDDED_CHARACTERS = 20_000


async def embed_for_write(
    embedder: EmbeddingProvider | None, title: str | None, content: str
) -> tuple[list[float] | None, str | None]:
    """(vector, model), or (None, None) when the memory must wait for its embedding."""
    if embedder is None or not content.strip() or len(content) > MAX_EMBEDDED_CHARACTERS:
        return None, None
    try:
        async with asyncio.timeout(EMBED_ON_WRITE_TIMEOUT_SECONDS):
            [vector] = await embedder.embed([memory_text(title, content)])
    except (EmbeddingError, TimeoutError) as error:
        logger.warning("memory saved without its embedding (pending): %s", error or "timed out")
        return None, None
    return vector, embedder.model
