"""Timing helpers shared by the benchmarks: run a callable over samples, report p50/p99."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Latency:
    name: str
    samples: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    def row(self) -> str:
        return (
            f"{self.name:<34} n={self.samples:<5} p50 {self.p50_ms:8.2f} ms"
            f"   p99 {self.p99_ms:8.2f} ms   max {self.max_ms:8.2f} ms"
        )


def measure(
    name: str, inputs: Sequence[T], call: Callable[[T], object], warmup: int = 5
) -> Latency:
    for value in inputs[:warmup]:
        call(value)
    times: list[float] = []
    for value in inputs:
        start = time.perf_counter()
        call(value)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    q = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
    return Latency(name, len(times), q[49], q[98], times[-1])
