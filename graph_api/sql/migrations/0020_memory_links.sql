-- Stored memory↔memory relations (the assistant schema's memory relations): a link
-- goes from one memory to another with a type and a strength, unlike Memory.related,
-- which stays computed. A link never points at its own memory, never at another
-- user's memory (the composite foreign keys), and a pair holds each type once per
-- direction. Deleting either memory deletes its links.
create table memory_links (
    user_id         uuid not null references users (id) on delete cascade,
    id              uuid not null default gen_random_uuid(),
    from_memory_id  uuid not null,
    to_memory_id    uuid not null,
    type            text not null,
    strength        double precision not null default 1,
    created_at      timestamptz not null default now(),
    primary key (user_id, id),
    foreign key (user_id, from_memory_id) references memories (user_id, id) on delete cascade,
    foreign key (user_id, to_memory_id) references memories (user_id, id) on delete cascade,
    constraint memory_links_not_to_itself check (from_memory_id <> to_memory_id),
    constraint memory_links_type check (type in ('supports', 'contradicts', 'follows_up', 'duplicates', 'related')),
    constraint memory_links_strength_range check (strength between 0 and 1),
    constraint memory_links_once_per_type unique (user_id, from_memory_id, to_memory_id, type)
);
-- the incoming side of Memory.links (the outgoing side is the unique constraint's index)
create index memory_links_to_idx on memory_links (user_id, to_memory_id);

select protect_tenant_table('memory_links');
