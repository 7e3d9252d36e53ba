"""Writing a demo dataset into the database: bulk Core inserts in chunks, ids assigned here so
that rows can reference each other without a round trip, search keys and E.164 phones computed
like every other writer does, and the cached customer analytics refreshed in the same database
transaction before it commits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from conductor.crm.keys import customer_search_keys
from conductor.crm.models import Customer, Product, Staff, Transaction, TransactionItem
from conductor.crm.phone import normalize_phone
from conductor.crm.stats import refresh_customer_stats
from conductor.demo.dataset import Batch, DemoData
from conductor.demo.names import HOUSE_BRAND
from conductor.demo.partners import seed_partners
from conductor.demo.spec import CLOSES_AT_MINUTE, DemoSpec, ProgressFn, Row, no_progress
from conductor.errors import InvalidInput
from conductor.loyalty.points import PointsRules

CHUNK = 5_000
SQLITE_CACHE_KIB = 256 * 1024
TABLES: dict[str, Table] = {
    "customers": Customer.__table__,  # type: ignore[dict-item]
    "staff": Staff.__table__,  # type: ignore[dict-item]
    "products": Product.__table__,  # type: ignore[dict-item]
    "transactions": Transaction.__table__,  # type: ignore[dict-item]
    "items": TransactionItem.__table__,  # type: ignore[dict-item]
}


def seed_database(
    sessions: sessionmaker[Session],
    spec: DemoSpec,
    *,
    region: str = "US",
    progress: ProgressFn = no_progress,
    rules: PointsRules | None = None,
) -> dict[str, int]:
    """Write the dataset for ``spec`` into an empty CRM; returns the rows written per table.

    Raises InvalidInput when the database already has customers (seed a fresh database)."""
    data = DemoData(spec)
    with sessions() as session, _roomy_cache(session):
        _require_no_customers(session)
        loader = _Loader(session, region)
        loader.catalog(data)
        for batch in data.batches():
            loader.batch(batch)
            progress("customers", loader.counts["customers"], spec.customers)
        progress("analytics", 0, 1)
        refresh_customer_stats(session, None)
        loader.advance_sequences()
        progress("analytics", 1, 1)
        progress("partners", 0, 1)
        partners = seed_partners(
            session,
            seed=spec.seed,
            now=spec.moment(spec.last_day, CLOSES_AT_MINUTE),
            rules=rules or PointsRules(brands=frozenset({HOUSE_BRAND.casefold()})),
        )
        session.commit()
        progress("partners", 1, 1)
    return loader.counts | {
        "dispensaries": partners.dispensaries,
        "budtenders": partners.budtenders,
        "receipts": partners.receipts,
        "points_ledger": partners.ledger_rows,
    }


@contextmanager
def _roomy_cache(session: Session) -> Iterator[None]:
    """SQLite: a page cache big enough for the indexes being filled, for this work only."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = session.scalar(text("PRAGMA cache_size"))
    session.execute(text(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}"))
    try:
        yield
    finally:
        session.rollback()  # nothing is pending after a commit; after an error, undo it all
        session.execute(text(f"PRAGMA cache_size={int(before or -2000)}"))


def _require_no_customers(session: Session) -> None:
    if session.scalar(select(func.count()).select_from(Customer)):
        raise InvalidInput(
            "the database already has customers; demo data goes into a fresh database "
            "(e.g. CONDUCTOR_DATABASE_URL=sqlite:///demo.db conductor db upgrade, then seed)"
        )


class _Loader:
    """Inserts rows, numbering each table's ids after the largest one already there."""

    def __init__(self, session: Session, region: str) -> None:
        self._session = session
        self._region = region
        self.counts = dict.fromkeys(TABLES, 0)
        self._next = {kind: self._max_id(table) + 1 for kind, table in TABLES.items()}
        self._staff: dict[str, int] = {}
        self._products: dict[str, int] = {}

    def catalog(self, data: DemoData) -> None:
        self._staff = self._insert("staff", map(dict, data.catalog.staff), "staff_id")
        stamp = data.spec.moment(data.spec.last_day, 8 * 60)
        products = ({**p, "updated_at": stamp} for p in data.catalog.products)
        self._products = self._insert("products", products, "product_id")

    def batch(self, batch: Batch) -> None:
        customers = self._insert("customers", map(self._customer, batch.customers), "member_id")
        sales = self._insert(
            "transactions",
            (self._transaction(t, customers) for t in batch.transactions),
            "transaction_id",
        )
        self._insert("items", (self._item(i, sales) for i in batch.items), None)

    def _insert(self, kind: str, rows: Iterable[Row], key: str | None) -> dict[str, int]:
        """Insert with ids assigned here; returns {value of the ``key`` column: id}."""
        ids: dict[str, int] = {}
        chunk: list[Row] = []
        next_id = self._next[kind]
        for row in rows:
            row["id"] = next_id
            if key is not None:
                ids[row[key]] = next_id
            next_id += 1
            chunk.append(row)
            if len(chunk) == CHUNK:
                self._write(kind, chunk)
                chunk = []
        self._write(kind, chunk)
        self._next[kind] = next_id
        return ids

    def _write(self, kind: str, chunk: list[Row]) -> None:
        if chunk:
            self._session.execute(insert(TABLES[kind]), chunk)
            self.counts[kind] += len(chunk)

    def _customer(self, row: Row) -> Row:
        e164 = normalize_phone(row["phone_raw"], self._region)
        keys = customer_search_keys(row["first_name"], row["last_name"], e164)
        return {**row, **keys, "phone": e164, "updated_at": row["created_at"]}

    def _transaction(self, row: Row, customers: dict[str, int]) -> Row:
        """The row with its references turned into ids (in place: a batch is written once)."""
        member = row.pop("member_id")
        row["customer_id"] = None if member is None else customers[member]
        row["staff_id"] = self._staff[row["staff_id"]]
        return row

    def _item(self, row: Row, sales: dict[str, int]) -> Row:
        row["transaction_id"] = sales[row["transaction_id"]]
        row["product_id"] = self._products[row["product_id"]]
        return row

    def _max_id(self, table: Table) -> int:
        return int(self._session.scalar(select(func.max(table.c.id))) or 0)

    def advance_sequences(self) -> None:
        """PostgreSQL: move each id sequence past the ids given here."""
        if self._session.get_bind().dialect.name != "postgresql":
            return
        for table in TABLES.values():
            self._session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}), "
                    f"(SELECT MAX(id) IS NOT NULL FROM {table.name}))"
                )
            )
