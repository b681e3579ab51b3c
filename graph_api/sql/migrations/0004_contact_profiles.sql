-- Contact profiles embedded for `searchContacts` and `Contact.similarContacts`.
--
-- A table of its own rather than columns on contacts: embedding a profile is not a
-- change to the network, so it must not bump the graph version (contacts' triggers).
-- `profile_text` is what was embedded; when a contact's current profile text differs
-- (an edit, a new interest), the profile is stale and is embedded again.

create table contact_profiles (
    user_id          uuid not null,
    contact_id       uuid not null,
    profile_text     text not null,
    embedding        vector(384) not null,
    embedding_model  text not null,
    embedded_at      timestamptz not null default now(),
    primary key (user_id, contact_id),
    foreign key (user_id, contact_id) references contacts (user_id, id) on delete cascade
);
create index contact_profiles_embedding_idx on contact_profiles using hnsw (embedding vector_cosine_ops);
