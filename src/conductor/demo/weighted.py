"""A weighted choice table, built once and drawn from millions of times (``random.choices``
rebuilds its cumulative weights on every call, which dominates the generator's time)."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterable
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        values, weights = zip(*pairs, strict=True)
        self.values: tuple[T, ...] = values
        self._cumulative = list(accumulate(weights))
        self._total = self._cumulative[-1]
        self._last = len(values) - 1
        if self._total <= 0:
            raise ValueError("weights must add up to more than zero")

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect(self._cumulative, rng.random() * self._total, 0, self._last)]
