"""Ringing up a sale: a transaction row and its item rows, money exact to the cent
(line total = quantity x unit price; subtotal = sum of lines; total = subtotal - discount + tax),
the payment type only, never card data."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from conductor.demo.catalog import Catalog
from conductor.demo.ids import IdMaker
from conductor.demo.spec import DemoSpec, Row
from conductor.demo.visits import Habits, pick_payment
from conductor.demo.weighted import Weighted

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ITEM_COUNTS = Weighted(((1, 25), (2, 30), (3, 25), (4, 12), (5, 8)))
QUANTITIES = Weighted(((Decimal(1), 85), (Decimal(2), 12), (Decimal(3), 3)))
MEMBER_DISCOUNT = {
    "Medical": Decimal("0.15"),
    "Veteran": Decimal("0.10"),
    "Senior": Decimal("0.10"),
}
DEALS = (Decimal("0.10"), Decimal("0.15"), Decimal("0.20"))
REWARDS = (Decimal("5.00"), Decimal("10.00"), Decimal("20.00"))
PROMO = Decimal("0.80")


class Till:
    """Rings up the sales of one dataset: picks the basket, the shop, the seller, the payment."""

    def __init__(self, spec: DemoSpec, catalog: Catalog, ids: IdMaker) -> None:
        self._spec = spec
        self._catalog = catalog
        self._ids = ids

    def sale(
        self,
        rng: random.Random,
        moment: tuple[int, int],
        member_id: str | None,
        habits: Habits | None,
    ) -> tuple[Row, list[Row]]:
        """One transaction at local (day, minute) and its items."""
        day, minute = moment
        at = self._spec.moment(day, minute, int(rng.random() * 60))
        seconds = int(at.timestamp())
        location = self._location(rng, habits)
        transaction_id = self._ids.stamped(seconds)
        items = []
        subtotal = ZERO
        for product in self._basket(rng, habits):
            line = self._line(rng, seconds, transaction_id, product)
            subtotal += line["total_price"]
            items.append(line)
        discount = _discount(rng, subtotal, habits.group if habits else None)
        rate = self._catalog.locations[location].tax_rate
        tax = ((subtotal - discount) * rate).quantize(CENT, ROUND_HALF_UP)
        payment = habits.payment if habits and rng.random() < 0.8 else pick_payment(rng)
        seller = self._catalog.pick_seller(rng, location, day)
        transaction: Row = {
            "transaction_id": transaction_id,
            "member_id": member_id,
            "occurred_at": at,
            "subtotal": subtotal,
            "discount": discount,
            "tax": tax,
            "total": subtotal - discount + tax,
            "staff_id": seller["staff_id"],
            "location": self._catalog.locations[location].name,
            "payment_type": payment,
        }
        return transaction, items

    def _basket(self, rng: random.Random, habits: Habits | None) -> list[Row]:
        wanted = ITEM_COUNTS.pick(rng)
        if habits and rng.random() < habits.extra_item:
            wanted += 1
        picked: dict[str, Row] = {}
        for _ in range(wanted + 3):
            if len(picked) == wanted:
                break
            if habits and rng.random() < 0.55:
                product = habits.favourites[int(rng.random() * len(habits.favourites))]
            else:
                product = self._catalog.pick_product(rng)
            picked.setdefault(product["product_id"], product)
        return list(picked.values())

    def _location(self, rng: random.Random, habits: Habits | None) -> int:
        if habits and rng.random() < 0.85:
            return habits.location
        return int(rng.random() * len(self._catalog.locations))

    def _line(self, rng: random.Random, seconds: int, transaction_id: str, product: Row) -> Row:
        quantity = QUANTITIES.pick(rng)
        unit: Decimal = product["retail_price"]
        if rng.random() < 0.08:
            unit = (unit * PROMO).quantize(CENT, ROUND_HALF_UP)
        return {
            "line_id": self._ids.stamped(seconds),
            "transaction_id": transaction_id,
            "product_id": product["product_id"],
            "product_name": product["name"],
            "brand": product["brand"],
            "category": product["category"],
            "quantity": quantity,
            "unit_price": unit,
            "total_price": quantity * unit,  # exact: whole units times cents
        }


def _discount(rng: random.Random, subtotal: Decimal, group: str | None) -> Decimal:
    """Member-group discounts, daily deals, loyalty rewards (on baskets of twice their value)."""
    draw = rng.random()
    if group in MEMBER_DISCOUNT and draw < 0.8:
        return (subtotal * MEMBER_DISCOUNT[group]).quantize(CENT, ROUND_HALF_UP)
    if draw < 0.12:
        return (subtotal * rng.choice(DEALS)).quantize(CENT, ROUND_HALF_UP)
    if group is not None and draw < 0.17:
        reward = rng.choice(REWARDS)
        return reward if subtotal >= 2 * reward else ZERO
    return ZERO
