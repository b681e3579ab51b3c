-- Row-level security: the second wall behind the `user_id = $1` in every statement.
--
-- The API's request traffic runs as `graph_api_app` (graph_api.db.app_role): no
-- superuser, no BYPASSRLS, owner of nothing. Every tenant table has row-level
-- security enabled and forced (so it binds a non-superuser owner too) with one
-- policy: a row is visible and writable only when its user_id is the tenant the
-- connection is working for, `app.user_id` (set by graph_api.db.tenant). Unset, or
-- reset to '' when a connection goes back to the pool, it matches no row.
--
-- `users` and `api_tokens` are the auth layer, read before the tenant is known (the
-- token lookup is what finds the user): no row-level security there; the app role
-- may read them and touch a token's last_used_at, nothing else.
--
-- A new tenant table takes `select protect_tenant_table('that_table');` in its own
-- migration (tests/integration/test_row_level_security.py fails for one that
-- does not).

-- Roles belong to the cluster, not the database: create it once, whoever gets
-- there first (another database's migration may be creating it right now).
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'graph_api_app') then
        begin
            -- LOGIN without a password: the embedded server trusts its private socket;
            -- elsewhere a password or a login role of its own is the operator's (README)
            create role graph_api_app login nosuperuser nobypassrls nocreatedb nocreaterole;
        exception
            when duplicate_object or unique_violation then
                null;
            when insufficient_privilege then
                raise exception 'the role graph_api_app does not exist and % may not create it',
                    current_user
                    using hint = 'As an administrator run `create role graph_api_app nologin;` '
                                 '(or grant CREATEROLE to the owner), then migrate again.';
        end;
    end if;
    -- Without GRAPH_API_APP_DATABASE_URL the server switches to the role itself
    -- (`set role`), which takes membership. A superuser needs none.
    if not (select rolsuper from pg_roles where rolname = current_user)
       and not pg_has_role(current_user, 'graph_api_app', 'member') then
        begin
            execute format('grant graph_api_app to %I', current_user);
        exception when insufficient_privilege or invalid_grant_operation then
            raise notice '% cannot become graph_api_app: set GRAPH_API_APP_DATABASE_URL', current_user;
        end;
    end if;
    if not has_schema_privilege('graph_api_app', current_schema(), 'usage') then
        execute format('grant usage on schema %I to graph_api_app', current_schema());
    end if;
end
$$;

-- the tenant of this connection or transaction; null (no rows) when none is set
create function current_tenant() returns uuid
language sql stable parallel safe as $$
    select nullif(current_setting('app.user_id', true), '')::uuid
$$;

create function protect_tenant_table(tenant_table regclass) returns void
language plpgsql as $$
begin
    execute format('alter table %s enable row level security', tenant_table);
    execute format('alter table %s force row level security', tenant_table);
    execute format('create policy tenant_isolation on %s
                        using (user_id = current_tenant())
                        with check (user_id = current_tenant())', tenant_table);
    execute format('grant select, insert, update, delete on %s to graph_api_app', tenant_table);
end
$$;
revoke execute on function protect_tenant_table(regclass) from public;

select protect_tenant_table(tenant_table)
  from unnest(array['contacts', 'relationships', 'interactions', 'interaction_participants',
                    'interests', 'memories', 'memory_sources', 'audit_log', 'graph_versions',
                    'contact_profiles']::regclass[]) as tenant_table;

-- the auth layer: the token lookup (and the graph-version trigger's check that the
-- user still exists) read users; a token's last use is refreshed, nothing else
grant select on users, api_tokens to graph_api_app;
grant update (last_used_at) on api_tokens to graph_api_app;
