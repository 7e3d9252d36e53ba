"""Receipt OCR benchmark: receipts a minute and how much of each receipt is read right.

    .venv/bin/python bench/receipts.py                  # 60 receipts, seed 7
    .venv/bin/python bench/receipts.py --n 120 --psm 6 --misses var/receipts/misses

Receipts come from :mod:`conductor.demo.receipts` (fixed seed): the three layouts in turn, the
three DejaVu faces, text 20-26 px, a tilt of up to 3 degrees either way and photo noise 0.2-1.0,
one in five saved as JPEG. Each goes through the real :class:`TesseractExtractor` (clean-up,
tesseract, parse) in this one process; rendering is not timed. Accuracy is against the spec as
printed (:func:`printed_lines`: names as cut or wrapped by the layout):

- items found: a line read whose name is >= 85 similar (rapidfuzz ratio) to a printed one;
- prices exact: quantity, unit price (``None`` where not printed) and line total all exact, of
  items present (and each of the three on its own);
- subtotal / tax / total exact; cashier (``Maria G.``, any case), receipt number, date and
  time exact; dispensary >= 85 similar.

``--misses DIR`` writes the image and the text read of every receipt with a miss.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).parent))
from conductor.demo.receipts import (
    DISPENSARIES,
    FONTS,
    LAYOUTS,
    ReceiptSpec,
    printed_lines,
    random_receipt_spec,
    render_receipt,
    sample_products,
)
from conductor.loyalty.extraction import ExtractedReceipt, ReceiptLine
from conductor.loyalty.ocr import TesseractExtractor
from timing import Latency

SIMILAR = 85


@dataclass(frozen=True)
class Case:
    spec: ReceiptSpec
    layout: str
    font: str
    size: int
    image: bytes

    def label(self) -> str:
        return f"{self.layout}/{self.font}/{self.size}px"


class Matcher:
    """The desk's catalogue matching (:class:`conductor.loyalty.matching.Catalogue`) and
    dispensary matching against a scratch SQLite database holding the receipts' products and
    shops: what the points would be for each reading."""

    def __init__(self, seed: int) -> None:
        from conductor.budtenders import service as budtenders
        from conductor.crm import service as crm
        from conductor.loyalty.matching import Catalogue
        from conductor.loyalty.points import PointsRules
        from conductor.store import make_engine, make_sessionmaker, migrate

        self._dir = tempfile.TemporaryDirectory()
        engine = make_engine(f"sqlite:///{self._dir.name}/match.db")
        migrate.upgrade(engine)
        self.session = make_sessionmaker(engine)()
        for n, (name, price) in enumerate(sample_products(random.Random(seed), 120)):
            crm.create_product(self.session, f"P{n}", name, brand=name.split()[0],
                               retail_price=price)  # fmt: skip
        for shop, _ in DISPENSARIES:
            budtenders.create_dispensary(self.session, shop)
        self.rules = PointsRules(brands=frozenset({"mota"}))
        self.catalogue = Catalogue(self.session, self.rules)

    def spend(self, got: ExtractedReceipt) -> tuple[Decimal, bool]:
        """Qualifying spend read, and whether the dispensary was recognised."""
        from conductor.loyalty.matching import match_dispensary

        header = [line for line in got.text.splitlines() if line.strip()][:6]
        shop, _ = match_dispensary(self.session, got.dispensary, header)
        qualifying = [line.total for line in got.lines if self.catalogue.match(line).qualifying]
        return sum(qualifying, Decimal(0)), shop is not None


def cases(n: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    products = sample_products(rng, 120)
    out = []
    for i in range(n):
        spec = random_receipt_spec(rng, products)
        layout, font = list(LAYOUTS)[i % 3], FONTS[(i // 3) % 3]
        size = rng.randint(20, 26)
        image = render_receipt(
            spec, layout=layout, font=font, font_size=size, rotation_deg=rng.uniform(-3, 3),
            noise=rng.uniform(0.2, 1.0), seed=i, image_format="JPEG" if i % 5 == 4 else "PNG",
        )  # fmt: skip
        out.append(Case(spec, layout, font, size, image))
    return out


def score(case: Case, got: ExtractedReceipt, counts: Counter[str]) -> list[str]:
    """Adds to ``counts``; returns what was missed, for ``--misses``."""
    misses = []
    read = list(got.lines)
    for want in printed_lines(case.spec, case.layout, case.font, case.size):
        counts["items"] += 1
        line = _best(want, read)
        if line is None:
            misses.append(f"item not found: {want}")
            continue
        read.remove(line)
        counts["found"] += 1
        counts["quantity"] += line.quantity == want.quantity
        counts["unit"] += line.unit_price == want.unit_price
        counts["line total"] += line.total == want.total
        exact = (line.quantity, line.unit_price, line.total) == (
            want.quantity, want.unit_price, want.total)  # fmt: skip
        counts["prices"] += exact
        if not exact:
            misses.append(f"price: {line} for {want}")
    spec = case.spec
    for field, want_value, got_value in (
        ("subtotal", spec.subtotal, got.subtotal), ("tax", spec.tax, got.tax),
        ("total", spec.total, got.total), ("cashier", spec.cashier, got.cashier),
        ("receipt", spec.receipt_number, got.receipt_number),
        ("date", spec.purchased_at, got.purchased_at),
    ):  # fmt: skip
        if isinstance(want_value, str) and isinstance(got_value, str):
            want_value, got_value = want_value.casefold(), got_value.casefold()
        counts[field] += want_value == got_value
        if want_value != got_value:
            misses.append(f"{field}: read {got_value!r}, printed {want_value!r}")
    shop = fuzz.ratio(spec.dispensary.casefold(), (got.dispensary or "").casefold())
    counts["dispensary"] += shop >= SIMILAR
    if shop < SIMILAR:
        misses.append(f"dispensary: read {got.dispensary!r}, printed {spec.dispensary!r}")
    return misses


def _best(want: ReceiptLine, read: list[ReceiptLine]) -> ReceiptLine | None:
    scored = [(fuzz.ratio(want.name.casefold(), line.name.casefold()), line) for line in read]
    best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    return best[1] if best[0] >= SIMILAR else None


def latency(name: str, seconds: list[float]) -> Latency:
    ms = sorted(s * 1000 for s in seconds)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return Latency(name, len(ms), q[49], q[98], ms[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--psm", type=int, default=4)
    parser.add_argument("--misses", type=Path, help="write images and text of receipts missed")
    parser.add_argument("--no-match", action="store_true", help="OCR and parsing only")
    args = parser.parse_args()
    matcher = None if args.no_match else Matcher(args.seed)
    all_cases = cases(args.n, args.seed)
    extractor = TesseractExtractor(psm=args.psm)
    counts: Counter[str] = Counter()
    groups: dict[str, Counter[str]] = {name: Counter() for name in (*LAYOUTS, *FONTS)}
    stages: dict[str, list[float]] = {"clean-up": [], "tesseract": [], "parse": [], "match": []}
    started = time.perf_counter()
    for i, case in enumerate(all_cases):
        got = extractor.extract(case.image)
        timings = extractor.timings
        stages["clean-up"].append(timings.clean)
        stages["tesseract"].append(timings.tesseract)
        stages["parse"].append(timings.parse)
        one: Counter[str] = Counter()
        if matcher is not None:
            before = time.perf_counter()
            spend, shop = matcher.spend(got)
            stages["match"].append(time.perf_counter() - before)
            truth = sum((x.total for x in case.spec.lines if x.name.startswith("MOTA")), Decimal(0))
            one["spend"] += spend == truth
            one["points"] += matcher.rules.customer_points(spend) == int(truth)
            one["shop"] += shop
        misses = score(case, got, one)
        counts.update(one)
        for group in (case.layout, case.font):
            groups[group].update(one)
        if misses and args.misses:
            _write_misses(args.misses, i, case, got, misses)
    wall = time.perf_counter() - started
    _report(args, len(all_cases), wall, stages, counts)
    _by_group(groups)


def _write_misses(
    folder: Path, i: int, case: Case, got: ExtractedReceipt, misses: list[str]
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{i:03d}-{case.label().replace('/', '-')}"
    suffix = ".jpg" if case.image[:2] == b"\xff\xd8" else ".png"
    (folder / f"{stem}{suffix}").write_bytes(case.image)
    (folder / f"{stem}.txt").write_text("\n".join([*misses, "", got.text]) + "\n")


def _report(
    args: argparse.Namespace,
    n: int,
    wall: float,
    stages: dict[str, list[float]],
    counts: Counter[str],
) -> None:
    print(f"== {n} receipts (seed {args.seed}, psm {args.psm}), one process")
    print(f"  wall {wall:6.1f} s   {n / wall * 60:6.1f} receipts/minute")
    for stage, values in stages.items():
        if len(values) > 1:
            print(f"  {latency(stage, values).row()}")
    items = counts["items"]
    for label, key in (("items found", "found"), ("prices exact", "prices"),
                       ("  quantity", "quantity"), ("  unit price", "unit"),
                       ("  line total", "line total")):  # fmt: skip
        print(f"  {label:<15} {counts[key]:4d} / {items:<4d} {counts[key] / items:7.1%}")
    for field in ("subtotal", "tax", "total", "cashier", "receipt", "date", "dispensary"):
        print(f"  {field:<15} {counts[field]:4d} / {n:<4d} {counts[field] / n:7.1%}")
    if stages["match"]:
        print(
            "  after catalogue matching (house-brand lines found, points as the desk gives them):"
        )
        for label, key in (("  dispensary known", "shop"), ("  MOTA spend exact", "spend"),
                           ("  points exact", "points")):  # fmt: skip
            print(f"  {label:<17} {counts[key]:4d} / {n:<4d} {counts[key] / n:7.1%}")


def _by_group(groups: dict[str, Counter[str]]) -> None:
    print("  by layout and face: items found, prices exact (of items present)")
    for name, counts in groups.items():
        items = counts["items"] or 1
        print(f"    {name:<10} {counts['found'] / items:7.1%} {counts['prices'] / items:7.1%}"
              f"   ({items} items)")  # fmt: skip


if __name__ == "__main__":
    main()
