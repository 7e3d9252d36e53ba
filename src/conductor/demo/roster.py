"""The population plan, made up front in a few numbers per person: who has duplicate customer
rows, when each person joined, when they stopped coming (lapses), and exactly how many visits each
makes so that the totals match the spec. Names, phones and visits are drawn later, per batch."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from conductor.demo.spec import DemoSpec

LAPSE_SHARE = 0.45
ONE_TIMER_SHARE = 0.12
NEVER_BOUGHT_SHARE = 0.02
JOINED_BEFORE_HISTORY = 0.35
TRIPLE_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class Plan:
    """One person: day ordinals of joining and of the active span, customer rows, visits."""

    joined: int
    start: int
    stop: int
    weight: float
    """How many visits beyond the first, relative to other people."""
    buys: bool = True
    """False for the few who signed up and never bought anything."""
    rows: int = 1
    visits: int = 0


def build_roster(rng: random.Random, spec: DemoSpec) -> list[Plan]:
    """Every person, oldest member first, with visits allocated to hit the transaction total,
    and the people who came back often enough to be registered twice."""
    sizes = _group_sizes(rng, spec)
    people = spec.customers - sum(size - 1 for size in sizes)
    plans = sorted((_plan(rng, spec) for _ in range(people)), key=lambda p: p.joined)
    visits = _visits(plans, spec.transactions - spec.walk_ins)
    regulars = [i for i, v in enumerate(visits) if v >= 2]
    pool = regulars if len(regulars) >= len(sizes) else list(range(people))
    rows = [1] * people
    for index, size in zip(rng.sample(pool, len(sizes)), sizes, strict=True):
        rows[index] = size
    return [replace(plan, rows=n, visits=v) for plan, n, v in zip(plans, rows, visits, strict=True)]


def _visits(plans: list[Plan], total: int) -> list[int]:
    """One visit for everyone who ever bought, the rest in proportion to the plans' weights."""
    buyers = [1 if p.buys else 0 for p in plans]
    if sum(buyers) > total:  # tiny scales: fewer visits than people
        buyers = allocate([1.0] * len(plans), buyers, total)
    more = allocate(
        [p.weight for p in plans],
        [(p.stop - p.start) * b for p, b in zip(plans, buyers, strict=True)],
        total - sum(buyers),
    )
    return [b + m for b, m in zip(buyers, more, strict=True)]


def _group_sizes(rng: random.Random, spec: DemoSpec) -> list[int]:
    sizes = [3 if rng.random() < TRIPLE_SHARE else 2 for _ in range(spec.duplicate_groups)]
    while sizes and sum(sizes) > spec.customers:
        sizes.pop()
    return sizes


def _plan(rng: random.Random, spec: DemoSpec) -> Plan:
    history = spec.last_day - spec.first_day
    if rng.random() < JOINED_BEFORE_HISTORY:
        joined = spec.first_day - rng.randint(1, 4 * 365)
    else:
        joined = spec.first_day + int(history * math.sqrt(rng.random()))  # the shop grows
    start = max(joined, spec.first_day)
    if rng.random() < NEVER_BOUGHT_SHARE:
        return Plan(joined, start, start, 0.0, buys=False)
    if rng.random() < ONE_TIMER_SHARE:
        return Plan(joined, start, min(start + rng.randint(0, 20), spec.last_day), 0.05)
    stop = spec.last_day
    if rng.random() < LAPSE_SHARE and spec.last_day - start > 60:
        stop = rng.randint(start + 30, spec.last_day - 30)
    interval = min(max(rng.lognormvariate(math.log(24), 1.1), 2.0), 400.0)
    return Plan(joined, start, stop, max((stop - start + 1) / interval - 1, 0.0))


def allocate(weights: list[float], caps: list[int], total: int) -> list[int]:
    """Integer shares of ``total`` proportional to ``weights`` (largest remainder), each at most
    its cap. Raises ValueError when the caps cannot hold the total."""
    if total > sum(caps):
        raise ValueError(f"cannot place {total} visits in {sum(caps)} person-days")
    if total == 0:
        return [0] * len(caps)
    if sum(weights) <= 0:
        weights = [1.0 if cap > 0 else 0.0 for cap in caps]
    scale = total / sum(weights)
    wanted = [w * scale for w in weights]
    counts = [min(int(w), cap) for w, cap in zip(wanted, caps, strict=True)]
    left = total - sum(counts)
    while left > 0:
        open_ = [i for i, c in enumerate(counts) if c < caps[i]]
        open_.sort(key=lambda i: (counts[i] - wanted[i], i))
        for i in open_[:left]:
            counts[i] += 1
        left = total - sum(counts)
    return counts
