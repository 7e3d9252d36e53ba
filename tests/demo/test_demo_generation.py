"""The demo generator's rows, without a database: sizes, determinism, money, dirt, rhythm."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from conductor.crm.keys import fold
from conductor.crm.phone import normalize_phone
from conductor.demo import DemoData, DemoSpec
from conductor.demo.people import write_phone
from conductor.demo.roster import allocate
from conductor.demo.spec import Row
from conductor.errors import InvalidInput

LA = ZoneInfo("America/Los_Angeles")
END = date(2026, 4, 30)
HEX24 = re.compile(r"^[0-9a-f]{24}$")


@dataclass
class Rows:
    data: DemoData
    customers: list[Row] = field(default_factory=list)
    transactions: list[Row] = field(default_factory=list)
    items: list[Row] = field(default_factory=list)


def generate(scale: float = 0.02, seed: int = 5, end: date = END) -> Rows:
    rows = Rows(DemoData(DemoSpec(end_date=end, zone=LA, scale=scale, seed=seed)))
    for batch in rows.data.batches():
        rows.customers += batch.customers
        rows.transactions += batch.transactions
        rows.items += batch.items
    return rows


@pytest.fixture(scope="module")
def rows() -> Rows:
    return generate()


@pytest.mark.parametrize("scale", [0.01, 0.02, 0.035])
def test_row_counts_follow_the_scale(scale: float) -> None:
    got = generate(scale)
    assert len(got.customers) == round(10_047 * scale)
    assert len(got.transactions) == round(186_394 * scale)
    walk_ins = sum(t["member_id"] is None for t in got.transactions)
    assert walk_ins == round(round(186_394 * scale) * 0.05)
    assert 2.0 <= len(got.items) / len(got.transactions) <= 3.0


def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not(rows: Rows) -> None:
    again = generate()
    assert again.customers == rows.customers
    assert again.transactions == rows.transactions
    assert again.items == rows.items
    assert again.data.catalog.products == rows.data.catalog.products
    other = generate(seed=6)
    assert other.customers != rows.customers
    assert other.transactions != rows.transactions


def test_walking_the_batches_twice_gives_the_same_rows(rows: Rows) -> None:
    first = [b.transactions for b in rows.data.batches()]
    second = [b.transactions for b in rows.data.batches()]
    assert first == second


def test_history_ends_on_the_end_date_and_stays_in_opening_hours(rows: Rows) -> None:
    moments = [t["occurred_at"] for t in rows.transactions]
    assert all(m.utcoffset() == timedelta(0) for m in moments)
    local = [m.astimezone(LA) for m in moments]
    assert max(m.date() for m in local) == END
    assert min(m.date() for m in local) >= END - timedelta(days=3 * 365)
    assert all(9 <= m.hour < 21 for m in local)
    assert len({m.hour for m in local}) == 12


def test_money_adds_up_to_the_cent(rows: Rows) -> None:
    lines = defaultdict(list)
    for item in rows.items:
        assert item["total_price"] == item["quantity"] * item["unit_price"]
        assert item["total_price"].as_tuple().exponent == -2
        lines[item["transaction_id"]].append(item["total_price"])
    for t in rows.transactions:
        assert t["subtotal"] == sum(lines[t["transaction_id"]], Decimal("0"))
        assert t["total"] == t["subtotal"] - t["discount"] + t["tax"]
        assert Decimal("0") <= t["discount"] <= t["subtotal"]
        for name in ("subtotal", "discount", "tax", "total"):
            assert isinstance(t[name], Decimal) and t[name].as_tuple().exponent == -2
    assert any(t["discount"] > 0 for t in rows.transactions)


def test_ids_look_like_pos_ids_and_never_repeat(rows: Rows) -> None:
    for table, key in [
        (rows.customers, "member_id"),
        (rows.transactions, "transaction_id"),
        (rows.items, "line_id"),
        (rows.data.catalog.products, "product_id"),
        (rows.data.catalog.staff, "staff_id"),
    ]:
        ids = [r[key] for r in table]
        assert len(set(ids)) == len(ids), key
        assert all(HEX24.match(i) for i in ids), key


def test_references_point_at_generated_rows(rows: Rows) -> None:
    members = {c["member_id"] for c in rows.customers}
    staff = {s["staff_id"] for s in rows.data.catalog.staff}
    sales = {t["transaction_id"] for t in rows.transactions}
    products = {p["product_id"] for p in rows.data.catalog.products}
    assert all(t["member_id"] in members for t in rows.transactions if t["member_id"])
    assert all(t["staff_id"] in staff for t in rows.transactions)
    assert all(i["transaction_id"] in sales for i in rows.items)
    assert all(i["product_id"] in products for i in rows.items)


def test_some_people_appear_as_several_customer_rows(rows: Rows) -> None:
    """Duplicates share a normalised phone, or a folded name and a birthday."""
    by_phone: dict[str, set[str]] = defaultdict(set)
    by_name: dict[tuple[str, date], set[str]] = defaultdict(set)
    for c in rows.customers:
        if e164 := normalize_phone(c["phone_raw"]):
            by_phone[e164].add(c["member_id"])
        if c["date_of_birth"]:
            name = fold(f"{c['first_name']} {c['last_name']}")
            by_name[(name, c["date_of_birth"])].add(c["member_id"])
    shared_phone = [m for m in by_phone.values() if len(m) > 1]
    shared_name = [m for m in by_name.values() if len(m) > 1]
    expected = rows.data.spec.duplicate_groups
    assert 0.5 * expected <= len(shared_phone) <= expected
    assert shared_name
    raw = {c["member_id"]: c["phone_raw"] for c in rows.customers}
    assert any(len({raw[m] for m in group}) > 1 for group in shared_phone)
    buyers = {t["member_id"] for t in rows.transactions}
    assert any(len(group & buyers) > 1 for group in shared_phone)


def test_phones_are_written_in_many_ways_some_blank_some_invalid() -> None:
    rng = random.Random(1)
    written = [write_phone(rng, "3105550123") for _ in range(2_000)]
    shapes = {re.sub(r"\d", "9", w) for w in written if w and normalize_phone(w)}
    assert {"(999) 999-9999", "999.999.9999", "+9 999 999 9999", "9999999999"} <= shapes
    assert {normalize_phone(w) for w in written if w and normalize_phone(w)} == {"+13105550123"}
    assert any(normalize_phone(w) is None for w in written)
    assert write_phone(rng, None) is None


def test_customers_have_blank_fields_and_consent_history(rows: Rows) -> None:
    customers = rows.customers
    for column in ("email", "date_of_birth", "zip_code", "phone_raw"):
        blanks = sum(c[column] is None for c in customers)
        assert 0 < blanks < len(customers) / 2, column
    consenting = [c for c in customers if c["sms_consent"]]
    assert len(consenting) > len(customers) / 2
    assert all(c["sms_consent_source"] and c["sms_consent_at"] for c in consenting)
    assert any(not c["sms_consent"] and c["sms_consent_source"] for c in customers)


def test_a_few_customers_spend_most_and_many_lapse(rows: Rows) -> None:
    spend: dict[str, Decimal] = defaultdict(Decimal)
    last = {}
    for t in rows.transactions:
        if t["member_id"]:
            spend[t["member_id"]] += t["total"]
            last[t["member_id"]] = max(last.get(t["member_id"], t["occurred_at"]), t["occurred_at"])
    ranked = sorted(spend.values(), reverse=True)
    top = ranked[: len(rows.customers) // 5]
    assert sum(top) > Decimal("0.6") * sum(ranked)
    end = rows.data.spec.moment(rows.data.spec.last_day, 21 * 60).astimezone(UTC)
    median = ranked[len(ranked) // 2]
    win_back = [m for m, at in last.items() if 60 <= (end - at).days <= 400 and spend[m] > median]
    assert len(win_back) > len(rows.customers) / 20


def test_the_catalogue_is_a_dispensary_menu(rows: Rows) -> None:
    catalog = rows.data.catalog
    products = catalog.products
    assert len(products) == 1_700
    assert "MOTA" in {p["brand"] for p in products}
    assert 35 <= len({p["brand"] for p in products}) <= 45
    assert {p["category"] for p in products} == {
        "Flower", "Pre-Rolls", "Vapes", "Edibles", "Concentrates", "Tinctures", "Topicals",
        "Accessories",
    }  # fmt: skip
    assert {p["strain_type"] for p in products} == {"Indica", "Sativa", "Hybrid", "CBD", None}
    flower = [p for p in products if p["category"] == "Flower"]
    assert all(p["strain"] and isinstance(p["thc_pct"], Decimal) for p in flower)
    assert all(re.fullmatch(r"[a-z -]+(, [a-z -]+)+", p["effects"]) for p in flower)
    assert all(p["cost"] < p["retail_price"] for p in products)
    assert any(p["quantity_in_stock"] == 0 for p in products)
    assert len(catalog.staff) == 30 and len(catalog.locations) == 2
    assert {s["location"] for s in catalog.staff} == {loc.name for loc in catalog.locations}


def test_allocate_hits_the_total_exactly_within_caps() -> None:
    counts = allocate([5.0, 1.0, 0.0, 2.5], [3, 10, 4, 10], 12)
    assert sum(counts) == 12
    assert counts[0] == 3
    assert all(c <= cap for c, cap in zip(counts, [3, 10, 4, 10], strict=True))
    assert allocate([0.0, 0.0], [1, 2], 3) == [1, 2]
    with pytest.raises(ValueError):
        allocate([1.0], [2], 3)


@pytest.mark.parametrize("scale", [0, -1, 21])
def test_a_scale_out_of_range_is_refused(scale: float) -> None:
    with pytest.raises(InvalidInput, match="scale"):
        DemoSpec(end_date=END, zone=LA, scale=scale)
