"""The whole demo dataset for a spec, as plain dict rows per table: the catalogue (locations,
staff, products) at once, then customers with their transactions and items in batches of a few
hundred people, so that even ~2 million transactions never sit in memory together.

Every draw comes from ``random.Random`` seeded by the spec: the same spec yields the same rows,
and :meth:`DemoData.batches` can be walked again from the start with the same result."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from conductor.demo.catalog import Catalog, build_catalog
from conductor.demo.ids import IdMaker
from conductor.demo.people import People
from conductor.demo.roster import Plan, build_roster
from conductor.demo.spec import DemoSpec, Row
from conductor.demo.till import Till
from conductor.demo.visits import make_habits, visit_moments, walk_in_moment

BATCH_PEOPLE = 400
NEWEST_ROW_SHARE = 0.8
"""Chance that a visit after a duplicate row was made is booked on the newest row."""


@dataclass
class Batch:
    customers: list[Row] = field(default_factory=list)
    transactions: list[Row] = field(default_factory=list)
    items: list[Row] = field(default_factory=list)


class DemoData:
    """The dataset: ``catalog`` (small, built at once) and ``batches()`` (streamed)."""

    def __init__(self, spec: DemoSpec) -> None:
        rng = random.Random(spec.seed)
        self.spec = spec
        self.catalog: Catalog = build_catalog(rng, spec, IdMaker(rng))
        self.roster: list[Plan] = build_roster(rng, spec)
        self._batch_seed = rng.getrandbits(64)

    def batches(self) -> Iterator[Batch]:
        """Customers (duplicates included) with their transactions and items, then a share of
        the walk-ins; the last batch ends with a walk-in on the end date."""
        rng = random.Random(self._batch_seed)
        ids = IdMaker(rng)
        writer = _Filler(rng, self.spec, self.catalog, ids, spare=len(self.roster))
        count = max(1, -(-len(self.roster) // BATCH_PEOPLE))
        for b in range(count):
            batch = Batch()
            for n in range(b * BATCH_PEOPLE, min((b + 1) * BATCH_PEOPLE, len(self.roster))):
                writer.person(n, self.roster[n], batch)
            walk_ins = self._walk_ins_in(b, count)
            for w in range(walk_ins):
                writer.walk_in(batch, newest=b == count - 1 and w == walk_ins - 1)
            yield batch

    def _walk_ins_in(self, batch: int, count: int) -> int:
        total = self.spec.walk_ins
        return total * (batch + 1) // count - total * batch // count


class _Filler:
    """Fills batches: one person's rows and visits at a time."""

    def __init__(
        self, rng: random.Random, spec: DemoSpec, catalog: Catalog, ids: IdMaker, *, spare: int
    ) -> None:
        self._rng = rng
        self._spec = spec
        self._catalog = catalog
        self._people = People(rng, spec, ids)
        self._till = Till(spec, catalog, ids)
        self._spare = spare

    def person(self, n: int, plan: Plan, batch: Batch) -> None:
        rng = self._rng
        person = self._people.person(rng, n)
        habits = make_habits(rng, self._catalog, person.group)
        moments = visit_moments(rng, plan, habits)
        rejoined = sorted(self._rejoin_day(plan, moments) for _ in range(plan.rows - 1))
        joined = [plan.joined, *rejoined]
        rows = self._people.rows(rng, person, joined, self._spare_number(plan.rows))
        spend = [Decimal("0.00") for _ in rows]
        for moment in moments:
            which = self._booked_on(joined, moment[0])
            sale, items = self._till.sale(rng, moment, rows[which]["member_id"], habits)
            spend[which] += sale["total"]
            batch.transactions.append(sale)
            batch.items.extend(items)
        for row, spent in zip(rows, spend, strict=True):
            row["loyalty_points"] = int(spent * Decimal(rng.randint(5, 60)) / 100)
        batch.customers.extend(rows)

    def walk_in(self, batch: Batch, *, newest: bool) -> None:
        day, minute = walk_in_moment(self._rng, self._spec.first_day, self._spec.last_day)
        if newest:
            day = self._spec.last_day
        sale, items = self._till.sale(self._rng, (day, minute), None, None)
        batch.transactions.append(sale)
        batch.items.extend(items)

    def _rejoin_day(self, plan: Plan, moments: list[tuple[int, int]]) -> int:
        """A duplicate row is made at one of the person's later visits (or any later day)."""
        if len(moments) > 1:
            return self._rng.choice(moments[1:])[0]
        return self._rng.randint(plan.start, max(plan.start, self._spec.last_day))

    def _booked_on(self, joined: list[int], day: int) -> int:
        """Which of the person's rows a visit on ``day`` is booked on (a duplicate row made at
        a visit gets that visit)."""
        known = [i for i, d in enumerate(joined) if d <= day]
        if len(known) == 1 or joined[known[-1]] == day or self._rng.random() < NEWEST_ROW_SHARE:
            return known[-1]
        return self._rng.choice(known)

    def _spare_number(self, rows: int) -> int:
        """A phone-number slot beyond everyone's own, for duplicates that gave a new number."""
        self._spare += rows - 1
        return self._spare
