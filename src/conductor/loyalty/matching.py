"""Matching what a receipt says to what the database knows: the dispensary, the cashier (a
budtender at that dispensary) and each line's product in the catalogue (rapidfuzz).

A product match decides whether a line qualifies: the matched product's brand must be one of the
qualifying brands. A line that names a qualifying brand but matches no product is reported, so a
person can look (the catalogue may lack a new product) instead of the customer silently losing
points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.budtenders.models import Budtender, Dispensary
from conductor.crm.keys import fold
from conductor.crm.models import Product
from conductor.loyalty.extraction import ReceiptLine
from conductor.loyalty.points import PointsRules

DISPENSARY_CUTOFF = 85.0
CASHIER_CUTOFF = 85.0
PRODUCT_CUTOFF = 86.0
_CASHIER = re.compile(r"^\s*([A-Za-z][A-Za-z'\-]*)(?:\s+([A-Za-z])(?:\.|[A-Za-z'\-]*))?")


@dataclass(frozen=True)
class CashierName:
    first: str
    initial: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> CashierName | None:
        found = _CASHIER.match(text or "")
        if found is None:
            return None
        initial = found.group(2).upper() if found.group(2) else None
        return cls(found.group(1).capitalize(), initial)


@dataclass(frozen=True)
class CashierMatch:
    budtender: Budtender | None
    candidates: int
    """Budtenders at the dispensary whose first name matches (more than one: ambiguous)."""


@dataclass(frozen=True)
class LineMatch:
    product_id: int | None
    score: float | None
    qualifying: bool
    names_brand: bool
    """The printed name mentions a qualifying brand (whatever it matched)."""


def match_dispensary(session: Session, text: str | None) -> tuple[Dispensary | None, float]:
    """The registered dispensary the receipt's header names, with the match score."""
    key = fold(text)
    if not key:
        return None, 0.0
    rows = dict(session.execute(select(Dispensary.id, Dispensary.name_key)).tuples().all())
    best = process.extractOne(
        key, rows, scorer=fuzz.token_set_ratio, score_cutoff=DISPENSARY_CUTOFF
    )
    if best is None:
        return None, 0.0
    _, score, dispensary_id = best
    return session.get(Dispensary, dispensary_id), float(score)


def match_cashier(session: Session, dispensary_id: int, name: CashierName) -> CashierMatch:
    """The budtender at this dispensary with this first name (and last initial, if printed)."""
    staff = session.scalars(select(Budtender).where(Budtender.dispensary_id == dispensary_id))
    first = fold(name.first)
    same = [b for b in staff if fuzz.ratio(first, fold(b.first_name)) >= CASHIER_CUTOFF]
    if name.initial and len(same) > 1:
        initialled = [b for b in same if b.last_name[:1].upper() == name.initial]
        same = initialled or same
    exact = [b for b in same if fold(b.first_name) == first]
    if len(same) > 1 and len(exact) == 1:
        same = exact
    return CashierMatch(same[0] if len(same) == 1 else None, len(same))


class Catalogue:
    """The products, loaded once and matched many times (a receipt, or a batch of them)."""

    def __init__(self, session: Session, rules: PointsRules) -> None:
        rows = session.execute(select(Product.id, Product.name, Product.brand)).tuples().all()
        self._keys = {pid: utils.default_process(name) for pid, name, _ in rows}
        self._brand = {pid: brand for pid, _, brand in rows}
        self._rules = rules
        self._brand_words = [utils.default_process(b) for b in rules.brands]

    def match(self, line: ReceiptLine) -> LineMatch:
        key = utils.default_process(line.name)
        words = set(key.split())
        names_brand = any(set(b.split()) <= words for b in self._brand_words if b)
        best = process.extractOne(
            key, self._keys, scorer=fuzz.WRatio, processor=None, score_cutoff=PRODUCT_CUTOFF
        )
        if best is None:
            return LineMatch(None, None, False, names_brand)
        _, score, product_id = best
        qualifying = self._rules.qualifies(self._brand[product_id])
        return LineMatch(product_id, float(score), qualifying, names_brand)
