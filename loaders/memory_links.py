"""`Memory.links`: every parent memory's links, both directions, in one statement.

Each link is seen from both ends (OUTGOING from its `from` memory, INCOMING at its
`to` memory) and the other end's memory comes along, so an edge's node costs no
statement of its own. Strongest first, then by link id.
"""

from __future__ import annotations

from graph_api.db import columns
from graph_api.pagination import Keyset, float_key, uuid_key
from loaders.nested import NestedSpec

LINKS_KEYSET = Keyset("strength", ("l.strength", "l.id"), (float_key, uuid_key), descending=True)

MEMORY_LINKS = NestedSpec(
    name="memory_links_page",
    select=f"""l.id as link_id, l.type as link_type, l.strength as link_strength,
               l.created_at as link_created_at, l.from_memory_id, l.to_memory_id,
               ends.direction, {columns.MEMORY}""",
    source=f"""memory_links l
             cross join lateral (values (l.from_memory_id, l.to_memory_id, 'OUTGOING'),
                                        (l.to_memory_id, l.from_memory_id, 'INCOMING'))
                     as ends(self_id, other_id, direction)
             join memories m on m.user_id = l.user_id and m.id = ends.other_id
             where l.user_id = $1 and {columns.UNEXPIRED_MEMORY}
               and (l.from_memory_id = any($2::uuid[]) or l.to_memory_id = any($2::uuid[]))
               and ends.self_id = any($2::uuid[])""",
    parent="ends.self_id",
    keyset=LINKS_KEYSET,
)
