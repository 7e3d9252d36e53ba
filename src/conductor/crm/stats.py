"""Cached per-customer analytics, recomputed from transactions, never typed in.

``customers.visit_count``, ``lifetime_value``, ``first_visit_at`` and ``last_visit_at`` are a cache
for speed (search results, the win-back queue). Every service function that adds, moves or removes
transactions calls :func:`refresh_customer_stats` for the customers it touched, inside the same
database transaction, so the cache commits or rolls back with the data it derives from.
:func:`stale_customer_ids` recomputes everything and lists any customer whose cache disagrees;
``conductor check`` and the tests use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from conductor.crm.models import Customer, Transaction

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
    """Recompute the cache for these customers (all customers when ``customer_ids`` is None)."""
    values = _computed_columns()
    if customer_ids is None:
        session.execute(
            update(Customer).values(values), execution_options={"synchronize_session": False}
        )
        session.expire_all()
        return
    ids = sorted({i for i in customer_ids if i is not None})
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(
            update(Customer).where(Customer.id.in_(chunk)).values(values),
            execution_options={"synchronize_session": False},
        )
    if ids:
        session.expire_all()


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
    rows = session.execute(
        select(
            Customer.id,
            Customer.visit_count,
            Customer.lifetime_value,
            Customer.first_visit_at,
            Customer.last_visit_at,
            agg.c.visits,
            agg.c.ltv,
            agg.c.first,
            agg.c.last,
        ).outerjoin(agg, agg.c.cid == Customer.id)
    )
    stale: list[int] = []
    cent = Decimal("0.01")
    for cid, visits, ltv, first, last, c_visits, c_ltv, c_first, c_last in rows:
        expected = (c_visits or 0, Decimal(c_ltv or 0).quantize(cent), c_first, c_last)
        cached = (visits, Decimal(ltv or 0).quantize(cent), first, last)
        if expected != cached:
            stale.append(cid)
            if len(stale) >= limit:
                break
    return stale
