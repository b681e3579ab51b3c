-- What each graph version changed: the contacts whose facts a write touched, recorded by
-- the same statement-level trigger that bumps the version (0002), in the same
-- transaction. A process holding version v of a user's graph reads the rows after v and
-- reloads only those contacts' facts (graph/delta.py); a gap (rows pruned, or versions
-- from before this migration) means the delta is unknown and the graph is rebuilt.
--
-- Which contacts a row touches, per table:
--   contacts                  the row's contact
--   relationships             both ends
--   interactions              its participants (a changed time, type or direction)
--   interaction_participants  the participant and everyone else in that interaction
--                             (their shared meetings and the crowd's size changed)
--   interests                 the contact (community labels)

create table graph_changes (
    user_id      uuid not null references users (id) on delete cascade,
    version      bigint not null,
    contact_ids  uuid[],  -- null: too many to list (a bulk load), the reader rebuilds
    primary key (user_id, version)
);

select protect_tenant_table('graph_changes');

create or replace function bump_graph_version() returns trigger
language plpgsql as $$
declare
    -- (user, contact) pairs the statement touched, as two parallel arrays
    touched_users uuid[];
    touched_contacts uuid[];
    old_users uuid[];
    old_contacts uuid[];
begin
    if (select count(*) from changed_rows) > 5000 then
        -- a bulk load: the graph is rebuilt anyway, so the joins below are not worth
        -- making (null users with a non-null contacts array marks it)
        touched_users := null;
        touched_contacts := '{}';
    elsif tg_table_name = 'contacts' then
        select array_agg(c.user_id), array_agg(c.id) into touched_users, touched_contacts from changed_rows c;
    elsif tg_table_name = 'relationships' then
        select array_agg(t.user_id), array_agg(t.contact_id) into touched_users, touched_contacts
          from (select c.user_id, c.contact_a_id as contact_id from changed_rows c
                 union
                select c.user_id, c.contact_b_id from changed_rows c) t;
    elsif tg_table_name = 'interactions' then
        select array_agg(p.user_id), array_agg(p.contact_id) into touched_users, touched_contacts
          from changed_rows c
          join interaction_participants p on p.user_id = c.user_id and p.interaction_id = c.id;
    elsif tg_table_name = 'interaction_participants' then
        select array_agg(t.user_id), array_agg(t.contact_id) into touched_users, touched_contacts
          from (select c.user_id, c.contact_id from changed_rows c
                 union
                select p.user_id, p.contact_id
                  from (select distinct user_id, interaction_id from changed_rows) c
                  join interaction_participants p
                    on p.user_id = c.user_id and p.interaction_id = c.interaction_id) t;
    elsif tg_table_name = 'interests' then
        select array_agg(c.user_id), array_agg(c.contact_id) into touched_users, touched_contacts
          from changed_rows c;
    end if;

    if tg_op = 'UPDATE' and touched_users is not null then
        -- an update can move a row (a merge re-points participants and ties): the
        -- contacts it left are touched too
        if tg_table_name = 'contacts' then
            select array_agg(c.user_id), array_agg(c.id) into old_users, old_contacts from old_rows c;
        elsif tg_table_name = 'relationships' then
            select array_agg(t.user_id), array_agg(t.contact_id) into old_users, old_contacts
              from (select c.user_id, c.contact_a_id as contact_id from old_rows c
                     union
                    select c.user_id, c.contact_b_id from old_rows c) t;
        elsif tg_table_name = 'interactions' then
            select array_agg(p.user_id), array_agg(p.contact_id) into old_users, old_contacts
              from old_rows c
              join interaction_participants p on p.user_id = c.user_id and p.interaction_id = c.id;
        elsif tg_table_name = 'interaction_participants' then
            select array_agg(t.user_id), array_agg(t.contact_id) into old_users, old_contacts
              from (select c.user_id, c.contact_id from old_rows c
                     union
                    select p.user_id, p.contact_id
                      from (select distinct user_id, interaction_id from old_rows) c
                      join interaction_participants p
                        on p.user_id = c.user_id and p.interaction_id = c.interaction_id) t;
        elsif tg_table_name = 'interests' then
            select array_agg(c.user_id), array_agg(c.contact_id) into old_users, old_contacts
              from old_rows c;
        end if;
        touched_users := touched_users || old_users;
        touched_contacts := touched_contacts || old_contacts;
    end if;

    -- statement-level: one bump per user per statement, however many rows (COPY included)
    with bumped as (
        insert into graph_versions as g (user_id, version, changed_at)
        select distinct c.user_id, 1, now()
          from changed_rows c
         where exists (select 1 from users u where u.id = c.user_id)  -- not for a user being deleted
        on conflict (user_id) do update set version = g.version + 1, changed_at = now()
        returning g.user_id, g.version
    ), recorded as (
        insert into graph_changes (user_id, version, contact_ids)
        select b.user_id, b.version,
               case when touched_users is null and touched_contacts is not null then null
                    else coalesce((select array_agg(distinct t.contact_id)
                                     from unnest(touched_users, touched_contacts)
                                          as t(user_id, contact_id)
                                    where t.user_id = b.user_id), '{}')
               end
          from bumped b
        returning user_id, version
    )
    -- a process further behind than 1,000 versions rebuilds: the rows stay few
    delete from graph_changes g
     using recorded r
     where g.user_id = r.user_id and g.version <= r.version - 1000;

    perform pg_notify('graph_changed', t.user_id::text)
       from (select distinct user_id from changed_rows) t;
    return null;
end
$$;

-- updates now see the rows as they were too
do $$
declare
    graph_table text;
begin
    foreach graph_table in array array['contacts', 'relationships', 'interactions',
                                        'interaction_participants', 'interests']
    loop
        execute format('drop trigger %1$s_graph_version_update on %1$I', graph_table);
        execute format('create trigger %1$s_graph_version_update after update on %1$I
                        referencing old table as old_rows new table as changed_rows
                        for each statement execute function bump_graph_version()', graph_table);
    end loop;
end
$$;
