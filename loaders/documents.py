"""Batch functions for documents: by id, their chunks by id, each document's chunks
as a page (one statement for a whole level), and the contacts each is about."""

from __future__ import annotations

from graph_api.db import columns
from graph_api.pagination import Keyset, float_key, uuid_key
from loaders.nested import NestedSpec

DOCUMENTS_BY_ID = f"""-- documents_by_id
    select {columns.DOCUMENT}
      from documents d
     where d.user_id = $1 and d.id = any($2::uuid[])"""

CHUNKS_BY_ID = f"""-- document_chunks_by_id
    select {columns.DOCUMENT_CHUNK}
      from document_chunks c
     where c.user_id = $1 and c.id = any($2::uuid[])"""

DOCUMENT_CONTACTS = f"""-- document_contacts
    select dc.document_id, {columns.CONTACT}
      from document_contacts dc
      join contacts c on c.user_id = dc.user_id and c.id = dc.contact_id
     where dc.user_id = $1 and dc.document_id = any($2::uuid[])
     order by lower(c.full_name), c.id"""

# in reading order
CHUNKS_KEYSET = Keyset("position", ("c.position::float8", "c.id"), (float_key, uuid_key))

DOCUMENT_CHUNKS = NestedSpec(
    name="document_chunks_page",
    select=columns.DOCUMENT_CHUNK,
    source="document_chunks c where c.user_id = $1 and c.document_id = any($2::uuid[])",
    parent="c.document_id",
    keyset=CHUNKS_KEYSET,
)
