"""The user's network as GraphML or GEXF, for Gephi, Cytoscape or networkx.

Nodes are the contacts (id: their global ID, label: their name) with company, the
user's tie score and community; edges carry `weight` (strength), `relationship_type`,
`source` and the number of shared interactions. The user (the ego) is not a node, as in every other view.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from uuid import UUID

import asyncpg
import networkx as nx

from graph_api.db import tenant
from graph_api.graph.network import Network
from graph_api.ids import global_id

FORMATS = {"graphml": "application/graphml+xml", "gexf": "application/gexf+xml"}

CONTACT_LABELS = """-- graph_export_contacts
    select id, full_name, company
      from contacts
     where user_id = $1 and archived_at is null"""


async def contact_labels(pool: asyncpg.Pool, user_id: UUID) -> dict[UUID, tuple[str, str]]:
    rows = await tenant.fetch(pool, user_id, CONTACT_LABELS, user_id)
    return {row["id"]: (row["full_name"], row["company"] or "") for row in rows}


def export_graph(network: Network, labels: Mapping[UUID, tuple[str, str]], fmt: str) -> bytes:
    """The network serialised as `fmt` (a key of FORMATS). CPU-bound: run off the loop."""
    community = {member: found.id for found in network.communities() for member in found.members}
    graph = nx.Graph(name="graph-api network")
    for contact_id in network.graph.nodes:
        name, company = labels.get(contact_id, ("", ""))
        graph.add_node(
            str(global_id("Contact", contact_id)),
            label=name,
            company=company,
            tie_score=float(network.tie(contact_id).score),
            community=community.get(contact_id, -1),
        )
    for a, b, data in network.graph.edges(data=True):
        graph.add_edge(
            str(global_id("Contact", a)),
            str(global_id("Contact", b)),
            weight=float(data.get("strength", 0.0)),
            relationship_type=str(data.get("type") or "other"),
            source=str(data.get("source") or "inferred"),
            shared_interactions=int(data.get("shared_count") or 0),
        )
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buffer)
    elif fmt == "gexf":
        nx.write_gexf(graph, buffer)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return buffer.getvalue()
