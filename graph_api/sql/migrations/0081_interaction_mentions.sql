-- Mentions in interactions too (subject, summary or content: `field` says which text
-- the offsets point into; a memory's or a document's is its content), and mentions a
-- user resolved by hand (method 'manual': linked to a contact, or to a contact made
-- from the mention), which a later edit of the text keeps.
alter table mentions
    add column interaction_id uuid,
    add column field text not null default 'content',
    add foreign key (user_id, interaction_id) references interactions (user_id, id) on delete cascade,
    drop constraint mentions_one_source,
    add constraint mentions_one_source check (num_nonnulls(memory_id, document_id, interaction_id) = 1),
    add constraint mentions_field check (
        field = 'content' or (interaction_id is not null and field in ('subject', 'summary'))
    ),
    drop constraint mentions_method,
    add constraint mentions_method check (
        method in ('full_name', 'email', 'first_name_company', 'first_name', 'nickname', 'fuzzy',
                   'unknown', 'manual')
    );
create index mentions_interaction_idx on mentions (user_id, interaction_id) where interaction_id is not null;
-- resolving every unresolved mention of one name at once
create index mentions_unresolved_surface_idx on mentions (user_id, lower(surface)) where contact_id is null;
