"""Live updates inside one process: the events every API process hears on
`graph_events` (`graph_api.domain.events`) handed to this process's subscribers,
and the network alerts computed from the user's graph whenever it changes.

Every subscriber is one user's: an event reaches only feeds of the user its payload
names, and what a subscriber then selects is loaded as that user (the loaders, under
row-level security). A feed holds at most `capacity` undelivered items; one more
and it overflows: its owner is told at once (the WebSocket closes it), the feed
stops taking items, and its reader gets `TooSlow`. Memory per subscriber is bounded,
whatever the client does.

Network alerts need no event of their own: every write to the graph's tables is
announced on `graph_changed` (migration 0002), so a user's watch rebuilds (through
the shared graph cache) after a change, and again at least every
`ALERT_RECHECK_SECONDS` (the strengths decay with the day), and compares the ties
with what it saw last: a tie newly going cold, a strength crossing a subscriber's
threshold, up or down. Notifications the notifications job makes are announced on
`graph_events` as they commit and handed to the user's alert feeds as they are heard.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar
from uuid import UUID

from graph_api.domain.events import Event
from graph_api.graph.cache import GraphCache
from graph_api.graph.network import Network
from graph_api.graph.results import ColdTie
from loaders import Loaders

logger = logging.getLogger("graph_api.live")

T = TypeVar("T")

# undelivered items a subscriber may have waiting before it is cut off
FEED_CAPACITY = 256
# a burst of writes (an import, a merge) settles into one look at the graph
ALERT_DEBOUNCE_SECONDS = 0.5
ALERT_RECHECK_SECONDS = 60.0

AlertKind = Literal["went_cold", "strength_rose_above", "strength_fell_below", "notification"]


class TooSlow(Exception):
    """The subscriber fell `capacity` items behind and was cut off."""


class Feed(Generic[T]):
    """One subscription's bounded queue, filled from notifications, read by one task."""

    def __init__(self, capacity: int, on_overflow: Callable[[], None]) -> None:
        self._items: deque[T] = deque()
        self._capacity = capacity
        self._on_overflow = on_overflow
        self._ready = asyncio.Event()
        self.overflowed = False
        self.closed = False

    def offer(self, item: T) -> None:
        if self.closed or self.overflowed:
            return
        if len(self._items) >= self._capacity:
            self.overflowed = True
            self._items.clear()
            self._ready.set()
            self._on_overflow()
            return
        self._items.append(item)
        self._ready.set()

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        while not self._items:
            if self.overflowed:
                raise TooSlow(f"fell {self._capacity} events behind")
            if self.closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def close(self) -> None:
        self.closed = True
        self._ready.set()


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    contact_id: UUID
    strength: float
    previous_strength: float | None = None
    threshold: float | None = None
    cold: ColdTie | None = None
    # a notification the notifications job made (kind "notification")
    notification_id: UUID | None = None


@dataclass(frozen=True)
class AlertFilter:
    threshold: float | None
    cold: bool
    notifications: bool = False


@dataclass(frozen=True)
class _Snapshot:
    network: Network
    scores: dict[UUID, float]
    cold: dict[UUID, ColdTie]

    @classmethod
    def of(cls, network: Network) -> _Snapshot:
        ids, scores = network.tie_scores()
        cold = {tie.contact_id: tie for tie in network.going_cold(len(ids))}
        return cls(network, dict(zip(ids, scores, strict=True)), cold)


def alerts_between(before: _Snapshot, after: _Snapshot, wanted: AlertFilter) -> list[Alert]:
    """What changed between two looks at one user's ties, as one subscriber wants it."""
    found: list[Alert] = []
    if wanted.cold:
        for contact_id, tie in after.cold.items():
            if contact_id not in before.cold:
                found.append(
                    Alert("went_cold", contact_id, after.scores.get(contact_id, 0.0), cold=tie)
                )
    threshold = wanted.threshold
    if threshold is not None:
        for contact_id, now in after.scores.items():
            then = before.scores.get(contact_id, 0.0)
            kind: AlertKind | None = None
            if then < threshold <= now:
                kind = "strength_rose_above"
            elif now < threshold <= then:
                kind = "strength_fell_below"
            if kind is not None:
                found.append(Alert(kind, contact_id, now, then, threshold))
    return found


class _Watch:
    """One user's network, looked at again after each change, for its alert feeds."""

    def __init__(self, hub: EventHub, user_id: UUID) -> None:
        self.hub = hub
        self.user_id = user_id
        self.feeds: dict[Feed[Alert], AlertFilter] = {}
        self.snapshot: _Snapshot | None = None
        self._pending: asyncio.Task[None] | None = None
        self._dirty = False
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        async with self._lock:
            if self.snapshot is None:
                self.snapshot = await self._look()

    async def _look(self) -> _Snapshot:
        network = await self.hub.graphs.get(self.user_id)
        if self.snapshot is not None and self.snapshot.network is network:
            return self.snapshot
        return await asyncio.to_thread(_Snapshot.of, network)

    def changed(self, delay: float = ALERT_DEBOUNCE_SECONDS) -> None:
        self._dirty = True
        if self._pending is None or self._pending.done():
            self._pending = asyncio.get_running_loop().create_task(self._after(delay))

    async def _after(self, delay: float) -> None:
        # a change heard while looking is looked at again, never lost
        while self._dirty:
            self._dirty = False
            await asyncio.sleep(delay)
            try:
                await self.check()
            except Exception:  # the next change or recheck looks again
                logger.warning("network alerts: looking at a user's graph failed", exc_info=True)

    async def check(self) -> None:
        async with self._lock:
            before = self.snapshot
            after = await self._look()
            self.snapshot = after
        if before is None or before is after:
            return
        for feed, wanted in list(self.feeds.items()):
            for alert in alerts_between(before, after, wanted):
                feed.offer(alert)

    def notified(self, event: Event) -> None:
        """A notification was made (by this process's job or another's): to every feed
        that wants them, with the tie's strength as last seen."""
        if not event.contact_ids:
            return  # every notification type is about a contact; one that is not has no alert
        contact_id = event.contact_ids[0]
        strength = 0.0 if self.snapshot is None else self.snapshot.scores.get(contact_id, 0.0)
        for feed, wanted in list(self.feeds.items()):
            if wanted.notifications:
                feed.offer(Alert("notification", contact_id, strength, notification_id=event.id))

    def cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()


@dataclass(frozen=True)
class LiveSession:
    """What a subscription's resolvers get in their context: the hub, and what to do
    when one of the connection's feeds overflows."""

    hub: EventHub
    on_overflow: Callable[[], None]


class EventHub:
    """This process's subscribers, by user."""

    def __init__(self, graphs: GraphCache, *, capacity: int = FEED_CAPACITY) -> None:
        self.graphs = graphs
        self.capacity = capacity
        self._feeds: dict[UUID, dict[Feed[Event], Callable[[Event], bool]]] = {}
        self._watches: dict[UUID, _Watch] = {}
        self._recheck: asyncio.Task[None] | None = None
        # one event's loaders, shared by all its subscribers (all of one user): what
        # they select is loaded once, not once per subscriber; gone with the event
        self._loaders: weakref.WeakKeyDictionary[Event, Loaders] = weakref.WeakKeyDictionary()
        self.delivered = 0  # events handed to feeds (tests, benchmarks)

    # ----- events

    def on_event(self, connection: object, pid: int, channel: str, payload: str) -> None:
        event = Event.decode(payload)
        if event is None:
            return
        if event.topic == "notification":
            watch = self._watches.get(event.user_id)
            if watch is not None:
                watch.notified(event)
        for feed, matches in list(self._feeds.get(event.user_id, {}).items()):
            if matches(event):
                feed.offer(event)
                self.delivered += 1

    def events(
        self, user_id: UUID, matches: Callable[[Event], bool], on_overflow: Callable[[], None]
    ) -> Feed[Event]:
        feed: Feed[Event] = Feed(self.capacity, on_overflow)
        self._feeds.setdefault(user_id, {})[feed] = matches
        return feed

    def loaders_for(self, event: Event, make: Callable[[], Loaders]) -> Loaders:
        """The loaders `event`'s subscribers share (`make` builds them for the first)."""
        loaders = self._loaders.get(event)
        if loaders is None:
            loaders = self._loaders[event] = make()
        return loaders

    def stop_events(self, user_id: UUID, feed: Feed[Event]) -> None:
        feed.close()
        feeds = self._feeds.get(user_id)
        if feeds is not None:
            feeds.pop(feed, None)
            if not feeds:
                del self._feeds[user_id]

    # ----- network alerts

    async def alerts(
        self, user_id: UUID, wanted: AlertFilter, on_overflow: Callable[[], None]
    ) -> Feed[Alert]:
        """A feed of `user_id`'s alerts from now on (its baseline is the graph as it is)."""
        watch = self._watches.get(user_id)
        if watch is None:
            watch = self._watches[user_id] = _Watch(self, user_id)
        feed: Feed[Alert] = Feed(self.capacity, on_overflow)
        watch.feeds[feed] = wanted
        try:
            await watch.start()
        except BaseException:
            self.stop_alerts(user_id, feed)
            raise
        if self._recheck is None:
            self._recheck = asyncio.get_running_loop().create_task(self._recheck_all())
        return feed

    def stop_alerts(self, user_id: UUID, feed: Feed[Alert]) -> None:
        feed.close()
        watch = self._watches.get(user_id)
        if watch is not None:
            watch.feeds.pop(feed, None)
            if not watch.feeds:
                watch.cancel()
                del self._watches[user_id]

    def on_graph_changed(self, connection: object, pid: int, channel: str, payload: str) -> None:
        try:
            watch = self._watches.get(UUID(payload))
        except ValueError:
            return
        if watch is not None:
            watch.changed()

    def on_reconnect(self) -> None:
        """Notifications sent while the listener was away are lost: look at every graph."""
        for watch in list(self._watches.values()):
            watch.changed(0)

    async def _recheck_all(self) -> None:
        while True:
            await asyncio.sleep(ALERT_RECHECK_SECONDS)
            for watch in list(self._watches.values()):
                watch.changed(0)

    @property
    def subscribers(self) -> int:
        return sum(len(f) for f in self._feeds.values()) + sum(
            len(w.feeds) for w in self._watches.values()
        )

    async def close(self) -> None:
        if self._recheck is not None:
            self._recheck.cancel()
        for watch in self._watches.values():
            watch.cancel()
        for feeds in self._feeds.values():
            for feed in feeds:
                feed.close()
