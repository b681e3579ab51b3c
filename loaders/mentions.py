"""Mentions: a level of memories' (or interactions') mentions in one statement, each contact's mentions as
a page (newest first), and the user's unresolved mentions as a page."""

from __future__ import annotations

from graph_api.db import columns
from graph_api.pagination import Keyset, time_key, uuid_key
from loaders.nested import NestedSpec

# a mention in an expired memory goes with it (its excerpt is the memory's text)
NOT_IN_EXPIRED = f"""(x.memory_id is null or exists (
        select 1 from memories m
         where m.user_id = x.user_id and m.id = x.memory_id and {columns.UNEXPIRED_MEMORY}))"""

MEMORY_MENTIONS = f"""-- memory_mentions
    select {columns.MENTION}
      from mentions x
     where x.user_id = $1 and x.memory_id = any($2::uuid[])
     order by x.start_offset, x.id"""

INTERACTION_MENTIONS = f"""-- interaction_mentions
    select {columns.MENTION}
      from mentions x
     where x.user_id = $1 and x.interaction_id = any($2::uuid[])
     order by case x.field when 'subject' then 0 when 'summary' then 1 else 2 end,
              x.start_offset, x.id"""

MENTIONS_KEYSET = Keyset("newest", ("x.created_at", "x.id"), (time_key, uuid_key), descending=True)

CONTACT_MENTIONS = NestedSpec(
    name="contact_mentions_page",
    select=columns.MENTION,
    source=f"""mentions x where x.user_id = $1 and x.contact_id = any($2::uuid[])
               and {NOT_IN_EXPIRED}""",
    parent="x.contact_id",
    keyset=MENTIONS_KEYSET,
)

# the user's own page: the parent is the user
UNRESOLVED_MENTIONS = NestedSpec(
    name="unresolved_mentions_page",
    select=columns.MENTION,
    source=f"""mentions x where x.user_id = $1 and x.user_id = any($2::uuid[])
               and x.contact_id is null and {NOT_IN_EXPIRED}""",
    parent="x.user_id",
    keyset=MENTIONS_KEYSET,
)
