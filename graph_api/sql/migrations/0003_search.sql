-- Semantic search: memories already carry `embedding vector(384)` and the model that
-- made it. A memory whose embedding failed (the provider was down) is kept with a
-- null embedding: "pending", found by keyword search, and embedded later.

-- the re-embedding jobs walk pending rows in order
create index memories_pending_embedding_idx on memories (user_id, id) where embedding is null;
-- and rows embedded by another model than the current one
create index memories_embedding_model_idx on memories (embedding_model);
-- how many embedded memories a user has decides exact scan or index: counted index-only
create index memories_user_embedded_idx on memories (user_id) where embedding is not null;
