"""When people come in: each person's habits (favourite weekday, hour, shop, payment, products)
and the local days and minutes of their visits, spread over their active span at their own
rhythm, inside opening hours."""

from __future__ import annotations

import random
from dataclasses import dataclass

from conductor.demo import names
from conductor.demo.catalog import Catalog
from conductor.demo.roster import Plan
from conductor.demo.spec import CLOSES_AT_MINUTE, OPENS_AT_MINUTE, Row, ordinal_weekday
from conductor.demo.weighted import Weighted

WEEKDAY_LOYALTY = 0.55
"""Share of visits moved to the person's favourite weekday."""
PEAK_MINUTE = 16 * 60
PAYMENTS = Weighted(names.PAYMENT_TYPES + names.PAYMENT_TYPES_RARE)


@dataclass(frozen=True, slots=True)
class Habits:
    weekday: int
    minute: int
    location: int
    payment: str
    favourites: tuple[Row, ...]
    extra_item: float
    """Chance of one more item than usual in a basket (the big spenders' trait)."""
    group: str


def make_habits(rng: random.Random, catalog: Catalog, group: str) -> Habits:
    return Habits(
        weekday=rng.randrange(7),
        minute=minute_near(rng, PEAK_MINUTE, 150),
        location=_favourite_shop(rng, len(catalog.locations)),
        payment=pick_payment(rng),
        favourites=tuple(catalog.pick_product(rng) for _ in range(rng.randint(3, 10))),
        extra_item=min(rng.lognormvariate(-1.6, 0.9), 0.9),
        group=group,
    )


def _favourite_shop(rng: random.Random, shops: int) -> int:
    """The first shop is the busiest: shop ``i`` is chosen in proportion to 1 / (i + 1)."""
    return Weighted((i, 1 / (i + 1)) for i in range(shops)).pick(rng)


def pick_payment(rng: random.Random) -> str:
    return PAYMENTS.pick(rng)


def visit_moments(rng: random.Random, plan: Plan, habits: Habits) -> list[tuple[int, int]]:
    """(day ordinal, local minute of day) of each of the plan's visits, oldest first."""
    span = plan.stop - plan.start + 1
    moments = []
    for i in range(plan.visits):
        day = plan.start + int((i + rng.uniform(0.05, 0.95)) * span / plan.visits)
        if rng.random() < WEEKDAY_LOYALTY:
            shift = (habits.weekday - ordinal_weekday(day)) % 7
            day += shift - 7 if shift > 3 else shift
        day = min(max(day, plan.start), plan.stop)
        moments.append((day, minute_near(rng, habits.minute, 75)))
    moments.sort()
    return moments


def walk_in_moment(rng: random.Random, first_day: int, last_day: int) -> tuple[int, int]:
    """A visit by someone who gave no name: any day, busiest in the late afternoon."""
    return rng.randint(first_day, last_day), minute_near(rng, PEAK_MINUTE, 150)


def minute_near(rng: random.Random, centre: int, spread: float) -> int:
    """A local minute of the day in opening hours, normally spread around ``centre``."""
    for _ in range(8):
        minute = int(rng.gauss(centre, spread))
        if OPENS_AT_MINUTE <= minute < CLOSES_AT_MINUTE:
            return minute
    return rng.randrange(OPENS_AT_MINUTE, CLOSES_AT_MINUTE)
