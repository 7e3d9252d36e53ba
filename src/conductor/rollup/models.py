"""Sales and messages per quarter hour, customers per tier: caches the dashboard's cards read.

Each row counts one *slot*, a quarter hour of UTC time numbered from the Unix epoch
(``slot = seconds since 1970-01-01 UTC // 900``, see :mod:`conductor.rollup.slots`). A chart of
the last N local days adds up the slots between each local midnight and the next, so the shop's
time zone is applied when reading, never when writing: changing ``CONDUCTOR_TIMEZONE`` (or a
daylight-saving change) needs no rebuild. Every UTC offset in use since 1990 is a whole number of
quarter hours, so every local midnight is a slot boundary (a test checks all IANA zones). 90 days
are at most 8,640 slots, whatever the number of sales.

Kept by triggers, not by the service functions. Migration 0007 installs, on SQLite and
PostgreSQL alike, row triggers on ``transactions`` (insert, delete, update of ``occurred_at`` or
``total``) and ``messages`` (insert, delete, update of ``created_at`` or ``direction``) that add
and subtract each row's share with an upsert. So a rollup commits or rolls back with the
statement that changed its base table, and no writer can forget it: the CRM and messaging
services, the CSV importer's bulk ``executemany``, the demo seed, merges, the gateway and plain
SQL are all covered, where per-writer calls (the pattern of :mod:`conductor.crm.stats`) would have
to be repeated in eight places. Adding counts (rather than recomputing a slot from its base
table, as ``crm.stats`` does per customer) is also what stays exact when two PostgreSQL
transactions write the same slot at once: the second upsert waits for the first and adds to its
committed row. Revenue is kept in whole cents (``BIGINT``), so adding and subtracting is exact
on both databases (SQLite would otherwise sum floats).

The price, on PostgreSQL: an upsert locks its slot's row until the transaction ends, so writers
of the same quarter hour queue behind each other (for milliseconds: a sale, a text; a bulk
import holds the slots it wrote until it commits, every 50,000 rows), and two bulk loads of
overlapping periods running at once can deadlock, which PostgreSQL ends by failing one of them
(imports are idempotent: run it again). SQLite has one writer at a time anyway.

What could still make a rollup drift is a schema change that drops the triggers (on SQLite,
Alembic's batch mode recreates a table, and its triggers go with it: such a migration must
create them again). :func:`conductor.rollup.service.problems` (run by ``conductor check``) names
missing triggers and any slot that disagrees with its base table;
:func:`conductor.rollup.service.rebuild` (``conductor db refresh-rollups``, and the migration's
backfill) recomputes both tables from scratch.

Customers per tier are one row of counts, kept by triggers on ``customers`` in the same way;
:mod:`conductor.rollup.tiers` says how (and why it is one row, deferred to the commit on
PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from conductor.store.base import Base


class SalesSlot(Base):
    """Sales and their revenue in one quarter hour (by ``transactions.occurred_at``)."""

    __tablename__ = "sales_rollup"

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sales: Mapped[int] = mapped_column(Integer, server_default="0")
    revenue_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")


class MessageSlot(Base):
    """Messages created in one quarter hour, per direction (by ``messages.created_at``)."""

    __tablename__ = "message_rollup"

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    direction: Mapped[str] = mapped_column(String(10), primary_key=True)
    messages: Mapped[int] = mapped_column(Integer, server_default="0")


class TierCounts(Base):
    """How many customers (merged ones left out) each VIP tier has: one row, ``id`` 1, kept by
    the triggers of :mod:`conductor.rollup.tiers` (migration 0010)."""

    __tablename__ = "tier_rollup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    new_count: Mapped[int] = mapped_column(Integer, server_default="0")
    bronze_count: Mapped[int] = mapped_column(Integer, server_default="0")
    silver_count: Mapped[int] = mapped_column(Integer, server_default="0")
    gold_count: Mapped[int] = mapped_column(Integer, server_default="0")
    platinum_count: Mapped[int] = mapped_column(Integer, server_default="0")
