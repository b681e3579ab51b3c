"""A deterministic demo and benchmark network, bulk loaded with COPY.

`generate_network` is pure: the same (user_id, contacts, seed, now) always yields the
same rows, so benchmarks compare like with like and tests can pin behaviour.
`seed_network` loads those rows in one transaction with `COPY`, which is an order of
magnitude faster than INSERTs for 100k-row tables.

The shape feeds the graph algorithms, so it is built on purpose:
- contacts live in communities (companies, friend groups, families, client/vendor
  circles, alumni and meetup networks) that are dense inside and joined by a few
  bridges, so Louvain has real communities to find and betweenness real connectors;
- every contact has a tie profile (active, fading, gone cold, occasional, never), so
  strength and "going cold" have true positives and true negatives;
- interests and memories are drawn from the contact's community, so semantic search
  has something meaningful to find.
"""

from graph_api.seed.generate import generate_network
from graph_api.seed.load import seed_network
from graph_api.seed.rows import (
    CONTACT_COLUMNS,
    INTERACTION_COLUMNS,
    INTEREST_COLUMNS,
    MEMORY_COLUMNS,
    MEMORY_SOURCE_COLUMNS,
    PARTICIPANT_COLUMNS,
    RELATIONSHIP_COLUMNS,
    Network,
    ProgressCallback,
    Record,
    SeedReport,
)

__all__ = [
    "CONTACT_COLUMNS",
    "INTERACTION_COLUMNS",
    "INTEREST_COLUMNS",
    "MEMORY_COLUMNS",
    "MEMORY_SOURCE_COLUMNS",
    "PARTICIPANT_COLUMNS",
    "RELATIONSHIP_COLUMNS",
    "Network",
    "ProgressCallback",
    "Record",
    "SeedReport",
    "generate_network",
    "seed_network",
]
