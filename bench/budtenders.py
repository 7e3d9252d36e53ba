"""X viewer benchmark: server time p50/p99 of /budtenders and its partials at the old system's size.

    .venv/bin/python bench/budtenders.py                    # SQLite and PostgreSQL
    .venv/bin/python bench/budtenders.py --db sqlite --samples 100 --receipts 20000

A fresh database each run (``conductor_bench_budtenders``; SQLite under var/bench/), migrated to
head and filled with plain INSERTs: 112 partner dispensaries, 524 budtenders, approved receipts
over the last 120 days with their ledger rows (10 points a dollar), a few manual adjustments,
and receipts still in review or rejected (which must not count). Requests go through the real
app in-process (starlette's TestClient, logged in as a manager), like bench/web.py; inputs are
random real ones (name prefixes, filters, sorts, pages, budtenders).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).parent))
from conductor.accounts import service as accounts
from conductor.budtenders.models import Budtender, Dispensary
from conductor.config import load_settings
from conductor.crm.keys import fold
from conductor.loyalty.models import APPROVED, REJECTED, REVIEW, PointsEntry, Receipt
from conductor.store import make_engine, make_sessionmaker, migrate
from conductor.web.app import create_app
from conductor.web.deps import now
from databases import empty_database
from timing import Latency, measure

ROOT = Path(__file__).parents[1]
WORK = ROOT / "var" / "bench"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
NAME = "conductor_bench_budtenders"
DISPENSARIES, BUDTENDERS, DAYS = 112, 524, 120
END = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
USER, PASSWORD = "bench", "bench password 10"
FLOOR_MS = 100.0
FIRST = ["Ana", "Ben", "Cruz", "Dee", "Eli", "Fay", "Gus", "Ivy", "Jo", "Kai", "Lou", "Mia",
         "Noa", "Oli", "Pat", "Ray", "Sam", "Tess", "Uma", "Val", "Wes", "Zoe"]  # fmt: skip
LAST = ["Reyes", "Cole", "Ortiz", "Nguyen", "Patel", "Kim", "Lopez", "Chen", "Baker", "Vega",
        "Rossi", "Okafor", "Silva", "Wong", "Diaz", "Moore"]  # fmt: skip
SHOP = ["Green", "Golden", "Harbor", "Canyon", "Sunset", "Pacific", "Emerald", "Coastal"]
KIND = ["Leaf", "Collective", "Cannabis Co", "Dispensary", "Wellness", "Remedies", "Garden"]


def seed(sessions: sessionmaker[Session], receipts: int) -> None:
    """The partner network with plain INSERTs (bench data only)."""
    rng = random.Random(5)
    with sessions.begin() as s:
        shops = [f"{SHOP[i % 8]} {KIND[i // 8 % 7]} {i // 56 + 1}" for i in range(DISPENSARIES)]
        s.execute(insert(Dispensary), [{"name": n, "name_key": fold(n), "state": "CA"}
                                       for n in shops])  # fmt: skip
        shop_ids = list(s.scalars(select(Dispensary.id)))
        people = []
        for n in range(BUDTENDERS):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            status = "inactive" if n % 17 == 0 else "new" if n % 23 == 0 else "active"
            people.append({
                "dispensary_id": rng.choice(shop_ids), "first_name": first, "last_name": last,
                "name_key": fold(f"{first} {last}"), "phone": f"+1213{n:07d}",
                "email": f"{first.lower()}.{n}@partner.example",
                "instagram": f"{first.lower()}{n}" if n % 3 else None, "status": status,
            })  # fmt: skip
        s.execute(insert(Budtender), people)
        bud_ids = list(s.scalars(select(Budtender.id)))
        _receipts(s, rng, bud_ids, receipts)


def _receipts(s: Session, rng: random.Random, bud_ids: list[int], count: int) -> None:
    busy = bud_ids[: len(bud_ids) * 3 // 4]  # a quarter of them never sold a receipt
    rows, ledger = [], []
    for n in range(count):
        at = END - timedelta(seconds=rng.uniform(0, DAYS * 86400))
        status = APPROVED if n % 10 else rng.choice([REVIEW, REJECTED])
        spend = Decimal(rng.randint(15, 180))
        rows.append({"status": status, "submitted_at": at, "budtender_id": rng.choice(busy),
                     "qualifying_spend": spend, "image_sha256": f"{n:064x}"})  # fmt: skip
    s.execute(insert(Receipt), rows)
    for rid, bid, status, at, spend in s.execute(
        select(Receipt.id, Receipt.budtender_id, Receipt.status, Receipt.submitted_at,
               Receipt.qualifying_spend)
    ):  # fmt: skip
        if status == APPROVED:
            ledger.append({"budtender_id": bid, "receipt_id": rid, "amount": int(spend) * 10,
                           "reason": "receipt", "created_by": "desk",
                           "created_at": at})  # fmt: skip
    for _ in range(count // 20):
        ledger.append({"budtender_id": rng.choice(bud_ids), "amount": rng.choice([-200, 100, 500]),
                       "reason": "adjustment", "note": "bench", "created_by": "mia",
                       "created_at": END - timedelta(days=rng.uniform(0, DAYS))})  # fmt: skip
    s.execute(insert(PointsEntry), ledger)


def inputs(sessions: sessionmaker[Session], samples: int) -> dict[str, list[Any]]:
    rng = random.Random(7)
    with sessions() as s:
        buds = s.execute(select(Budtender.id, Budtender.first_name, Budtender.last_name)).all()
        shops = list(s.scalars(select(Dispensary.id)))
    picked = [rng.choice(buds) for _ in range(samples)]
    names = [(b[1] if i % 2 else b[2])[: rng.randint(1, 3)] for i, b in enumerate(picked)]
    sorts = ["name", "dispensary", "tier", "points", "receipts", "sales", "last_activity"]
    filters = [rng.choice(["tier=Silver", "tier=Gold", "activity=30d", "activity=inactive",
                           f"dispensary={rng.choice(shops)}", "status=new", ""])
               + f"&sort={rng.choice(sorts)}&dir={rng.choice(['asc', 'desc'])}"
               + f"&page={rng.randint(1, 8)}" for _ in range(samples)]  # fmt: skip
    return {"names": names, "filters": filters, "budtenders": [b[0] for b in picked]}


def login(client: TestClient) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token, "no CSRF token on /login"
    form = {"username": USER, "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def get(client: TestClient, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:200]}")


def timed(name: str, inputs: list[Any], call: Callable[[Any], object]) -> tuple[Latency, float]:
    """Latency, and the mean CPU time of this process per request: on a busy machine the wall
    time counts waiting for a core, the CPU time does not (for PostgreSQL it leaves out the
    server's own work)."""
    start = time.process_time()
    latency = measure(name, inputs, call, warmup=0)
    return latency, (time.process_time() - start) * 1000 / len(inputs)


def run(db: str, samples: int, receipts: int) -> list[tuple[Latency, float]]:
    url = empty_database(db, NAME, PG_ADMIN, WORK)
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    print(f"  seeding {DISPENSARIES} dispensaries, {BUDTENDERS} budtenders, {receipts:,} "
          "receipts ...", flush=True)  # fmt: skip
    seed(sessions, receipts)
    with sessions.begin() as s:
        accounts.create_user(s, USER, PASSWORD, "manager")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE" if db == "sqlite" else "VACUUM ANALYZE")
    data = inputs(sessions, samples)
    app = create_app(load_settings(database_url=url, secret_key="b" * 40), sessions)
    app.dependency_overrides[now] = lambda: END
    few = list(range(max(20, samples // 5)))
    try:
        with TestClient(app) as client:
            login(client)
            for path in ("/budtenders", "/budtenders/table", "/budtenders/leaderboard"):
                get(client, path)  # warm: templates compiled, statements cached
            return [
                timed("budtenders page", data["filters"],
                      lambda q: get(client, f"/budtenders?{q}")),
                timed("table: search as you type", data["names"],
                      lambda q: get(client, f"/budtenders/table?q={q}")),
                timed("table: filter, sort, page", data["filters"],
                      lambda q: get(client, f"/budtenders/table?{q}")),
                timed("budtender panel", data["budtenders"],
                      lambda b: get(client, f"/budtenders/{b}/panel")),
                timed("page opened on a budtender", data["budtenders"],
                      lambda b: get(client, f"/budtenders?id={b}")),
                timed("leaderboard card", few, lambda _: get(client, "/budtenders/leaderboard")),
                timed("points per week card", few,
                      lambda _: get(client, "/budtenders/performance")),
            ]  # fmt: skip
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--receipts", type=int, default=5_000)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    for db in args.db or ["sqlite", "postgresql"]:
        print(f"\n== {db} (load average {os.getloadavg()[0]:.2f})", flush=True)
        for result, cpu in run(db, args.samples, args.receipts):
            flag = "" if result.p99_ms < FLOOR_MS else f"   OVER the {FLOOR_MS:.0f} ms floor"
            print(f"  {result.row()}   cpu {cpu:6.2f} ms{flag}", flush=True)
        print(f"  (load average {os.getloadavg()[0]:.2f} at the end)", flush=True)


if __name__ == "__main__":
    main()
