-- Names in a memory or a document linked to the contact they name, with a confidence
-- and how they were matched (the smart-memory schema's entity mentions); a name that
-- looks like a person's but matches no contact is kept with no contact: unresolved.
-- A mention belongs to exactly one memory or document and goes with it; deleting the
-- contact leaves the mention unresolved.
create table mentions (
    user_id       uuid not null references users (id) on delete cascade,
    id            uuid not null default gen_random_uuid(),
    memory_id     uuid,
    document_id   uuid,
    contact_id    uuid,
    surface       text not null,
    start_offset  integer not null,
    end_offset    integer not null,
    confidence    double precision not null,
    method        text not null,
    created_at    timestamptz not null default now(),
    primary key (user_id, id),
    foreign key (user_id, memory_id) references memories (user_id, id) on delete cascade,
    foreign key (user_id, document_id) references documents (user_id, id) on delete cascade,
    foreign key (user_id, contact_id) references contacts (user_id, id) on delete set null (contact_id),
    constraint mentions_one_source check (num_nonnulls(memory_id, document_id) = 1),
    constraint mentions_confidence_range check (confidence between 0 and 1),
    constraint mentions_method check (method in ('full_name', 'email', 'first_name_company', 'first_name', 'nickname', 'fuzzy', 'unknown'))
);
create index mentions_memory_idx on mentions (user_id, memory_id) where memory_id is not null;
create index mentions_document_idx on mentions (user_id, document_id) where document_id is not null;
create index mentions_contact_idx on mentions (user_id, contact_id, created_at, id);
create index mentions_unresolved_idx on mentions (user_id, created_at, id) where contact_id is null;

select protect_tenant_table('mentions');
