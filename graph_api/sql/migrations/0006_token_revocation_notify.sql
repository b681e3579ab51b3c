-- A revoked (or deleted) token is announced on `token_revoked` with its hash in hex,
-- delivered at commit: every API process drops the token from its few-seconds cache
-- at once, whichever process or tool revoked it.

create function notify_token_revoked() returns trigger
language plpgsql as $$
begin
    perform pg_notify('token_revoked', encode(old.token_hash, 'hex'));
    return null;
end
$$;

create trigger api_tokens_revoked
after update of revoked_at on api_tokens
for each row when (old.revoked_at is null and new.revoked_at is not null)
execute function notify_token_revoked();

create trigger api_tokens_deleted
after delete on api_tokens
for each row execute function notify_token_revoked();
