"""Matching what a receipt says to what the database knows: the dispensary, the cashier (a
budtender at that dispensary) and each line's product in the catalogue (rapidfuzz).

A product match decides whether a line qualifies: the matched product's brand must be one of the
qualifying brands. A line that names a qualifying brand but matches no product is reported, so a
person can look (the catalogue may lack a new product) instead of the customer silently losing
points.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
MIN_PARTIAL = 6
"""Shorter distinctive names must match a whole header line."""
GENERIC = frozenset(
    [
        "the",
        "dispensary",
        "dispensaries",
        "collective",
        "co",
        "company",
        "inc",
        "llc",
        "cannabis",
        "wellness",
        "shop",
        "store",
        "club",
        "center",
        "centre",
        "and",
        "of",
    ]
)
PRODUCT_CUTOFF = 86.0
MIN_PREFIX = 12
"""Shorter printed names are not compared as prefixes (too many products start the same)."""
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


def _distinctive(name: str) -> str:
    """A shop's name without the words every shop has ("Harbor Leaf Dispensary" -> "harbor
    leaf"), so that a header line reading just "DISPENSARY" matches nothing."""
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w and w not in GENERIC]
    return " ".join(words)


def _shop_score(line: str, name: str, *, score_cutoff: float | None = None, **_: object) -> float:
    """How well a header line names the shop: the whole line, or a line that holds the name
    and more ("HARBOR LEAF DISPENSARW" for "harbor leaf")."""
    score = fuzz.token_sort_ratio(line, name)
    if len(line) > len(name) >= MIN_PARTIAL:
        score = max(score, fuzz.token_set_ratio(line, name), fuzz.partial_ratio(name, line))
    return score


def match_dispensary(
    session: Session, text: str | None, header: Sequence[str] = ()
) -> tuple[Dispensary | None, float]:
    """The registered dispensary the receipt names, with the match score: the extractor's
    candidate first, else the best of the receipt's first lines (the header)."""
    rows = {
        did: _distinctive(key)
        for did, key in session.execute(select(Dispensary.id, Dispensary.name_key))
    }
    best: tuple[int, float] | None = None
    for candidate in (text, *header):
        key = _distinctive(fold(candidate))
        if len(key) < 3:
            continue
        found = process.extractOne(key, rows, scorer=_shop_score, score_cutoff=DISPENSARY_CUTOFF)
        if found is not None and (best is None or found[1] > best[1]):
            best = (found[2], float(found[1]))
        if best is not None and candidate == text:
            break
    if best is None:
        return None, 0.0
    return session.get(Dispensary, best[0]), best[1]


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


def _product_score(
    printed: str, name: str, *, score_cutoff: float | None = None, **_: object
) -> float:
    """WRatio, or, for a name the POS cut short ("MOTA BLUE DREAM FLOW"), the similarity to the
    same length of the catalogue name."""
    score = fuzz.WRatio(printed, name)
    if len(printed) >= MIN_PREFIX < len(name) and len(name) > len(printed):
        score = max(score, fuzz.ratio(printed, name[: len(printed)]))
    return score


class Catalogue:
    """The products, loaded once and matched many times (a receipt, or a batch of them)."""

    def __init__(self, session: Session, rules: PointsRules) -> None:
        rows = session.execute(select(Product.id, Product.name, Product.brand)).all()
        self._keys = {pid: utils.default_process(name) for pid, name, _ in rows}
        self._brand = {pid: brand for pid, _, brand in rows}
        self._rules = rules
        self._brand_words = [utils.default_process(b) for b in rules.brands]

    def match(self, line: ReceiptLine) -> LineMatch:
        key = utils.default_process(line.name)
        words = set(key.split())
        names_brand = any(set(b.split()) <= words for b in self._brand_words if b)
        best = process.extractOne(
            key, self._keys, scorer=_product_score, processor=None, score_cutoff=PRODUCT_CUTOFF
        )
        if best is None:
            return LineMatch(None, None, False, names_brand)
        _, score, product_id = best
        qualifying = self._rules.qualifies(self._brand[product_id])
        return LineMatch(product_id, float(score), qualifying, names_brand)
