-- The audit trail, partitioned by month of created_at (declarative range partitions).
--
-- Why: it only grows (a row per committed mutation, forever unless a retention is set),
-- it is read newest first and by time range, and retention removes it by age: with a
-- partition per month, retention drops whole months (`drop table`, no row deletes, no
-- vacuum debt) and a read of recent or ranged rows touches only its months.
--
-- The key gains the partition column, as PostgreSQL requires: (user_id, created_at, id),
-- which is also the auditLog connection's order, so it replaces both older indexes.
-- `id` stays an identity, continuing the numbers already given.
--
-- Partitions are made ahead by `ensure_audit_log_partitions(from, to)` (idempotent;
-- serve calls it at startup and daily, `graph-api purge` each run: the current month and
-- three ahead, graph_api/db/partitions.py). A row outside every month partition lands in
-- `audit_log_default`, so no write ever fails for want of a partition; the next ensure
-- moves such rows into the month made for them. Each partition gets row-level security
-- forced with the same policy (protect_tenant_table), so even a statement naming a
-- partition directly sees only its tenant's rows.

alter table audit_log rename to audit_log_unpartitioned;
alter index audit_log_pkey rename to audit_log_unpartitioned_pkey;
alter index audit_log_user_created_idx rename to audit_log_unpartitioned_user_created_idx;
alter index audit_log_user_created_id_idx rename to audit_log_unpartitioned_user_created_id_idx;
alter index audit_log_target_ids_idx rename to audit_log_unpartitioned_target_ids_idx;

create table audit_log (
    user_id       uuid not null references users (id) on delete cascade,
    id            bigint generated always as identity,
    actor         text not null,
    operation     text not null,
    target_ids    uuid[] not null default '{}',
    old_values    jsonb,
    new_values    jsonb,
    request_id    text,
    created_at    timestamptz not null default now(),
    primary key (user_id, created_at, id)
) partition by range (created_at);
create index audit_log_target_ids_idx on audit_log using gin (target_ids);

create table audit_log_default partition of audit_log default;
select protect_tenant_table('audit_log_default');

-- months are UTC months: a partition's bounds do not move with the session's time zone
create function ensure_audit_log_partitions(from_time timestamptz, to_time timestamptz)
returns integer
language plpgsql as $$
declare
    month_start timestamptz := date_trunc('month', from_time at time zone 'UTC') at time zone 'UTC';
    month_end timestamptz;
    partition_name text;
    made integer := 0;
    strays bigint;
begin
    -- several processes start at once: one of them makes what is missing
    perform pg_advisory_xact_lock(hashtext('ensure_audit_log_partitions'));
    -- the owner (no superuser, maybe) must see every tenant's strays to move them, and
    -- PostgreSQL checks a new partition against the default's rows whoever they belong
    -- to: policies are lifted for this transaction only (the lock keeps others out)
    alter table audit_log_default no force row level security;
    while month_start <= to_time loop
        month_end := (month_start at time zone 'UTC' + interval '1 month') at time zone 'UTC';
        partition_name := 'audit_log_' || to_char(month_start at time zone 'UTC', '"y"YYYY"m"MM');
        if to_regclass(partition_name) is null then
            -- rows already in the default partition for this month move in with it
            select count(*) into strays from audit_log_default
             where created_at >= month_start and created_at < month_end;
            if strays > 0 then
                execute format('create table %I (like audit_log including defaults)', partition_name);
                execute format('insert into %I select * from audit_log_default
                                 where created_at >= $1 and created_at < $2', partition_name)
                  using month_start, month_end;
                delete from audit_log_default where created_at >= month_start and created_at < month_end;
                execute format('alter table audit_log attach partition %I for values from (%L) to (%L)',
                               partition_name, month_start, month_end);
            else
                execute format('create table %I partition of audit_log for values from (%L) to (%L)',
                               partition_name, month_start, month_end);
            end if;
            perform protect_tenant_table(partition_name::regclass);
            made := made + 1;
        end if;
        month_start := month_end;
    end loop;
    alter table audit_log_default force row level security;
    return made;
end
$$;
revoke execute on function ensure_audit_log_partitions(timestamptz, timestamptz) from public;

-- the months the existing rows need, and three ahead; then the rows, with their ids
-- (policies lifted from the old table for its owner: it goes at the end of this migration)
alter table audit_log_unpartitioned no force row level security;
select ensure_audit_log_partitions(
    coalesce((select min(created_at) from audit_log_unpartitioned), now()),
    now() + interval '3 months');
insert into audit_log (user_id, id, actor, operation, target_ids, old_values, new_values,
                       request_id, created_at)
overriding system value
select user_id, id, actor, operation, target_ids, old_values, new_values, request_id, created_at
  from audit_log_unpartitioned;
select setval(pg_get_serial_sequence('audit_log', 'id'),
              coalesce((select max(id) from audit_log_unpartitioned), 0) + 1, false);
drop table audit_log_unpartitioned;
select protect_tenant_table('audit_log');
