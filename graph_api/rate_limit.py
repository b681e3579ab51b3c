"""A token bucket per caller, so one client cannot starve the others.

Callers are told apart by the id of the token they authenticated with, and by
their address when they send none or one that is not valid (see `graph_api.gate`).
The buckets live in this process: behind a load balancer each process allows the
limit on its own (see README).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

# buckets kept at most; the least recently used go first
MAX_CALLERS = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self._buckets: OrderedDict[bytes, _Bucket] = OrderedDict()

    def allow(self, caller: str) -> float | None:
        """None when the request may go ahead (and is counted); else seconds until it may."""
        key = hashlib.sha256(caller.encode()).digest()
        now = time.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
            if len(self._buckets) > MAX_CALLERS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(
                self.capacity, bucket.tokens + (now - bucket.updated) * self.refill_per_second
            )
            bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return math.ceil((1 - bucket.tokens) / self.refill_per_second)
