-- A deleted relationship is kept as a suppression: the row stays, with suppressed_at
-- set, and means "these two contacts are not tied". Tie inference (on conflict do
-- nothing) never brings it back, so a tie the user removed stays removed however many
-- meetings the two share later; createRelationship for the pair declares it again.
-- Every reader treats a suppressed row as absent: the graph (paths, mutual
-- connections, stats, export), Contact.connections and node(id:).

alter table relationships add column suppressed_at timestamptz;
