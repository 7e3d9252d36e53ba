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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from conductor.crm.models import Customer, Product, Staff, Transaction
from conductor.importers.csv.bulk import one_of
from conductor.importers.csv.frame import Frame
from conductor.importers.csv.mapping import Reject

CACHE_LIMIT = 50_000
_MAX_MERGE_HOPS = 20


@dataclass
class Resolved:
    """The rows whose references all resolved, the rejected ones with reasons."""

    frame: Frame
    rejects: list[Reject] = field(default_factory=list)
    staff_created: int = 0


class Resolver:
    """Resolves the references of one import's batches, in its session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._staff: dict[str, int | None] = {}
        self._products: dict[str, int | None] = {}

    def resolve(self, kind: str, frame: Frame) -> Resolved:
        """The batch's references resolved (kinds without references pass through)."""
        if kind == "transactions":
            return self.transactions(frame)
        if kind == "items":
            return self.items(frame)
        return Resolved(frame)

    def transactions(self, frame: Frame) -> Resolved:
        staff_created = self._create_missing_staff(frame)
        unknown: list[int] = []
        if (members := frame.refs.get("member_id")) is not None:
            customers = _customer_ids(self.session, _wanted(members))
            unknown = [i for i, m in enumerate(members) if m is not None and m not in customers]
            frame.values["customer_id"] = _looked_up(customers, members)
        if (workers := frame.refs.get("staff_id")) is not None:
            frame.values["staff_id"] = _looked_up(self._staff, workers)
        result = _without(frame, unknown, "unknown member_id {!r}", members)
        result.staff_created = staff_created
        return result

    def items(self, frame: Frame) -> Resolved:
        wanted = frame.refs["transaction_id"]
        sales = _ids(self.session, Transaction.transaction_id, Transaction.id, _wanted(wanted))
        ids = frame.values["transaction_id"] = _looked_up(sales, wanted)
        unknown = [i for i, sale in enumerate(ids) if sale is None] if None in ids else []
        if (products := frame.refs.get("product_id")) is not None:
            self._lookup(self._products, Product.product_id, Product.id, products)
            frame.values["product_id"] = _looked_up(self._products, products)
        return _without(frame, unknown, "unknown transaction_id {!r}", wanted)

    def _lookup(
        self,
        cache: dict[str, int | None],
        key: InstrumentedAttribute[str],
        pk: InstrumentedAttribute[int],
        named: list[str | None],
    ) -> set[str]:
        """Fill ``cache`` for the values ``named``; returns the ones not found."""
        missing = _wanted(named) - cache.keys()
        if len(cache) + len(missing) > CACHE_LIMIT:
            cache.clear()
            missing = _wanted(named)
        found = _ids(self.session, key, pk, missing)
        cache.update(dict.fromkeys(missing))
        cache.update(found)
        return missing - found.keys()

    def _create_missing_staff(self, frame: Frame) -> int:
        """Create the staff rows the batch names but the database lacks; how many."""
        workers = frame.refs.get("staff_id")
        if workers is None:
            return 0
        unknown = self._lookup(self._staff, Staff.staff_id, Staff.id, workers)
        if not unknown:
            return 0
        names: dict[str, str | None] = {}
        staff_names = frame.refs.get("staff_name") or [None] * len(workers)
        for worker, name in zip(workers, staff_names, strict=True):
            if worker in unknown:
                names.setdefault(worker, name)
        self.session.execute(insert(Staff), [_new_staff(s, n) for s, n in names.items()])
        self._staff.update(_ids(self.session, Staff.staff_id, Staff.id, unknown))
        return len(unknown)


def _without(
    frame: Frame, unknown: list[int], reason: str, named: list[str | None] | None
) -> Resolved:
    """The frame without the rows at ``unknown``, which are rejected with ``reason``."""
    if not unknown or named is None:
        return Resolved(frame)
    rejects = [(frame.lines[i], reason.format(named[i]), frame.cells[i]) for i in unknown]
    return Resolved(frame.without(unknown), rejects)


def _wanted(named: list[str | None]) -> set[str]:
    return {value for value in named if value is not None}


def _looked_up(ids: Mapping[str, int | None], named: list[str | None]) -> list[int | None]:
    """The id of each value named (None for a blank one, or one not in ``ids``)."""
    get = cast(Callable[[str | None], int | None], ids.get)  # None is no key: None
    return list(map(get, named))


def _ids(
    session: Session,
    key: InstrumentedAttribute[str],
    pk: InstrumentedAttribute[int],
    wanted: set[str],
) -> dict[str, int]:
    if not wanted:
        return {}
    query = select(key, pk).where(one_of(session, key, wanted))
    rows = session.connection().execute(query).all()  # Core: no ORM bookkeeping per row
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
