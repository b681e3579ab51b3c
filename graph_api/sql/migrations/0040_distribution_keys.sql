-- The distribution invariant (tests/integration/test_distribution.py, docs/scaling.md):
-- every B-tree index of a tenant table leads with user_id, so each is usable inside
-- one tenant's shard once tables are distributed by user_id. The re-embedding walk
-- asks for one user's rows by model (`user_id = $1 and embedding_model not in (...)`);
-- an index on the model alone spanned every tenant.
drop index memories_embedding_model_idx;
create index memories_user_embedding_model_idx on memories (user_id, embedding_model);
