-- auditLog reads the user's trail newest first, by keyset on (created_at, id), and
-- filters by a target (`target_ids @> array[$n]`, also what forgetting a contact and a
-- merge search by): an index for each.
create index audit_log_user_created_id_idx on audit_log (user_id, created_at, id);
create index audit_log_target_ids_idx on audit_log using gin (target_ids);
