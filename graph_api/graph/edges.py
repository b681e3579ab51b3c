"""The contact↔contact edges in arrays: contacts interned to positions, CSR adjacency.

A graph of 10,000 contacts has ~50,000 edges. As dicts of UUIDs they took 462 B per
edge and 1.3 million objects for the cyclic collector to walk; here every edge is one
row of a few numpy columns (~60 B, no Python object per edge), and the adjacency is
CSR over the same rows. Positions are the contacts in ascending id order, so ordering
by position is ordering by id, and a tie broken by position is broken by id.

`Edges` never changes once made. `Edges.make` builds it from edge rows in any order;
the result depends only on the rows (sorted by their ends' positions), which is what
lets a graph updated by a delta equal one built afresh, array for array.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from uuid import UUID

import numpy
import scipy.sparse

INT = numpy.int32


@dataclass(frozen=True, eq=False)
class Edges:
    """Edge rows ordered by (low, high) position, and the CSR adjacency over them.

    Row k: contacts `low[k] < high[k]`, the relationship row `relationship[k]` (16
    bytes), its type and source codes, `shared[k]` shared interactions, the part of
    the strength its own facts decide (`base[k]`) and the strength (`strength[k]`).
    CSR: contact i's neighbours are `indices[indptr[i]:indptr[i+1]]` (ascending), the
    edge to each `entry_edge[...]` at the same offsets.
    """

    nodes: list[UUID]  # ascending; a contact's position is its index here
    position: dict[UUID, int]
    low: numpy.ndarray
    high: numpy.ndarray
    relationship: numpy.ndarray  # uint8, shape (edges, 16)
    type: numpy.ndarray  # uint8 codes into facts.RELATIONSHIP_TYPES
    source: numpy.ndarray  # uint8 codes into facts.RELATIONSHIP_SOURCES
    shared: numpy.ndarray  # int32
    base: numpy.ndarray  # float64
    strength: numpy.ndarray  # float64
    indptr: numpy.ndarray  # int64, contacts + 1
    indices: numpy.ndarray  # int32, 2 × edges
    entry_edge: numpy.ndarray  # int32, 2 × edges

    @classmethod
    def make(
        cls,
        nodes: list[UUID],
        position: dict[UUID, int],
        low: numpy.ndarray,
        high: numpy.ndarray,
        relationship: numpy.ndarray,
        type: numpy.ndarray,
        source: numpy.ndarray,
        shared: numpy.ndarray,
        base: numpy.ndarray,
        strength: numpy.ndarray,
    ) -> Edges:
        """Edge rows in any order (each pair once, low < high) → sorted rows and CSR."""
        order = numpy.lexsort((high, low))
        low, high = low[order], high[order]
        count = len(nodes)
        edges = len(low)
        rows = numpy.concatenate((low, high))
        columns = numpy.concatenate((high, low))
        entry = numpy.lexsort((columns, rows))
        indptr = numpy.zeros(count + 1, dtype=numpy.int64)
        numpy.cumsum(numpy.bincount(rows, minlength=count), out=indptr[1:])
        ids = numpy.arange(edges, dtype=INT)
        return cls(
            nodes,
            position,
            low,
            high,
            relationship[order],
            type[order],
            source[order],
            shared[order],
            base[order],
            strength[order],
            indptr,
            columns[entry].astype(INT, copy=False),
            numpy.concatenate((ids, ids))[entry],
        )

    def with_rows(self, rows: numpy.ndarray, columns: tuple[numpy.ndarray, ...]) -> Edges:
        """These rows' values replaced (the same pairs, in row order: `columns` as `make`
        takes them), everything else shared with this graph's arrays."""
        low, high, relationship, type, source, shared, base, strength = columns
        if not (
            numpy.array_equal(low, self.low[rows]) and numpy.array_equal(high, self.high[rows])
        ):
            raise ValueError("with_rows changes values, not which contacts an edge joins")
        replaced = {}
        for name, values in (
            ("relationship", relationship),
            ("type", type),
            ("source", source),
            ("shared", shared),
            ("base", base),
            ("strength", strength),
        ):
            column = getattr(self, name).copy()
            column[rows] = values
            replaced[name] = column
        return replace(self, **replaced)

    def __len__(self) -> int:
        return len(self.low)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Edges):
            return NotImplemented
        return self.nodes == other.nodes and all(
            numpy.array_equal(getattr(self, name), getattr(other, name)) for name in ARRAYS
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in ARRAYS)

    # ----- reading

    def neighbours(self, i: int) -> list[int]:
        return self.indices[self.indptr[i] : self.indptr[i + 1]].tolist()  # type: ignore[no-any-return]

    def degree(self, i: int) -> int:
        return int(self.indptr[i + 1] - self.indptr[i])

    def around(self, i: int) -> dict[int, float]:
        """Contact i's neighbours (ascending) and the strengths of the edges to them."""
        start, end = self.indptr[i], self.indptr[i + 1]
        return dict(
            zip(
                self.indices[start:end].tolist(),
                self.strength[self.entry_edge[start:end]].tolist(),
                strict=True,
            )
        )

    def edge_between(self, i: int, j: int) -> int | None:
        """The row of the edge between positions i and j, if there is one."""
        start, end = int(self.indptr[i]), int(self.indptr[i + 1])
        at = start + int(numpy.searchsorted(self.indices[start:end], j))
        if at < end and self.indices[at] == j:
            return int(self.entry_edge[at])
        return None

    def relationship_id(self, k: int) -> UUID:
        return UUID(bytes=self.relationship[k].tobytes())

    def at(self, positions: Sequence[int] | numpy.ndarray) -> numpy.ndarray:
        """The rows of the edges with an end at any of these positions, ascending."""
        if not len(positions) or not len(self.low):
            return numpy.zeros(0, dtype=numpy.int64)
        mask = numpy.zeros(len(self.nodes), dtype=bool)
        mask[numpy.asarray(positions, dtype=numpy.int64)] = True
        return numpy.flatnonzero(mask[self.low] | mask[self.high])

    @cached_property
    def matrix(self) -> scipy.sparse.csr_array:
        """The adjacency as a 0/1 CSR matrix (for counting common neighbours)."""
        count = len(self.nodes)
        ones = numpy.ones(len(self.indices), dtype=numpy.int32)
        return scipy.sparse.csr_array((ones, self.indices, self.indptr), shape=(count, count))

    def common_neighbours(self, rows: numpy.ndarray) -> numpy.ndarray:
        """How many neighbours each of these edges' two ends share (exact integers)."""
        if not len(rows):
            return numpy.zeros(0, dtype=numpy.int64)
        matrix = self.matrix
        both = matrix[self.low[rows]].multiply(matrix[self.high[rows]])
        return numpy.asarray(both.sum(axis=1)).ravel().astype(numpy.int64)

    def jaccard(self, rows: numpy.ndarray) -> numpy.ndarray:
        """Jaccard of the ends' neighbour sets without each other, per edge row.

        The ends are each other's neighbours (counting that would make every tie
        overlap): the union is deg(a) + deg(b) − common − 2."""
        common = self.common_neighbours(rows)
        degrees = numpy.diff(self.indptr)
        union = degrees[self.low[rows]] + degrees[self.high[rows]] - common - 2
        safe = numpy.where(union > 0, union, 1)
        return numpy.where(union > 0, common / safe, 0.0)


ARRAYS = (
    "low",
    "high",
    "relationship",
    "type",
    "source",
    "shared",
    "base",
    "strength",
    "indptr",
    "indices",
    "entry_edge",
)


def nodes_of(ids: Sequence[UUID]) -> tuple[list[UUID], dict[UUID, int]]:
    """Contacts in ascending id order, and each one's position."""
    nodes = sorted(ids, key=lambda node: node.int)
    return nodes, {node: i for i, node in enumerate(nodes)}
