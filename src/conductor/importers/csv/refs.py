"""Resolving the references of a batch of records: one IN query per referenced table.

* a transaction's ``member_id`` becomes ``customer_id``: blank is a walk-in (NULL), unknown is a
  reject, a merged duplicate is followed to the customer it was merged into;
* a transaction's ``staff_id`` becomes the staff row's id; an unknown one is created from the
  ``staff_name`` column, so nothing in the file is lost;
* an item's ``transaction_id`` must exist (unknown is a reject); an unknown ``product_id`` leaves
  the item's product NULL and keeps its name, brand and category text.

Staff and products are small tables named again and again, so a :class:`Resolver` remembers
their ids for the rest of the import (up to :data:`CACHE_LIMIT` each).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from conductor.crm.models import Customer, Product, Staff, Transaction
from conductor.importers.csv.bulk import one_of
from conductor.importers.csv.mapping import Record

CACHE_LIMIT = 50_000
_MAX_MERGE_HOPS = 20


@dataclass
class Resolved:
    """The records whose references all resolved, the rejected ones with reasons."""

    records: list[Record]
    rejects: list[tuple[Record, str]] = field(default_factory=list)
    staff_created: int = 0


class Resolver:
    """Resolves the references of one import's batches, in its session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._staff: dict[str, int | None] = {}
        self._products: dict[str, int | None] = {}

    def resolve(self, kind: str, records: list[Record]) -> Resolved:
        """The batch's references resolved (kinds without references pass through)."""
        if kind == "transactions":
            return self.transactions(records)
        if kind == "items":
            return self.items(records)
        return Resolved(records)

    def transactions(self, records: list[Record]) -> Resolved:
        result = Resolved([])
        customers = _customer_ids(self.session, _wanted(records, "member_id"))
        result.staff_created = self._create_missing_staff(records)
        for record in records:
            refs = record.refs
            if "member_id" in refs:
                member = refs["member_id"]
                if member is not None and member not in customers:
                    result.rejects.append((record, f"unknown member_id {member!r}"))
                    continue
                record.values["customer_id"] = customers[member] if member else None
            if "staff_id" in refs:
                worker = refs["staff_id"]
                record.values["staff_id"] = self._staff[worker] if worker else None
            result.records.append(record)
        return result

    def items(self, records: list[Record]) -> Resolved:
        result = Resolved([])
        wanted = _wanted(records, "transaction_id")
        sales = _ids(self.session, Transaction.transaction_id, Transaction.id, wanted)
        self._lookup(self._products, Product.product_id, Product.id, records, "product_id")
        for record in records:
            sale = record.refs["transaction_id"]
            if sale not in sales:
                result.rejects.append((record, f"unknown transaction_id {sale!r}"))
                continue
            record.values["transaction_id"] = sales[sale]
            if "product_id" in record.refs:
                product = record.refs["product_id"]
                record.values["product_id"] = self._products[product] if product else None
            result.records.append(record)
        return result

    def _lookup(
        self,
        cache: dict[str, int | None],
        key: InstrumentedAttribute[str],
        pk: InstrumentedAttribute[int],
        records: list[Record],
        ref: str,
    ) -> set[str]:
        """Fill ``cache`` for the batch's values of ``ref``; returns the ones not found."""
        missing = _wanted(records, ref) - cache.keys()
        if len(cache) + len(missing) > CACHE_LIMIT:
            cache.clear()
            missing = _wanted(records, ref)
        found = _ids(self.session, key, pk, missing)
        cache.update(dict.fromkeys(missing))
        cache.update(found)
        return missing - found.keys()

    def _create_missing_staff(self, records: list[Record]) -> int:
        """Create the staff rows the batch names but the database lacks; how many."""
        unknown = self._lookup(self._staff, Staff.staff_id, Staff.id, records, "staff_id")
        if not unknown:
            return 0
        names: dict[str, str | None] = {}
        for record in records:
            worker = record.refs.get("staff_id")
            if worker in unknown:
                names.setdefault(worker, record.refs.get("staff_name"))
        self.session.execute(insert(Staff), [_new_staff(s, n) for s, n in names.items()])
        self._staff.update(_ids(self.session, Staff.staff_id, Staff.id, unknown))
        return len(unknown)


def _wanted(records: Iterable[Record], ref: str) -> set[str]:
    return {value for r in records if (value := r.refs.get(ref)) is not None}


def _ids(
    session: Session,
    key: InstrumentedAttribute[str],
    pk: InstrumentedAttribute[int],
    wanted: set[str],
) -> dict[str, int]:
    if not wanted:
        return {}
    rows = session.execute(select(key, pk).where(one_of(session, key, wanted))).all()
    return dict(rows)


def _customer_ids(session: Session, members: set[str]) -> dict[str, int]:
    """member_id -> the id of the customer that now stands for it (merges followed)."""
    if not members:
        return {}
    found = session.execute(
        select(Customer.member_id, Customer.id, Customer.merged_into_id).where(
            one_of(session, Customer.member_id, members)
        )
    ).all()
    target = {member: merged or ident for member, ident, merged in found}
    frontier = {merged for _, _, merged in found if merged is not None}
    for _ in range(_MAX_MERGE_HOPS):
        if not frontier:
            break
        hops = {
            ident: merged
            for ident, merged in session.execute(
                select(Customer.id, Customer.merged_into_id).where(
                    Customer.id.in_(frontier), Customer.merged_into_id.is_not(None)
                )
            )
            if merged is not None
        }
        target = {member: hops.get(ident, ident) for member, ident in target.items()}
        frontier = set(hops.values())
    return target


def _new_staff(staff_id: str, name: str | None) -> dict[str, object]:
    first, _, last = (name or "").strip().partition(" ")
    return {"staff_id": staff_id, "first_name": first[:100], "last_name": last.strip()[:100]}
