"""Product rows with a cannabis profile: category, form and size, strain and strain type, THC/CBD,
effects, retail price and cost (Decimal), stock, vendor. Names are unique, like a real menu."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from conductor.demo import names
from conductor.demo.ids import IdMaker
from conductor.demo.spec import DemoSpec, Row
from conductor.demo.weighted import Weighted

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Category:
    name: str
    share: int
    forms: tuple[tuple[str, int, int], ...]
    """(label, lowest, highest retail price in dollars)."""
    thc: tuple[int, int] | None
    """THC % range, or None where potency is in mg in the name."""


CATEGORIES = (
    Category("Flower", 30, (("1g", 10, 18), ("3.5g", 25, 60), ("7g", 45, 100),
                            ("14g", 85, 180), ("28g", 150, 320)), (15, 33)),
    Category("Pre-Rolls", 15, (("1g", 8, 15), ("0.5g 5-pack", 25, 45), ("Infused 1g", 14, 25),
                               ("Mini 0.35g 10-pack", 30, 50)), (18, 40)),
    Category("Vapes", 18, (("0.5g Cart", 25, 40), ("1g Cart", 40, 65),
                           ("1g Live Resin Cart", 45, 70), ("0.3g Disposable", 20, 30),
                           ("1g Disposable", 40, 60)), (65, 92)),
    Category("Edibles", 15, (("Gummies 100mg", 15, 28), ("Chocolate Bar 100mg", 18, 30),
                             ("Mints 100mg", 15, 25), ("Drink 10mg", 6, 10),
                             ("Fruit Chews 100mg", 14, 24)), None),
    Category("Concentrates", 10, (("Live Resin 1g", 30, 60), ("Badder 1g", 30, 55),
                                  ("Shatter 1g", 20, 40), ("Rosin 1g", 50, 90),
                                  ("Diamonds 1g", 45, 80)), (60, 90)),
    Category("Tinctures", 4, (("Tincture 30ml 1000mg", 40, 80), ("Tincture 30ml 500mg", 25, 50),
                              ("Tincture 15ml 250mg", 18, 30)), None),
    Category("Topicals", 3, (("Balm 2oz", 25, 50), ("Lotion 4oz", 20, 45), ("Roll-on 3oz", 25, 45),
                             ("Bath Soak", 15, 25), ("Transdermal Patch", 12, 20)), None),
    Category("Accessories", 5, (("", 3, 60),), None),
)  # fmt: skip

CANNABIS = ("Flower", "Pre-Rolls", "Vapes", "Edibles", "Concentrates")
SPECIALISTS = {
    "Kushie Kitchen": ("Edibles", "Tinctures"),
    "Half Moon Edibles": ("Edibles",),
    "Cloud Nine Glass": ("Accessories",),
    "Roll Up Supply": ("Accessories", "Pre-Rolls"),
    "Velvet Vapors": ("Vapes",),
    "Dune Extracts": ("Concentrates", "Vapes"),
    "Echo Park Extracts": ("Concentrates", "Vapes"),
    "Nectar Lab": ("Concentrates", "Vapes", "Edibles"),
    "Redwood Remedies": ("Tinctures", "Topicals", "Edibles"),
    "Luna Botanicals": ("Tinctures", "Topicals"),
}
VENDORS = ("Coastline Distribution", "Valley Wholesale", "Greenline Logistics", "Sunbelt Supply")
WELLNESS = ("Sleep", "Calm", "Relief", "Daytime", "Recovery", "1:1", "20:1 CBD", "Unwind")
COLOURS = ("Black", "White", "Green", "Clear", "Rainbow", "Gold")
STRAIN_TYPES = Weighted((("Hybrid", 45), ("Indica", 25), ("Sativa", 25), ("CBD", 5)))
WELLNESS_TYPES = Weighted((("Hybrid", 20), ("Indica", 20), ("Sativa", 20), ("CBD", 40)))


class ProductMaker:
    """Draws unique products: a category by menu share, a brand that makes it, then a variant."""

    def __init__(self, rng: random.Random, spec: DemoSpec, ids: IdMaker) -> None:
        self._rng = rng
        self._spec = spec
        self._ids = ids
        brands = [names.HOUSE_BRAND, *names.BRANDS]
        self._lines = {brand: self._line(brand) for brand in brands}
        self._vendor = {b: rng.choice(VENDORS) for b in brands}
        self._vendor[names.HOUSE_BRAND] = "MOTA Manufacturing"

    def make(self, count: int) -> list[Row]:
        seen: set[str] = set()
        products: list[Row] = []
        weights = [c.share for c in CATEGORIES]
        for _ in range(count * 50):
            if len(products) == count:
                break
            category = self._rng.choices(CATEGORIES, weights=weights)[0]
            brand = self._brand_for(category.name)
            row = self._product(category, brand, len(products) + 1)
            if row["name"] not in seen:
                seen.add(row["name"])
                products.append(row)
        return products

    def _line(self, brand: str) -> tuple[str, ...]:
        if brand == names.HOUSE_BRAND:
            return tuple(c.name for c in CATEGORIES)
        if brand in SPECIALISTS:
            return SPECIALISTS[brand]
        return tuple(self._rng.sample(CANNABIS, self._rng.randint(2, 4)))

    def _brand_for(self, category: str) -> str:
        makers = [b for b, line in self._lines.items() if category in line]
        weights = [3.0 if b == names.HOUSE_BRAND else 1.0 for b in makers]
        return self._rng.choices(makers, weights=weights)[0]

    def _product(self, category: Category, brand: str, number: int) -> Row:
        rng = self._rng
        form, low, high = rng.choice(category.forms)
        kind, strain, variant = self._variant(category.name)
        price = (Decimal(rng.randint(low * 2, high * 2)) / 2).quantize(CENT)
        active = rng.random() < 0.93
        in_stock = active and rng.random() > 0.12
        listed = self._spec.first_day - rng.randint(0, 700) + number % 300
        row: Row = {
            "product_id": self._ids.make(self._spec.moment(listed, 10 * 60)),
            "sku": f"{brand[:3].upper()}-{category.name[:2].upper()}-{number:05d}",
            "name": " ".join(p for p in (brand, variant, form) if p),
            "brand": brand,
            "category": category.name,
            "strain_type": kind,
            "strain": strain,
            "retail_price": price,
            "cost": (price * rng.randint(42, 58) / 100).quantize(CENT),
            "quantity_in_stock": rng.randint(1, 150) if in_stock else 0,
            "vendor": self._vendor[brand],
            "active": active,
        }
        row.update(self._potency(category, kind))
        return row

    def _variant(self, category: str) -> tuple[str | None, str | None, str]:
        """(strain type, strain, the words naming the variant)."""
        rng = self._rng
        if category == "Accessories":
            return None, None, f"{rng.choice(names.ACCESSORIES)} {rng.choice(COLOURS)}"
        if category in ("Tinctures", "Topicals"):
            return WELLNESS_TYPES.pick(rng), None, rng.choice(WELLNESS)
        kind = STRAIN_TYPES.pick(rng)
        if category == "Edibles":
            flavour = rng.choice(names.FLAVOURS)
            return kind, None, f"{flavour} {kind}" if kind != "Hybrid" else flavour
        strain = rng.choice(names.STRAINS[kind])
        return kind, strain, strain

    def _potency(self, category: Category, kind: str | None) -> Row:
        rng = self._rng
        if kind is None:
            return {"thc_pct": None, "cbd_pct": None, "effects": None}
        effects = ", ".join(rng.sample(names.EFFECTS[kind], rng.randint(2, 3)))
        if category.thc is None:
            return {"thc_pct": None, "cbd_pct": None, "effects": effects}
        if kind == "CBD":
            thc, cbd = rng.uniform(0.3, 8.0), rng.uniform(8.0, 22.0)
        else:
            thc, cbd = rng.uniform(*category.thc), rng.choice((0.0, 0.0, rng.uniform(0.05, 1.5)))
        return {
            "thc_pct": Decimal(f"{thc:.2f}"),
            "cbd_pct": Decimal(f"{cbd:.2f}"),
            "effects": effects,
        }
