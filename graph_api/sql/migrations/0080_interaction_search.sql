-- Searchable interactions (the AIR schema embeds interactions, not only memories):
-- subject, summary and content are embedded together like a memory's title and
-- content, on write, or in the background when the provider is down (pending: null
-- embedding), and indexed for full-text search (subject weighs most, then the
-- summary, then the body). An interaction with no text at all is never pending.
alter table interactions
    add column embedding        vector(384),
    add column embedding_model  text,
    add column search_vector    tsvector generated always as (
        setweight(to_tsvector('english', coalesce(subject, '')), 'A')
        || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english', coalesce(content, '')), 'C')
    ) stored;

create index interactions_embedding_idx on interactions using hnsw (embedding vector_cosine_ops);
create index interactions_search_vector_idx on interactions using gin (search_vector);
-- the background embedder's share: interactions with text and still no embedding
create index interactions_pending_idx on interactions (user_id, id)
    where embedding is null and num_nonnulls(subject, content, summary) > 0;
