"""Blaze-style ids: 24 hex digits laid out like a MongoDB ObjectId (seconds, a fixed source part,
a counter), so demo rows look like a real POS export and never repeat."""

from __future__ import annotations

import random
from datetime import datetime

_COUNTER_MASK = 0xFFFFFF


class IdMaker:
    """Makes ids for one dataset. Unique while fewer than ~15 million ids are made: the counter
    starts below 2**20 and only wraps after 2**24."""

    def __init__(self, rng: random.Random) -> None:
        self._source = f"{rng.getrandbits(40):010x}"
        self._counter = rng.getrandbits(20)

    def make(self, at: datetime) -> str:
        """A new id stamped with the second of ``at``."""
        return self.stamped(int(at.timestamp()))

    def stamped(self, seconds: int) -> str:
        """A new id stamped with ``seconds`` since the epoch."""
        self._counter = (self._counter + 1) & _COUNTER_MASK
        return f"{seconds & 0xFFFFFFFF:08x}{self._source}{self._counter:06x}"
