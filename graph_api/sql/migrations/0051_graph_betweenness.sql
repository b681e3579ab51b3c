-- The graph's betweenness, kept by topology. It is the one whole-graph result that costs
-- about half a second at 10,000 contacts (sampled Brandes, graph/centrality.py), and it
-- depends only on which contacts and edges there are (it counts hops, not strengths). A
-- process that computed it stores it under a digest of that topology. Another graph with
-- the same digest reads it instead of computing it again: the same graph after a restart,
-- the same graph in another API process, or a graph after a write that changed only
-- strengths. One row per user: the latest topology computed.
create table graph_betweenness (
    user_id      uuid not null references users (id) on delete cascade,
    -- sha-256 of the sampling parameters, the contact ids and the edges' ends (graph/centrality.py)
    topology     bytea not null,
    -- one float64 per contact, in ascending id order, little-endian
    scores       bytea not null,
    computed_at  timestamptz not null default now(),
    primary key (user_id)
);

select protect_tenant_table('graph_betweenness');
