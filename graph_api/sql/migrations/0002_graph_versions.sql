-- A version per user's graph, bumped by every write to the tables the graph is
-- built from, in the writing transaction itself: a cached graph whose version is
-- still current is never stale, and one that is not is rebuilt. The notification
-- (delivered at commit) lets other server processes drop or rebuild their copy.

create table graph_versions (
    user_id     uuid primary key references users (id) on delete cascade,
    version     bigint not null default 0,
    changed_at  timestamptz not null default now()
);

create function bump_graph_version() returns trigger
language plpgsql as $$
begin
    -- statement-level: one bump per user per statement, however many rows (COPY included)
    insert into graph_versions as g (user_id, version, changed_at)
    select distinct c.user_id, 1, now()
      from changed_rows c
     where exists (select 1 from users u where u.id = c.user_id)  -- not for a user being deleted
    on conflict (user_id) do update set version = g.version + 1, changed_at = now();
    perform pg_notify('graph_changed', t.user_id::text)
       from (select distinct user_id from changed_rows) t;
    return null;
end
$$;

do $$
declare
    graph_table text;
begin
    foreach graph_table in array array['contacts', 'relationships', 'interactions',
                                        'interaction_participants', 'interests']
    loop
        execute format('create trigger %1$s_graph_version_insert after insert on %1$I
                        referencing new table as changed_rows
                        for each statement execute function bump_graph_version()', graph_table);
        execute format('create trigger %1$s_graph_version_update after update on %1$I
                        referencing new table as changed_rows
                        for each statement execute function bump_graph_version()', graph_table);
        execute format('create trigger %1$s_graph_version_delete after delete on %1$I
                        referencing old table as changed_rows
                        for each statement execute function bump_graph_version()', graph_table);
    end loop;
end
$$;
