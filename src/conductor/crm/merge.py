"""Merging duplicate customers into one survivor.

:func:`merge_customers` does everything in the session's one database transaction and flushes;
like every CRM service function it does not commit, the caller does (the CLI through
``session_scope``), so the moved transactions, the survivor's new values, the audit rows and the
refreshed analytics commit or roll back together. What a merge does:

- every transaction of the merged customers moves to the survivor;
- the survivor's blank fields are filled from the merged customers, in the order given; a
  non-blank survivor value is never overwritten. ``phone`` and ``phone_raw`` travel together:
  when the survivor has no usable phone (``phone`` is NULL) both come from one record;
- loyalty points are added to the survivor's; the merged records keep 0, so points are never
  counted twice (their audit snapshot keeps the old balance);
- consent, for SMS and e-mail alike, is combined the most restrictive way:
  a record's decision counts when it has a consent time or source (or is an opt-in); the survivor
  stays opted in only if no merged record holds an opt-out that is later than the survivor's
  own decision, at the same time, or of unknown time (an opt-in of unknown time loses to any
  recorded opt-out). A merge never opts anyone in: opt-ins of merged records are not carried
  over. When a newer opt-out wins, its source and time are copied to the survivor;
- one ``customer_merges`` audit row per merged customer holds a JSON snapshot of its full record
  (all columns, dates as ISO strings, Decimals as strings) and the count of transactions moved;
- the merged customers get ``merged_into_id`` and stay in the table (left out of searches and
  duplicate reports; :func:`resolve_survivor` redirects a later lookup of their member id).
  Customers merged earlier into one of them are re-pointed to the new survivor, so a chain is
  never longer than one step;
- the cached analytics of everyone involved are refreshed.

A merged customer is claimed with a compare-and-set (``... WHERE merged_into_id IS NULL``) and
the rows are locked on PostgreSQL, so two concurrent merges of one customer cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import CursorResult, func, inspect, select, update
from sqlalchemy.orm import Session

from conductor.crm.dedupe import DuplicateGroup
from conductor.crm.keys import customer_search_keys
from conductor.crm.models import Customer, CustomerMerge, Transaction
from conductor.crm.stats import refresh_customer_stats
from conductor.errors import InvalidInput, MergeError, NotFound
from conductor.messaging.models import Message

FILLABLE = (
    "first_name",
    "last_name",
    "email",
    "date_of_birth",
    "member_group",
    "marketing_source",
    "state",
    "zip_code",
    "date_joined",
)
MAX_REASON = 200
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class MergeResult:
    survivor_id: int
    survivor_member_id: str
    merged_ids: tuple[int, ...]
    merged_member_ids: tuple[str, ...]
    transactions_moved: int
    filled_fields: tuple[str, ...]
    loyalty_points: int
    sms_consent: bool


def merge_customers(
    session: Session,
    survivor_id: int,
    merged_ids: Iterable[int],
    *,
    reason: str,
    confidence: float | None = None,
    merged_by: str = "cli",
) -> MergeResult:
    """Merge the customers ``merged_ids`` into ``survivor_id`` (database ids; see module doc)."""
    ids = _checked_ids(survivor_id, merged_ids, reason, confidence)
    survivor, merged = _load(session, survivor_id, ids)
    snapshots = {m.id: customer_snapshot(m) for m in merged}
    _claim(session, survivor, merged)
    moved = _move_transactions(session, survivor.id, ids)
    filled = _fill_blanks(survivor, merged)
    for channel in ("sms", "email"):
        _combine_consent(survivor, merged, channel)
    _move_points(survivor, merged)
    session.add_all(
        CustomerMerge(
            survivor_id=survivor.id,
            merged_id=m.id,
            merged_member_id=m.member_id,
            reason=reason.strip(),
            confidence=None if confidence is None else Decimal(f"{confidence:.3f}"),
            transactions_moved=moved[m.id],
            snapshot=snapshots[m.id],
            merged_by=merged_by,
        )
        for m in merged
    )
    result = MergeResult(
        survivor_id=survivor.id,
        survivor_member_id=survivor.member_id,
        merged_ids=tuple(ids),
        merged_member_ids=tuple(m.member_id for m in merged),
        transactions_moved=sum(moved.values()),
        filled_fields=tuple(filled),
        loyalty_points=survivor.loyalty_points,
        sms_consent=survivor.sms_consent,
    )
    session.flush()
    refresh_customer_stats(session, [survivor.id, *ids])
    return result


def merge_members(
    session: Session,
    survivor_member_id: str,
    merged_member_ids: Sequence[str],
    **options: Any,
) -> MergeResult:
    """:func:`merge_customers` by member ids (as people and POS exports name customers)."""
    found = customers_by_member_id(session, [survivor_member_id, *merged_member_ids])
    return merge_customers(session, found[0].id, [c.id for c in found[1:]], **options)


def merge_group(
    session: Session, group: DuplicateGroup, *, reason: str | None = None, merged_by: str = "cli"
) -> MergeResult:
    """Merge a duplicate group into its suggested survivor, with its reasons and confidence."""
    return merge_customers(
        session,
        group.survivor.customer_id,
        [m.customer_id for m in group.others],
        reason=reason or f"duplicates ({', '.join(group.reasons)}), group {group.key}",
        confidence=group.confidence,
        merged_by=merged_by,
    )


def customers_by_member_id(session: Session, member_ids: Sequence[str]) -> list[Customer]:
    """These customers, in the order asked (merged ones too); NotFound names any unknown id."""
    rows = session.scalars(select(Customer).where(Customer.member_id.in_(member_ids)))
    found = {c.member_id: c for c in rows}
    missing = [m for m in member_ids if m not in found]
    if missing:
        raise NotFound(f"no customer with member id {', '.join(missing)}")
    return [found[m] for m in member_ids]


def resolve_survivor(session: Session, customer: Customer) -> Customer:
    """The customer a merged record now lives on (the customer itself when not merged)."""
    seen = {customer.id}
    while customer.merged_into_id is not None:
        customer = session.get_one(Customer, customer.merged_into_id)
        if customer.id in seen:
            raise MergeError(f"merge chain of customer {customer.member_id} is a loop")
        seen.add(customer.id)
    return customer


def customer_snapshot(customer: Customer) -> dict[str, Any]:
    """Every column of ``customer`` as JSON values (ISO dates, Decimals as strings)."""
    return {
        attr.key: _jsonable(getattr(customer, attr.key)) for attr in inspect(Customer).column_attrs
    }


def _jsonable(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _checked_ids(
    survivor_id: int, merged_ids: Iterable[int], reason: str, confidence: float | None
) -> list[int]:
    ids = list(dict.fromkeys(merged_ids))
    if not ids:
        raise MergeError("nothing to merge: give at least one customer besides the survivor")
    if survivor_id in ids:
        raise MergeError(f"customer {survivor_id} cannot be merged into itself")
    if not reason.strip() or len(reason.strip()) > MAX_REASON:
        raise InvalidInput(f"a merge needs a reason of 1 to {MAX_REASON} characters")
    if confidence is not None and not 0.0 <= confidence <= 1.0:
        raise InvalidInput(f"confidence must be between 0 and 1, not {confidence}")
    return ids


def _load(session: Session, survivor_id: int, ids: list[int]) -> tuple[Customer, list[Customer]]:
    wanted = [survivor_id, *ids]
    stmt = (
        select(Customer)
        .where(Customer.id.in_(wanted))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found = {c.id: c for c in session.scalars(stmt)}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise NotFound(f"no customer with id {', '.join(missing)}")
    survivor, merged = found[survivor_id], [found[i] for i in ids]
    if survivor.merged_into_id is not None:
        real = resolve_survivor(session, survivor).member_id
        raise MergeError(
            f"customer {survivor.member_id} was itself merged into {real}: merge into {real}"
        )
    for m in merged:
        if m.merged_into_id is not None:
            real = resolve_survivor(session, m).member_id
            raise MergeError(f"customer {m.member_id} was already merged into {real}")
    return survivor, merged


def _claim(session: Session, survivor: Customer, merged: list[Customer]) -> None:
    """Compare-and-set ``merged_into_id``; re-point earlier merges of these customers."""
    ids = [m.id for m in merged]
    claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Customer)
        .where(Customer.id.in_(ids), Customer.merged_into_id.is_(None))
        .values(merged_into_id=survivor.id),
        execution_options={"synchronize_session": False},
    )
    if claimed.rowcount != len(ids):
        raise MergeError("another merge took some of these customers first; run the report again")
    session.execute(
        update(Customer).where(Customer.merged_into_id.in_(ids)).values(merged_into_id=survivor.id),
        execution_options={"synchronize_session": False},
    )
    for m in merged:
        m.merged_into_id = survivor.id


def _move_transactions(session: Session, survivor_id: int, ids: list[int]) -> dict[int, int]:
    counts = dict.fromkeys(ids, 0)
    rows = session.execute(
        select(Transaction.customer_id, func.count(Transaction.id))
        .where(Transaction.customer_id.in_(ids))
        .group_by(Transaction.customer_id)
    )
    for customer_id, count in rows:
        if customer_id is not None:
            counts[customer_id] = count
    for table in (Transaction, Message):  # every row that points at a customer follows
        session.execute(
            update(table).where(table.customer_id.in_(ids)).values(customer_id=survivor_id),
            execution_options={"synchronize_session": False},
        )
    return counts


def _move_points(survivor: Customer, merged: list[Customer]) -> None:
    survivor.loyalty_points = (survivor.loyalty_points or 0) + sum(
        m.loyalty_points or 0 for m in merged
    )
    for m in merged:
        m.loyalty_points = 0


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fill_blanks(survivor: Customer, merged: list[Customer]) -> list[str]:
    filled: list[str] = []
    for donor in merged:
        if survivor.phone is None and donor.phone is not None:
            survivor.phone, survivor.phone_raw = donor.phone, donor.phone_raw
            filled.append("phone")
        for name in FILLABLE:
            value = getattr(donor, name)
            if _blank(getattr(survivor, name)) and not _blank(value):
                setattr(survivor, name, value)
                filled.append(name)
    keys = customer_search_keys(survivor.first_name, survivor.last_name, survivor.phone)
    for name, value in keys.items():
        setattr(survivor, name, value)
    return filled


class _Decision(NamedTuple):
    granted: bool
    source: str | None
    at: datetime | None


def _decision(customer: Customer, channel: str) -> _Decision | None:
    granted = bool(getattr(customer, f"{channel}_consent"))
    source = getattr(customer, f"{channel}_consent_source")
    at = getattr(customer, f"{channel}_consent_at")
    if not granted and source is None and at is None:
        return None
    return _Decision(granted, source, at)


def _combine_consent(survivor: Customer, merged: list[Customer], channel: str) -> None:
    """The restrictive consent rule of the module docstring, for one channel."""
    outs = [d for d in (_decision(m, channel) for m in merged) if d and not d.granted]
    if not outs:
        return
    latest = max(outs, key=lambda d: (d.at is None, d.at or _EPOCH))
    mine = _decision(survivor, channel)
    if (
        mine is None
        or (mine.granted and not _newer(mine.at, latest.at))
        or (not mine.granted and _newer(latest.at, mine.at))
    ):
        setattr(survivor, f"{channel}_consent", False)
        setattr(survivor, f"{channel}_consent_source", latest.source)
        setattr(survivor, f"{channel}_consent_at", latest.at)


def _newer(a: datetime | None, b: datetime | None) -> bool:
    """``a`` is known to be strictly later than ``b`` (unknown times never are)."""
    return a is not None and b is not None and a > b
