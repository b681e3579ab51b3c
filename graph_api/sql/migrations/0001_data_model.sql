-- The whole data model of DESIGN.md.
--
-- Every tenant table carries user_id and its primary key is (user_id, id); every
-- reference between tenant rows is a composite foreign key on (user_id, x_id), so
-- the database itself refuses a row that points at another user's row, and every
-- table can later be distributed by user_id with co-located joins.

create extension if not exists vector;

create table users (
    id          uuid primary key default gen_random_uuid(),
    email       text not null,
    full_name   text,
    created_at  timestamptz not null default now(),
    constraint users_email_lowercase check (email = lower(email)),
    constraint users_email_length check (char_length(email) between 3 and 320)
);
create unique index users_email_key on users (email);

create table api_tokens (
    user_id       uuid not null references users (id) on delete cascade,
    id            uuid not null default gen_random_uuid(),
    name          text not null default 'default',
    -- sha256 of the token; the token itself is never stored
    token_hash    bytea not null,
    created_at    timestamptz not null default now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    primary key (user_id, id),
    constraint api_tokens_hash_length check (octet_length(token_hash) = 32)
);
create unique index api_tokens_token_hash_key on api_tokens (token_hash);

create table contacts (
    user_id              uuid not null references users (id) on delete cascade,
    id                   uuid not null default gen_random_uuid(),
    full_name            text not null,
    email                text,
    phone                text,
    company              text,
    job_title            text,
    location             text,
    bio                  text,
    tags                 text[] not null default '{}',
    notes                text,
    source               text not null default 'manual',
    archived_at          timestamptz,
    last_interaction_at  timestamptz,
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now(),
    primary key (user_id, id),
    constraint contacts_full_name_length check (char_length(full_name) between 1 and 200)
);
create index contacts_user_name_idx on contacts (user_id, lower(full_name), id);
create index contacts_user_created_idx on contacts (user_id, created_at, id);
-- never-contacted people sort last when ordering by last interaction
create index contacts_user_last_interaction_idx
    on contacts (user_id, coalesce(last_interaction_at, '-infinity'::timestamptz), id);
create index contacts_user_email_idx on contacts (user_id, lower(email));
create index contacts_user_company_idx on contacts (user_id, lower(company));
create index contacts_tags_idx on contacts using gin (tags);

create table relationships (
    user_id          uuid not null,
    id               uuid not null default gen_random_uuid(),
    contact_a_id     uuid not null,
    contact_b_id     uuid not null,
    type             text not null default 'other',
    manual_strength  double precision,
    source           text not null default 'manual',
    detected_at      timestamptz not null default now(),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    primary key (user_id, id),
    foreign key (user_id, contact_a_id) references contacts (user_id, id) on delete cascade,
    foreign key (user_id, contact_b_id) references contacts (user_id, id) on delete cascade,
    -- stored once per pair, in a canonical order; no self-loops
    constraint relationships_ordered_pair check (contact_a_id < contact_b_id),
    constraint relationships_type check (
        type in ('colleague', 'friend', 'family', 'client', 'vendor', 'mentor', 'acquaintance', 'other')),
    constraint relationships_source check (source in ('manual', 'inferred')),
    constraint relationships_manual_strength_range check (manual_strength between 0 and 1)
);
create unique index relationships_pair_key on relationships (user_id, contact_a_id, contact_b_id);
create index relationships_user_b_idx on relationships (user_id, contact_b_id);

create table interactions (
    user_id           uuid not null references users (id) on delete cascade,
    id                uuid not null default gen_random_uuid(),
    type              text not null,
    direction         text not null default 'mutual',
    subject           text,
    content           text,
    summary           text,
    sentiment         double precision,
    occurred_at       timestamptz not null,
    duration_minutes  integer,
    created_at        timestamptz not null default now(),
    primary key (user_id, id),
    constraint interactions_type check (type in ('email', 'meeting', 'call', 'message', 'other')),
    constraint interactions_direction check (direction in ('inbound', 'outbound', 'mutual')),
    constraint interactions_sentiment_range check (sentiment between -1 and 1),
    constraint interactions_duration_range check (duration_minutes between 0 and 100000)
);
create index interactions_user_occurred_idx on interactions (user_id, occurred_at, id);

create table interaction_participants (
    user_id         uuid not null,
    interaction_id  uuid not null,
    contact_id      uuid not null,
    primary key (user_id, interaction_id, contact_id),
    foreign key (user_id, interaction_id) references interactions (user_id, id) on delete cascade,
    foreign key (user_id, contact_id) references contacts (user_id, id) on delete cascade
);
create index interaction_participants_contact_idx on interaction_participants (user_id, contact_id, interaction_id);

create table interests (
    user_id           uuid not null,
    id                uuid not null default gen_random_uuid(),
    contact_id        uuid not null,
    category          text not null,
    topic             text not null,
    confidence        double precision not null default 0.5,
    evidence_count    integer not null default 1,
    first_detected_at timestamptz not null default now(),
    last_reinforced_at timestamptz not null default now(),
    primary key (user_id, id),
    foreign key (user_id, contact_id) references contacts (user_id, id) on delete cascade,
    constraint interests_confidence_range check (confidence between 0 and 1),
    constraint interests_evidence_count_positive check (evidence_count >= 1),
    constraint interests_category_length check (char_length(category) between 1 and 100),
    constraint interests_topic_length check (char_length(topic) between 1 and 200)
);
create unique index interests_contact_topic_key on interests (user_id, contact_id, category, topic);
create index interests_user_topic_idx on interests (user_id, lower(topic));

create table memories (
    user_id            uuid not null references users (id) on delete cascade,
    id                 uuid not null default gen_random_uuid(),
    -- null: a memory about the network as a whole
    contact_id         uuid,
    type               text not null default 'note',
    title              text,
    content            text not null,
    tags               text[] not null default '{}',
    importance         double precision not null default 0.5,
    confidence         double precision not null default 1,
    embedding          vector(384),
    embedding_model    text,
    search_vector      tsvector generated always as (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', content), 'B')
    ) stored,
    expires_at         timestamptz,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    primary key (user_id, id),
    foreign key (user_id, contact_id) references contacts (user_id, id) on delete cascade,
    constraint memories_type check (type in ('note', 'summary', 'insight', 'briefing', 'talking_point')),
    constraint memories_importance_range check (importance between 0 and 1),
    constraint memories_confidence_range check (confidence between 0 and 1),
    constraint memories_content_length check (char_length(content) between 1 and 20000)
);
create index memories_user_contact_idx on memories (user_id, contact_id, created_at, id);
create index memories_user_created_idx on memories (user_id, created_at, id);
create index memories_embedding_idx on memories using hnsw (embedding vector_cosine_ops);
create index memories_search_vector_idx on memories using gin (search_vector);
create index memories_tags_idx on memories using gin (tags);

-- the interactions a memory was drawn from
create table memory_sources (
    user_id         uuid not null,
    memory_id       uuid not null,
    interaction_id  uuid not null,
    primary key (user_id, memory_id, interaction_id),
    foreign key (user_id, memory_id) references memories (user_id, id) on delete cascade,
    foreign key (user_id, interaction_id) references interactions (user_id, id) on delete cascade
);
create index memory_sources_interaction_idx on memory_sources (user_id, interaction_id);

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
    primary key (user_id, id)
);
create index audit_log_user_created_idx on audit_log (user_id, created_at);
