"""Cached per-customer analytics, recomputed from transactions, never typed in.

``customers.visit_count``, ``lifetime_value``, ``first_visit_at`` and ``last_visit_at`` are a cache
for speed (search results, the win-back queue), and ``lapse_day`` and ``win_back_value`` are
derived from those four for the win-back queue (:mod:`conductor.crm.winback`). Every service
function that adds, moves or removes transactions calls :func:`refresh_customer_stats` for the
customers it touched, inside the same database transaction, so the cache commits or rolls back
with the data it derives from. :func:`stale_customer_ids` recomputes everything and lists any
customer whose cache disagrees; ``conductor check`` and the tests use it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from conductor.crm.models import Customer, Transaction
from conductor.crm.winback import cached_columns, expected_columns

_CHUNK = 500


def _computed_columns() -> dict[str, object]:
    t = Transaction
    of_customer = t.customer_id == Customer.id
    return {
        "visit_count": select(func.count(t.id)).where(of_customer).scalar_subquery(),
        "lifetime_value": select(func.coalesce(func.sum(t.total), 0))
        .where(of_customer)
        .scalar_subquery(),
        "first_visit_at": select(func.min(t.occurred_at)).where(of_customer).scalar_subquery(),
        "last_visit_at": select(func.max(t.occurred_at)).where(of_customer).scalar_subquery(),
    }


def refresh_customer_stats(session: Session, customer_ids: Iterable[int | None] | None) -> None:
    """Recompute the cache for these customers (all customers when ``customer_ids`` is None).

    Two statements each time: the win-back columns are computed from the new values of the
    other four, which the statement that writes those does not see yet."""
    if customer_ids is None:
        _update(session, [], _computed_columns())
        _update(session, [], cached_columns())
        session.expire_all()
        return
    ids = sorted({i for i in customer_ids if i is not None})
    for start in range(0, len(ids), _CHUNK):
        chunk = [Customer.id.in_(ids[start : start + _CHUNK])]
        _update(session, chunk, _computed_columns())
        _update(session, chunk, cached_columns())
    if ids:
        session.expire_all()


def _update(
    session: Session, where: Sequence[ColumnElement[bool]], values: Mapping[str, Any]
) -> None:
    session.execute(
        update(Customer).where(*where).values(values),
        execution_options={"synchronize_session": False},
    )


def stale_customer_ids(session: Session, limit: int = 100) -> list[int]:
    """Customers whose cached analytics differ from what their transactions say."""
    t = Transaction
    agg = (
        select(
            t.customer_id.label("cid"),
            func.count(t.id).label("visits"),
            func.sum(t.total).label("ltv"),
            func.max(t.occurred_at).label("last"),
            func.min(t.occurred_at).label("first"),
        )
        .where(t.customer_id.is_not(None))
        .group_by(t.customer_id)
        .subquery()
    )
    c = Customer
    rows = session.execute(
        select(
            c.id, c.visit_count, c.lifetime_value, c.first_visit_at, c.last_visit_at,
            c.lapse_day, c.win_back_value, agg.c.visits, agg.c.ltv, agg.c.first, agg.c.last,
        ).outerjoin(agg, agg.c.cid == c.id)
    )  # fmt: skip
    stale: list[int] = []
    cent = Decimal("0.01")
    for cid, visits, ltv, first, last, lapse, value, c_visits, c_ltv, c_first, c_last in rows:
        expected = (c_visits or 0, Decimal(c_ltv or 0).quantize(cent), c_first, c_last)
        cached = (visits, Decimal(ltv or 0).quantize(cent), first, last)
        derived = zip(expected_columns(*expected), (lapse, value), strict=True)
        if expected != cached or not all(_close(want, got) for want, got in derived):
            stale.append(cid)
            if len(stale) >= limit:
                break
    return stale


def _close(want: float | None, got: float | None) -> bool:
    """Equal but for rounding (SQLite's date functions count milliseconds)."""
    if want is None or got is None:
        return want is got
    return math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-6)
