-- Consolidation: a contact's old memories grouped by similarity, each group summed up
-- in one SUMMARY memory that links its sources (domain/consolidation.py). A source is
-- marked by the summary it went into: hidden from default search, never deleted.
-- Deleting the summary (or `unconsolidate`) brings its sources back.
alter table memories
    add column consolidated_into uuid,
    add foreign key (user_id, consolidated_into) references memories (user_id, id)
        on delete set null (consolidated_into),
    add constraint memories_not_into_itself check (consolidated_into <> id);
-- a summary's sources (unconsolidate, Memory.consolidatedFrom); and whether a memory is one
create index memories_consolidated_into_idx on memories (user_id, consolidated_into)
    where consolidated_into is not null;
