"""Embedding memories that have no embedding yet, or one from another model.

Used by `graph-api reembed` (all users, with a progress bar) and by the server's
background task that embeds memories saved while the provider was down. Row-level
security shows a connection one tenant's memories at a time, so the work goes user
by user (the users table is readable to all), each user's in batches in id order:
an interrupted run resumes where it stopped, the rows it finished no longer match.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from uuid import UUID

import asyncpg

from graph_api.db import tenant
from graph_api.search.embeddings import EmbeddingError, EmbeddingProvider
from graph_api.search.memories import memory_text

logger = logging.getLogger("graph_api.search")

# vectors a client supplied (model "client") are theirs: never replaced
COUNT_TO_EMBED = """-- memories_to_embed_count
    select count(*) from memories
     where user_id = $1 and (embedding is null or embedding_model not in ($2, 'client'))"""

TO_EMBED = """-- memories_to_embed
    select id, title, content
      from memories
     where user_id = $1 and (embedding is null or embedding_model not in ($2, 'client'))
       and id > $3
     order by id
     limit $4"""

# the background task's share: only what was saved while the provider was down
# (the partial index on (user_id, id) where embedding is null finds it)
PENDING = """-- memories_pending_embedding
    select id, title, content
      from memories
     where user_id = $1 and embedding is null and $2::text is not null
       and id > $3
     order by id
     limit $4"""

# only when the text is still what was embedded: an edit meanwhile wins
STORE_EMBEDDING = """-- store_memory_embedding
    update memories
       set embedding = $3, embedding_model = $4
     where user_id = $1 and id = $2
       and title is not distinct from $5 and content = $6"""

FIRST_ID = UUID(int=0)
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
    count = 0
    for user_id in await tenant.all_users(pool):
        count += await tenant.fetchval(pool, user_id, COUNT_TO_EMBED, user_id, model)
    return count


async def reembed(
    pool: asyncpg.Pool,
    provider: EmbeddingProvider,
    *,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
    pending_only: bool = False,
    user_ids: Iterable[UUID] | None = None,
) -> int:
    """Embed every memory that needs it (with `pending_only`, only those without an
    embedding, whatever the model of the others), user by user — every user's, or
    those of `user_ids`; returns how many were stored."""
    statement = PENDING if pending_only else TO_EMBED
    stored = 0
    users = await tenant.all_users(pool) if user_ids is None else list(user_ids)
    for user_id in users:
        stored += await _reembed_user(pool, provider, user_id, statement, batch_size, progress)
    return stored


async def _reembed_user(
    pool: asyncpg.Pool,
    provider: EmbeddingProvider,
    user_id: UUID,
    statement: str,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> int:
    stored = 0
    after = FIRST_ID
    while True:
        rows = await tenant.fetch(
            pool, user_id, statement, user_id, provider.model, after, batch_size
        )
        if not rows:
            return stored
        # no connection is held while the provider thinks
        vectors = await embed_rows(provider, [memory_text(r["title"], r["content"]) for r in rows])
        async with tenant.tenant_transaction(pool, user_id) as conn:
            await conn.executemany(
                STORE_EMBEDDING,
                [
                    (user_id, r["id"], vector, provider.model, r["title"], r["content"])
                    for r, vector in zip(rows, vectors, strict=True)
                    if vector is not None
                ],
            )
        stored += sum(vector is not None for vector in vectors)
        after = rows[-1]["id"]
        if progress is not None:
            progress(len(rows))
