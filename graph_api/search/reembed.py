"""Embedding memories that have no embedding yet, or one from another model.

Used by `graph-api reembed` (all users, with a progress bar) and by the server's
background task that embeds memories saved while the provider was down. Work goes
in batches in (user_id, id) order, so an interrupted run resumes where it stopped:
the rows it finished no longer match.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

import asyncpg

from graph_api.search.embeddings import EmbeddingError, EmbeddingProvider
from graph_api.search.memories import memory_text

logger = logging.getLogger("graph_api.search")

# vectors a client supplied (model "client") are theirs: never replaced
COUNT_TO_EMBED = """-- memories_to_embed_count
    select count(*) from memories
     where embedding is null or embedding_model not in ($1, 'client')"""

TO_EMBED = """-- memories_to_embed
    select user_id, id, title, content
      from memories
     where (embedding is null or embedding_model not in ($1, 'client'))
       and (user_id, id) > ($2, $3)
     order by user_id, id
     limit $4"""

# the background task's share: only what was saved while the provider was down
PENDING = """-- memories_pending_embedding
    select user_id, id, title, content
      from memories
     where embedding is null and $1::text is not null
       and (user_id, id) > ($2, $3)
     order by user_id, id
     limit $4"""

# only when the text is still what was embedded: an edit meanwhile wins
STORE_EMBEDDING = """-- store_memory_embedding
    update memories
       set embedding = $3, embedding_model = $4
     where user_id = $1 and id = $2
       and title is not distinct from $5 and content = $6"""

FIRST_KEY = (UUID(int=0), UUID(int=0))
# texts tried one by one that all fail before the provider is taken to be down
GIVE_UP_AFTER = 3


async def embed_rows(provider: EmbeddingProvider, texts: list[str]) -> list[list[float] | None]:
    """Vectors for a batch; when the batch fails, text by text, so one text the
    provider refuses (too long, say) stays pending without holding up the rest.
    When the first few all fail, the provider itself is failing: the error propagates."""
    try:
        return list(await provider.embed(texts))
    except EmbeddingError:
        if len(texts) == 1:
            raise
    vectors: list[list[float] | None] = []
    failure: EmbeddingError | None = None
    for text in texts:
        try:
            [vector] = await provider.embed([text])
        except EmbeddingError as error:
            failure = error
            vectors.append(None)
            if len(vectors) >= GIVE_UP_AFTER and all(v is None for v in vectors):
                raise  # the provider itself is failing, not one text
        else:
            vectors.append(vector)
    if failure is not None and all(v is None for v in vectors):
        raise failure
    refused = sum(v is None for v in vectors)
    logger.warning(
        "the embedding provider refused %d of %d texts; they stay pending", refused, len(texts)
    )
    return vectors


async def count_to_embed(pool: asyncpg.Pool, model: str) -> int:
    count: int = await pool.fetchval(COUNT_TO_EMBED, model)
    return count


async def reembed(
    pool: asyncpg.Pool,
    provider: EmbeddingProvider,
    *,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
    pending_only: bool = False,
) -> int:
    """Embed every memory that needs it (with `pending_only`, only those without an
    embedding, whatever the model of the others); returns how many were stored."""
    stored = 0
    after = FIRST_KEY
    statement = PENDING if pending_only else TO_EMBED
    while True:
        rows = await pool.fetch(statement, provider.model, *after, batch_size)
        if not rows:
            return stored
        vectors = await embed_rows(provider, [memory_text(r["title"], r["content"]) for r in rows])
        async with pool.acquire() as conn, conn.transaction():
            await conn.executemany(
                STORE_EMBEDDING,
                [
                    (r["user_id"], r["id"], vector, provider.model, r["title"], r["content"])
                    for r, vector in zip(rows, vectors, strict=True)
                    if vector is not None
                ],
            )
        stored += sum(vector is not None for vector in vectors)
        after = (rows[-1]["user_id"], rows[-1]["id"])
        if progress is not None:
            progress(len(rows))
