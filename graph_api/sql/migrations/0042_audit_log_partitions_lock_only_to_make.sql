-- ensure_audit_log_partitions (0041) lifted the default partition's forced row-level
-- security on every call, an ACCESS EXCLUSIVE lock on it even when every month already
-- existed: at each serve start, daily, at each purge. Now nothing is locked beyond the
-- advisory lock unless a month is missing, and the policies are lifted only for an owner
-- they bind (a superuser or a BYPASSRLS role sees every tenant's strays anyway).
create or replace function ensure_audit_log_partitions(from_time timestamptz, to_time timestamptz)
returns integer
language plpgsql as $$
declare
    month_start timestamptz := date_trunc('month', from_time at time zone 'UTC') at time zone 'UTC';
    month_end timestamptz;
    partition_name text;
    made integer := 0;
    strays bigint;
    lifted boolean := false;
begin
    perform pg_advisory_xact_lock(hashtext('ensure_audit_log_partitions'));
    while month_start <= to_time loop
        month_end := (month_start at time zone 'UTC' + interval '1 month') at time zone 'UTC';
        partition_name := 'audit_log_' || to_char(month_start at time zone 'UTC', '"y"YYYY"m"MM');
        if to_regclass(partition_name) is null then
            if not lifted and not (select rolsuper or rolbypassrls from pg_roles
                                    where rolname = current_user) then
                -- the owner must see every tenant's strays to move them (PostgreSQL checks a
                -- new partition against all the default's rows): for this transaction only
                alter table audit_log_default no force row level security;
                lifted := true;
            end if;
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
    if lifted then
        alter table audit_log_default force row level security;
    end if;
    return made;
end
$$;
revoke execute on function ensure_audit_log_partitions(timestamptz, timestamptz) from public;
