"""A per-process cache of users' graphs, keyed by the graph version.

Every read asks PostgreSQL for the user's current version (one indexed lookup)
and reuses the cached graph when it matches, so a read never rebuilds needlessly
and never answers from a stale graph, whichever process wrote last. Time enters
the strengths (recency decays), so the key also carries the day.

A graph behind the current version is brought up to it by its delta: the contacts
the versions in between touched (migration 0050) are reloaded and applied to it
(graph/delta.py), at the cost of what they changed. Only an unknown delta (versions
without a record, a bulk load, more than DELTA_MAX_CONTACTS touched) or a new day
rebuilds the whole graph.

Other processes' writes arrive as `graph_changed` notifications: a cached graph
of that user is then updated in the background, so the next read finds it warm.
Building runs off the event loop; concurrent reads of one user share one build.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections import OrderedDict
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from graph_api.db.pool import background_task
from graph_api.graph import centrality, stored
from graph_api.graph.delta import apply_delta
from graph_api.graph.load import graph_version, load_delta, load_facts
from graph_api.graph.network import Network
from graph_api.graph.strength import StrengthParams
from graph_api.graph.worker import BetweennessWorker

logger = logging.getLogger("graph_api.graph")

CHANNEL = "graph_changed"
REFRESH_DEBOUNCE_SECONDS = 0.5
# A delta touching more contacts than this is applied by rebuilding (an import, a seed):
# past it, reloading the touched contacts' facts costs about what loading them all does.
DELTA_MAX_CONTACTS = 2_000


@dataclass(frozen=True)
class Entry:
    version: int
    day: date
    network: Network


# a full pass (unfreeze everything, collect, freeze again) once the frozen set has grown
# by this fraction over its low-water mark
FULL_PASS_GROWTH = 0.10


class _Freezer:
    """Keeps built graphs out of the cyclic collector's walks without pinning garbage.

    A built graph was 125,000 long-lived containers at 10,000 contacts (1.3 million
    references) while its edges were dicts of UUIDs; with the edges in arrays
    (graph/edges.py) it is 20,000 (the per-contact dicts and their values). Left to the
    collector, every full collection walks them all (130 ms at 10,000 contacts with dict
    edges, 300 ms with the embedding model loaded), and under load a full collection comes
    every few dozen requests: the p95 of benchmarks/nested_query.py went from tens of
    milliseconds to hundreds (docs/benchmarks.md). `gc.freeze()` after a build
    moves what is alive out of its sight.

    It moves whatever else is alive at that moment too: the request that asked for the
    graph, others in flight. What of that later becomes cyclic garbage is never collected
    while frozen, so freezing after every rebuild grew the process with every write. Hence:
    collect before each freeze (cheap, it walks only what is not frozen: the new graph and
    what came since), and once the frozen set has grown by `FULL_PASS_GROWTH` over its
    low-water mark, unfreeze, collect and freeze again. That full pass frees what earlier
    freezes pinned, so leftovers stay under a tenth of the frozen set instead of growing
    with traffic, and its cost (one walk of everything, a few hundred ms) is paid once per
    that much growth, as CPython spaces its own full collections. (An old graph still held
    by requests in flight counts as growth too: a full pass earlier than needed, no more.)

    Considered instead: higher collector thresholds only space the full walks out (each still
    walks every graph, and cyclic garbage lives longer); unfreezing before every collection
    pays the full walk on every rebuild, 250 ms even for a ten-contact graph once the model
    is loaded; graphs made only of objects the collector does not track (ids as ints, arrays
    of floats) are the lasting fix, which the edges now are and the per-contact dicts not
    yet. A replaced graph is freed by refcounting once its last request ends, frozen or not
    (nothing in a `Network` refers back to it).
    """

    def __init__(self) -> None:
        self._low_water: int | None = None
        self.full_passes = 0  # for tests and metrics

    def after_build(self) -> None:
        # The first time, nothing is frozen yet: a full collection would walk the whole
        # process (100-140 ms with the application loaded, paid by the first graph read
        # after start). The young generations only, then; what is older and garbage is
        # freed by the first full pass.
        gc.collect(1 if self._low_water is None else 2)
        gc.freeze()
        # the heap's size stands for the frozen set's: gc.get_freeze_count() walks the
        # whole frozen list (10 ms per 130,000 objects), getallocatedblocks() only arenas
        size = sys.getallocatedblocks()
        if self._low_water is None:
            self._low_water = size
        elif size > self._low_water * (1 + FULL_PASS_GROWTH):
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self._low_water = sys.getallocatedblocks()
            self.full_passes += 1
        else:
            self._low_water = min(self._low_water, size)


# the collector is one per process, and so is this
freezer = _Freezer()


class GraphCache:
    def __init__(
        self,
        pool: asyncpg.Pool,
        params: StrengthParams,
        *,
        max_users: int = 32,
        max_bytes: int = 1024 * 2**20,
    ) -> None:
        self._pool = pool
        self._params = params
        self._max_users = max_users
        # by the graphs' estimated sizes (Network.estimated_bytes): one user of 50,000
        # contacts weighs what a thousand small ones do; the newest graph always stays
        self._max_bytes = max_bytes
        self._entries: OrderedDict[UUID, Entry] = OrderedDict()
        self._builds: dict[tuple[UUID, int, date], asyncio.Task[Entry]] = {}
        self._background: set[asyncio.Task[object]] = set()
        self._refreshing: set[UUID] = set()
        self.builds = 0  # how many graphs this process has built whole (tests and metrics)
        self.updates = 0  # how many it brought up to date by a delta instead
        self.hits = 0  # how many reads the cached graph answered as it was (metrics)
        self.betweenness_stored_hits = 0  # betweenness read from the database (tests)
        self.betweenness_computed = 0  # and computed (tests)
        self._worker = BetweennessWorker()
        self._finding: dict[tuple[UUID, bytes], asyncio.Task[list[float]]] = {}

    @property
    def params(self) -> StrengthParams:
        """The formulas' parameters the graphs are built with (and interests decay by)."""
        return self._params

    async def get(self, user_id: UUID) -> Network:
        version = await graph_version(self._pool, user_id)
        today = datetime.now(UTC).date()
        entry = self._entries.get(user_id)
        if entry is not None and entry.version == version and entry.day == today:
            self._entries.move_to_end(user_id)
            self.hits += 1
            return entry.network
        return (await self._build(user_id, version, today)).network

    def cached_version(self, user_id: UUID) -> int | None:
        entry = self._entries.get(user_id)
        return None if entry is None else entry.version

    async def _build(self, user_id: UUID, version: int, today: date) -> Entry:
        key = (user_id, version, today)
        task = self._builds.get(key)
        if task is None:
            task = asyncio.create_task(self._bring_up_to_date(user_id, today))
            self._builds[key] = task
            task.add_done_callback(lambda _: self._builds.pop(key, None))
        return await asyncio.shield(task)

    async def _bring_up_to_date(self, user_id: UUID, today: date) -> Entry:
        current = self._entries.get(user_id)
        if current is not None and current.day == today:
            version, delta = await load_delta(
                self._pool, user_id, current.version, DELTA_MAX_CONTACTS
            )
            if delta is not None:
                network = await asyncio.to_thread(apply_delta, current.network, delta)
                self.updates += 1
                entry = Entry(version, current.day, network)
                if network is not current.network and current.network.metrics_computed:
                    self._in_background(self._warm_metrics(user_id, network))
                # not frozen: an update makes a handful of new containers (the per-contact
                # dicts' copies; the edges are arrays), while freezing after every write
                # pinned each request's leftovers until a full pass (120-165 ms on the
                # event loop, every eighth write at 10,000 contacts)
                self._store(user_id, entry)
                return entry
        del current
        return await self._load_and_build(user_id)

    def _store(self, user_id: UUID, entry: Entry) -> None:
        current = self._entries.get(user_id)
        if current is None or current.version <= entry.version:
            self._entries[user_id] = entry
            self._entries.move_to_end(user_id)
            while len(self._entries) > self._max_users or (
                len(self._entries) > 1 and self.held_bytes > self._max_bytes
            ):
                self._entries.popitem(last=False)

    @property
    def held_bytes(self) -> int:
        """The cached graphs' estimated size (a sum over at most `max_users` entries)."""
        return sum(entry.network.estimated_bytes for entry in self._entries.values())

    async def _load_and_build(self, user_id: UUID) -> Entry:
        now = datetime.now(UTC)
        version, facts = await load_facts(self._pool, user_id, now)
        network = await asyncio.to_thread(Network.build, facts, self._params)
        del facts
        self.builds += 1
        entry = Entry(version, now.date(), network)
        current = self._entries.get(user_id)
        if current is not None and current.network.metrics_computed:
            # this user looks at metrics: have them ready, not 6-8 s on the next ask
            self._in_background(self._warm_metrics(user_id, network))
        del current
        self._store(user_id, entry)
        freezer.after_build()
        return entry

    def on_notification(self, connection: object, pid: int, channel: str, payload: str) -> None:
        """A write committed somewhere: refresh this user's graph if we hold one."""
        try:
            user_id = UUID(payload)
        except ValueError:
            return
        if user_id in self._entries and user_id not in self._refreshing:
            self._refreshing.add(user_id)
            self._in_background(self._refresh(user_id))

    async def ensure_metrics(self, user_id: UUID, network: Network) -> None:
        """Have this graph's betweenness ready: computed already, taken over from a graph
        of the same topology (in this process, or stored by any process: graph/stored.py),
        or computed now off the event loop and stored for the others. Requests asking
        at the same time for one topology share one computation."""
        if network.betweenness_known:
            return
        topology = await asyncio.to_thread(lambda: network.topology)
        key = (user_id, topology)
        task = self._finding.get(key)
        if task is None:
            task = asyncio.create_task(self._find_betweenness(user_id, network, topology))
            self._finding[key] = task
            task.add_done_callback(lambda _: self._finding.pop(key, None))
        network.adopt_betweenness(await asyncio.shield(task))

    async def _find_betweenness(
        self, user_id: UUID, network: Network, topology: bytes
    ) -> list[float]:
        scores = await stored.load(self._pool, user_id, topology, network.contact_count)
        if scores is not None:
            self.betweenness_stored_hits += 1
            return scores
        computed = await self._betweenness(network)
        self.betweenness_computed += 1
        self._in_background(self._store_betweenness(user_id, topology, computed))
        return computed

    async def _betweenness(self, network: Network) -> list[float]:
        """Computed where it stops no request: igraph holds the interpreter lock while it
        runs, so a sampled graph's (0.45 s at 10,000 contacts) goes to a child process
        (graph/worker.py); an exact one (at most 1,000 contacts: milliseconds) and any
        the child fails to answer to a thread."""
        low, high = network.edge_ends
        count = network.contact_count
        if centrality.sampled(count):
            try:
                return await self._worker.betweenness(count, low, high)
            except Exception:
                logger.warning("the betweenness worker failed; computing in-process", exc_info=True)
        return await asyncio.to_thread(centrality.betweenness_of, count, low, high)

    async def _store_betweenness(self, user_id: UUID, topology: bytes, scores: list[float]) -> None:
        try:
            await stored.store(self._pool, user_id, topology, scores)
        except Exception:  # only the next process to start computes it again
            logger.warning("storing graph betweenness failed", exc_info=True)

    async def _warm_metrics(self, user_id: UUID, network: Network) -> None:
        try:
            await self.ensure_metrics(user_id, network)
            await asyncio.to_thread(network.warm_metrics)  # PageRank, when taken over
        except Exception:  # the next metrics query computes them itself
            logger.warning("warming graph metrics failed", exc_info=True)

    def _in_background(self, work: Coroutine[Any, Any, Any]) -> None:
        task = background_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _refresh(self, user_id: UUID) -> None:
        try:
            # a burst of writes (an import, a merge) settles into one update
            await asyncio.sleep(REFRESH_DEBOUNCE_SECONDS)
            self._refreshing.discard(user_id)  # a write from now on schedules another
            await self.get(user_id)
        except Exception:  # a failed warm-up only costs the next read a build
            logger.warning("background graph update failed for a user", exc_info=True)

    async def close(self) -> None:
        for task in [*self._background, *self._builds.values(), *self._finding.values()]:
            task.cancel()
        await self._worker.close()
