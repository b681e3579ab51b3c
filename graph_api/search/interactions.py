"""Interactions for search: what an interaction's embedding is made of, and embedding
those saved while the provider was down (or imported without one) in the background.

An interaction is embedded as it is logged (search/on_write.py, like a memory); when
the provider fails it is saved pending, found by keyword search meanwhile, and the
server's background embedder (background.py) picks it up through a partial index,
batch by batch in id order. Searching interactions with memories and document chunks
is search/chunks.py's `search_sources`.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import asyncpg

from graph_api.db import tenant
from graph_api.search.embeddings import EmbeddingProvider
from graph_api.search.reembed import FIRST_ID, embed_rows

PENDING_INTERACTIONS = """-- interactions_pending_embedding
    select id, subject, summary, content
      from interactions
     where user_id = $1 and embedding is null and num_nonnulls(subject, content, summary) > 0
       and id > $2
     order by id
     limit $3"""

# interactions are not edited, but a row deleted meanwhile simply matches nothing
STORE_INTERACTION_EMBEDDING = """-- store_interaction_embedding
    update interactions
       set embedding = $3, embedding_model = $4
     where user_id = $1 and id = $2 and embedding is null"""


def interaction_text(subject: str | None, summary: str | None, content: str | None) -> str:
    """What an interaction's embedding is made of: subject, summary, then the body
    (the model reads its first 256 tokens, so what says most comes first)."""
    return "\n".join(part for part in (subject, summary, content) if part)


async def embed_pending_interactions(
    pool: asyncpg.Pool,
    provider: EmbeddingProvider,
    *,
    user_ids: Iterable[UUID] | None = None,
    batch_size: int = 64,
    limit: int | None = None,
) -> tuple[int, bool]:
    """Embed the interactions with text and no embedding, of every user or of
    `user_ids`: (how many were stored, whether some were left for lack of `limit`,
    the most rows to look at in this call)."""
    users = await tenant.all_users(pool) if user_ids is None else list(user_ids)
    stored = looked_at = 0
    for user_id in users:
        after = FIRST_ID
        while True:
            if limit is not None and looked_at >= limit:
                return stored, True
            rows = await tenant.fetch(
                pool, user_id, PENDING_INTERACTIONS, user_id, after, batch_size
            )
            if not rows:
                break
            # no connection is held while the provider thinks
            vectors = await embed_rows(
                provider, [interaction_text(r["subject"], r["summary"], r["content"]) for r in rows]
            )
            async with tenant.tenant_transaction(pool, user_id) as conn:
                await conn.executemany(
                    STORE_INTERACTION_EMBEDDING,
                    [
                        (user_id, r["id"], vector, provider.model)
                        for r, vector in zip(rows, vectors, strict=True)
                        if vector is not None
                    ],
                )
            stored += sum(vector is not None for vector in vectors)
            looked_at += len(rows)
            after = rows[-1]["id"]
    return stored, False
