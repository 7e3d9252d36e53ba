"""The shop side of the demo: two locations, ~30 staff, ~1,700 products across 40 brands
(house brand MOTA among them) with a cannabis profile, and how popular each product is."""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from decimal import Decimal

from conductor.demo import names
from conductor.demo.ids import IdMaker
from conductor.demo.products import ProductMaker
from conductor.demo.spec import DemoSpec, Row
from conductor.demo.weighted import Weighted

PRODUCT_COUNT = 1_700
SELLING_WEIGHT = {"Budtender": 3.0, "Shift Lead": 2.0, "Manager": 0.5, "Inventory": 0.0}


@dataclass(frozen=True)
class Location:
    name: str
    state: str
    tax_rate: Decimal


@dataclass(frozen=True)
class Shift:
    """Who can ring up a sale at a location, and between which day ordinals."""

    first_day: int
    last_day: int
    weight: float
    staff: Row


class Catalog:
    """Locations, staff and products, plus the draws that pick a product or a seller."""

    def __init__(
        self,
        locations: tuple[Location, ...],
        staff: list[Row],
        shifts: list[list[Shift]],
        products: list[Row],
        popularity: list[float],
    ) -> None:
        self.locations = locations
        self.staff = staff
        self.products = products
        self._popular = Weighted(zip(products, popularity, strict=True))
        self._crews = [_Crews(location_shifts) for location_shifts in shifts]

    def pick_product(self, rng: random.Random) -> Row:
        """A product drawn by popularity (a few best sellers, a long tail)."""
        return self._popular.pick(rng)

    def pick_seller(self, rng: random.Random, location: int, day: int) -> Row:
        """A staff member who sold at ``location`` on ``day``."""
        return self._crews[location].on(day).pick(rng)

    def staff_names(self) -> dict[str, str]:
        """staff_id -> "First Last" (what a POS export writes next to the id)."""
        return {s["staff_id"]: f"{s['first_name']} {s['last_name']}" for s in self.staff}


class _Crews:
    """One location's sellers, as a weighted table per stretch of days with the same crew."""

    def __init__(self, shifts: list[Shift]) -> None:
        self._everyone = Weighted((s.staff, s.weight) for s in shifts)
        self._starts = sorted({s.first_day for s in shifts} | {s.last_day + 1 for s in shifts})
        self._tables: list[Weighted[Row]] = []
        for day in self._starts:
            crew = [(s.staff, s.weight) for s in shifts if s.first_day <= day <= s.last_day]
            self._tables.append(Weighted(crew) if crew else self._everyone)

    def on(self, day: int) -> Weighted[Row]:
        at = bisect(self._starts, day) - 1
        return self._tables[at] if at >= 0 else self._everyone


def build_catalog(rng: random.Random, spec: DemoSpec, ids: IdMaker) -> Catalog:
    locations = tuple(Location(n, st, Decimal(rate)) for n, st, rate in names.LOCATIONS)
    staff, shifts = _staff(rng, spec, ids, locations)
    maker = ProductMaker(rng, spec, ids)
    products = maker.make(PRODUCT_COUNT)
    return Catalog(locations, staff, shifts, products, _popularity(rng, products))


def _staff(
    rng: random.Random, spec: DemoSpec, ids: IdMaker, locations: tuple[Location, ...]
) -> tuple[list[Row], list[list[Shift]]]:
    roles = [role for role, count in names.STAFF_ROLES for _ in range(count)]
    staff: list[Row] = []
    shifts: list[list[Shift]] = [[] for _ in locations]
    for n, role in enumerate(roles):
        where = n % len(locations)
        first_day, last_day = _employment(rng, spec, role)
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        row: Row = {
            "staff_id": ids.make(spec.moment(max(first_day, 1), 9 * 60)),
            "first_name": first,
            "last_name": last,
            "role": role,
            "location": locations[where].name,
            "email": f"{first}.{last}@staff.example.com".lower().replace("'", ""),
            "active": last_day >= spec.last_day,
        }
        staff.append(row)
        if SELLING_WEIGHT[role] > 0:
            shifts[where].append(Shift(first_day, last_day, SELLING_WEIGHT[role], row))
    return staff, shifts


def _employment(rng: random.Random, spec: DemoSpec, role: str) -> tuple[int, int]:
    """First and last working day: most staff predate the history, some joined or left during."""
    history = spec.last_day - spec.first_day
    draw = rng.random() if role == "Budtender" else 0.0
    if draw < 0.6:
        return spec.first_day - rng.randint(30, 900), spec.last_day
    if draw < 0.85:
        return spec.first_day + rng.randint(0, history - 60), spec.last_day
    return spec.first_day - rng.randint(30, 900), spec.first_day + rng.randint(60, history - 30)


def _popularity(rng: random.Random, products: list[Row]) -> list[float]:
    """Zipf-like weights over a shuffled ranking; the house brand and active stock sell more."""
    ranks = list(range(1, len(products) + 1))
    rng.shuffle(ranks)
    weights = []
    for rank, product in zip(ranks, products, strict=True):
        weight = 1.0 / rank**0.8
        if product["brand"] == names.HOUSE_BRAND:
            weight *= 1.8
        if not product["active"]:
            weight *= 0.3
        if product["category"] == "Accessories":
            weight *= 0.4
        weights.append(weight)
    return weights
