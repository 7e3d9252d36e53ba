"""Console benchmark: server time p50/p99 of the main pages and API calls at scale 10.

    .venv/bin/python bench/web.py                         # SQLite and PostgreSQL
    .venv/bin/python bench/web.py --db sqlite --samples 100
    .venv/bin/python bench/web.py --db sqlite --url sqlite:///var/bench/other.db

Requests go through the real app (``create_app``) in-process with starlette's TestClient:
routing, session and token auth, templates and the database, no network. Inputs are random real
ones (name prefixes, customers with sales, their sales, products, filters).

Databases (seeded once, slow, by hand; see bench/README.md):
  SQLite      var/bench/web10.db: ``conductor demo seed --scale 10 --end-date 2026-05-01``
              (or a copy of such a database), then ``conductor db upgrade``
  PostgreSQL  conductor_bench_web10, seeded the same way
The demo seeds no texts, so the first run adds 60,000 messages over the last 120 days (500 a
day, one in three received). "Now" is pinned to the evening of the newest sale, so the
dashboard's windows hold a full month and quarter of sales.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).parent))
from conductor.accounts import service as accounts
from conductor.config import load_settings
from conductor.crm.models import Customer, Product, Transaction
from conductor.errors import NotFound
from conductor.messaging.models import Message
from conductor.store import make_engine, make_sessionmaker
from conductor.web.app import create_app
from conductor.web.deps import now
from timing import Latency, measure

ROOT = Path(__file__).parents[1]
URLS = {
    "sqlite": f"sqlite:///{ROOT / 'var' / 'bench' / 'web10.db'}",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/conductor_bench_web10",
}
USER, PASSWORD = "bench", "bench password 10"
FLOOR_MS = 100.0
MESSAGES, MESSAGE_DAYS = 60_000, 120


def add_messages(sessions: sessionmaker[Session], end: datetime) -> None:
    """Synthetic texts for the dashboard (bench data only: written with plain INSERTs)."""
    with sessions.begin() as s:
        if s.scalar(select(func.count(Message.id))):
            return
        print(f"  adding {MESSAGES:,} messages ...", flush=True)
        rng = random.Random(3)
        rows = []
        for n in range(MESSAGES):
            when = end - timedelta(seconds=rng.uniform(0, MESSAGE_DAYS * 86400))
            inbound = n % 3 == 0
            rows.append({
                "phone_number": f"+1213555{n % 10000:04d}", "content": "Bench text",
                "direction": "inbound" if inbound else "outbound",
                "status": "read" if inbound else "delivered", "channel": "sms",
                "created_at": when, "updated_at": when,
                "dedup_key": f"bench-{n}" if inbound else None,
            })  # fmt: skip
        for start in range(0, len(rows), 5000):
            s.execute(insert(Message), rows[start : start + 5000])


def planner_statistics(engine: Engine) -> None:
    """SQLite plans without statistics until ANALYZE runs; PostgreSQL's autovacuum keeps them
    (VACUUM also sets the visibility map that index-only scans need)."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            if conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE name='sqlite_stat1'"
            ).first():
                return
            print("  ANALYZE (the database had no planner statistics) ...", flush=True)
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def bench_user(sessions: sessionmaker[Session]) -> str:
    """A manager to log in as, and an API token (a new one each run)."""
    with sessions.begin() as s:
        try:
            user = accounts.get_user(s, USER)
        except NotFound:
            user = accounts.create_user(s, USER, PASSWORD, "manager")
        return accounts.create_token(s, user, "bench")


def inputs(sessions: sessionmaker[Session], samples: int) -> dict[str, list[Any]]:
    rng = random.Random(7)
    with sessions() as s:
        top = s.scalar(select(func.max(Customer.id))) or 1
        picked = s.execute(
            select(Customer.id, Customer.member_id, Customer.first_name, Customer.last_name)
            .where(Customer.id.in_([rng.randint(1, top) for _ in range(samples * 2)]))
            .where(Customer.visit_count > 0, Customer.merged_into_id.is_(None))
            .limit(samples)
        ).all()  # fmt: skip
        top_tx = s.scalar(select(func.max(Transaction.id))) or 1
        brands = list(s.scalars(select(Product.brand).distinct().where(Product.brand.is_not(None))))
    names = [(c[2] if i % 2 else c[3])[: rng.randint(2, 4)] for i, c in enumerate(picked)]
    sorts = ["name", "price", "thc", "stock"]
    filtered = [f"?brand={rng.choice(brands)}&sort={rng.choice(sorts)}" for _ in range(samples)]
    paged = [f"?page={rng.randint(1, 30)}" for _ in range(samples)]
    products = [filtered[i] if i % 2 else paged[i] for i in range(samples)]
    return {
        "names": names,
        "customers": [c[0] for c in picked],
        "members": [c[1] for c in picked],
        "transactions": [rng.randint(1, top_tx) for _ in range(samples)],
        "products": products,
    }


def login(client: TestClient) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on /login"
    form = {"username": USER, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def get(client: TestClient, path: str, headers: dict[str, str] | None = None) -> None:
    response = client.get(path, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:200]}")


def run(url: str, samples: int) -> list[Latency]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with sessions() as s:
        newest = s.scalar(select(func.max(Transaction.occurred_at)))
    assert newest is not None, f"{url} has no sales: seed it first (see the docstring)"
    end = newest.replace(hour=23, minute=0, second=0)
    add_messages(sessions, end)
    planner_statistics(engine)
    try:
        return measure_all(sessions, url, samples, end)
    finally:
        engine.dispose()


def measure_all(
    sessions: sessionmaker[Session], url: str, samples: int, end: datetime
) -> list[Latency]:
    token = {"Authorization": f"Bearer {bench_user(sessions)}"}
    data = inputs(sessions, samples)
    app = create_app(load_settings(database_url=url, secret_key="b" * 40), sessions)
    app.dependency_overrides[now] = lambda: end
    few = list(range(max(20, samples // 5)))
    with TestClient(app) as client:
        login(client)
        results = [
            measure("customers search partial", data["names"],
                    lambda q: get(client, f"/customers/search?q={q}")),
            measure("customer context panel", data["customers"],
                    lambda c: get(client, f"/customers/{c}/panel")),
            measure("transactions partial", data["customers"],
                    lambda c: get(client, f"/customers/{c}/transactions")),
            measure("items partial", data["transactions"],
                    lambda t: get(client, f"/customers/transactions/{t}/items")),
            measure("products page", data["products"],
                    lambda q: get(client, f"/products{q}")),
            measure("dashboard page", few, lambda _: get(client, "/dashboard")),
            measure("dashboard revenue 30 d", few, lambda _: get(client, "/dashboard/revenue")),
            measure("dashboard revenue 90 d", few,
                    lambda _: get(client, "/dashboard/revenue?days=90")),
            measure("dashboard messages 30 d", few, lambda _: get(client, "/dashboard/messages")),
            measure("dashboard tiers", few, lambda _: get(client, "/dashboard/tiers")),
            measure("dashboard win-back", few, lambda _: get(client, "/dashboard/win-back")),
            measure("API search", data["names"],
                    lambda q: get(client, f"/api/v1/customers?q={q}", token)),
            measure("API context", data["members"],
                    lambda m: get(client, f"/api/v1/customers/{m}/context", token)),
        ]  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=sorted(URLS), action="append")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--url", help="another database than the default one (with one --db)")
    args = parser.parse_args()
    dbs = args.db or ["sqlite", "postgresql"]
    if args.url and len(dbs) != 1:
        parser.error("--url needs exactly one --db")
    for db in dbs:
        url = args.url or URLS[db]
        print(f"\n== {db}: {url} (load average {os.getloadavg()[0]:.2f})", flush=True)
        results = run(url, args.samples)
        for result in results:
            flag = "" if result.p99_ms < FLOOR_MS else f"   OVER the {FLOOR_MS:.0f} ms floor"
            print("  " + result.row() + flag, flush=True)
        print(f"  (load average {os.getloadavg()[0]:.2f} at the end)", flush=True)


if __name__ == "__main__":
    main()
