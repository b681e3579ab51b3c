-- Documents about contacts, split into overlapping chunks, each embedded (the
-- assistant schema's documents and chunks). A document keeps its whole text; its
-- chunks point into it by character offsets (content[start_offset:end_offset]).
-- Chunks are written with the document and embedded in the background
-- (graph_api/search/chunks.py), so they are found by keyword search at once.
create table documents (
    user_id     uuid not null references users (id) on delete cascade,
    id          uuid not null default gen_random_uuid(),
    title       text not null,
    type        text not null default 'note',
    content     text not null,
    tags        text[] not null default '{}',
    source      text not null default 'api',
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    primary key (user_id, id),
    constraint documents_type check (type in ('note', 'article', 'transcript', 'email', 'report', 'other')),
    constraint documents_title_length check (char_length(title) between 1 and 200),
    constraint documents_content_length check (char_length(content) between 1 and 200000)
);
create index documents_user_created_idx on documents (user_id, created_at, id);

-- the contacts a document is about
create table document_contacts (
    user_id      uuid not null,
    document_id  uuid not null,
    contact_id   uuid not null,
    primary key (user_id, document_id, contact_id),
    foreign key (user_id, document_id) references documents (user_id, id) on delete cascade,
    foreign key (user_id, contact_id) references contacts (user_id, id) on delete cascade
);
create index document_contacts_contact_idx on document_contacts (user_id, contact_id);

create table document_chunks (
    user_id          uuid not null,
    id               uuid not null default gen_random_uuid(),
    document_id      uuid not null,
    position         integer not null,
    heading          text,
    content          text not null,
    start_offset     integer not null,
    end_offset       integer not null,
    embedding        vector(384),
    embedding_model  text,
    search_vector    tsvector generated always as (
        setweight(to_tsvector('english', coalesce(heading, '')), 'A')
        || setweight(to_tsvector('english', content), 'B')
    ) stored,
    created_at       timestamptz not null default now(),
    primary key (user_id, id),
    foreign key (user_id, document_id) references documents (user_id, id) on delete cascade,
    constraint document_chunks_position unique (user_id, document_id, position),
    constraint document_chunks_offsets check (0 <= start_offset and start_offset < end_offset)
);
create index document_chunks_embedding_idx on document_chunks using hnsw (embedding vector_cosine_ops);
create index document_chunks_search_vector_idx on document_chunks using gin (search_vector);
-- the background embedder's share: chunks still without an embedding
create index document_chunks_pending_idx on document_chunks (user_id, id) where embedding is null;

select protect_tenant_table(tenant_table)
  from unnest(array['documents', 'document_contacts', 'document_chunks']::regclass[]) as tenant_table;
