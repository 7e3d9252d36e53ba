"""CRM benchmark: CSV import throughput and query latency, SQLite and PostgreSQL, scale 1 and 10.

    .venv/bin/python bench/crm.py                       # scale 1 and 10, SQLite and PostgreSQL
    .venv/bin/python bench/crm.py --scale 1 --db sqlite --samples 300

For each database and scale: the demo CSV set (``conductor demo export``, cached under
var/bench/) is imported into a fresh database with the real ``conductor import all`` command (one
process, timed from start to exit; each file's seconds as its summary reports them) and rows/s are
printed; then p50/p99 of the console's hot queries are measured in-process through the service
functions on random real inputs (``--import-only`` skips them). The baseline, run in the same
process, is how the replaced desktop viewer searched: load every customer, then filter in Python.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))
from conductor.crm import analytics, service
from conductor.crm.models import Customer, Transaction
from conductor.importers.csv.layout import KINDS
from conductor.store import make_engine, make_sessionmaker
from databases import empty_database
from timing import Latency, measure

ROOT = Path(__file__).parents[1]
WORK = ROOT / "var" / "bench"
CONDUCTOR = [sys.executable, "-m", "conductor"]
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ZONE = ZoneInfo("America/Los_Angeles")


def _run(args: list[str], url: str) -> str:
    """Run ``conductor ARGS`` on ``url``; its output (tables 200 columns wide, not wrapped)."""
    env = {**os.environ, "CONDUCTOR_DATABASE_URL": url, "COLUMNS": "200"}
    done = subprocess.run(CONDUCTOR + args, check=True, env=env, capture_output=True, text=True)
    return done.stdout


def csv_set(scale: float) -> Path:
    folder = WORK / f"csv-scale{scale:g}"
    if not (folder / "items.csv").exists():
        print(f"  exporting the scale-{scale:g} CSV set to {folder} ...", flush=True)
        _run(["demo", "export", str(folder), "--scale", str(scale), "--end-date", "2026-11-30"],
             "sqlite://")  # fmt: skip
    return folder


def fresh_database(db: str, scale: float, pg_url: str) -> str:
    name = f"conductor_bench_s{str(scale).replace('.', '_')}"
    url = empty_database(db, name, pg_url, WORK)
    _run(["db", "upgrade"], url)
    return url


def import_set(url: str, folder: Path) -> None:
    """Time ``conductor import all FOLDER``: one process (start-up, every file, ANALYZE); then
    each file's seconds as the command's summary reports them."""
    start = time.perf_counter()
    output = _run(["import", "all", str(folder)], url)
    seconds = time.perf_counter() - start
    summary = _summary(output)
    for kind in KINDS:
        rows, kind_s = summary[kind]
        rate = f"{rows / kind_s:>10,.0f}" if kind_s else f"{'-':>10}"  # under 0.05 s
        print(f"  import {kind:<13} {rows:>9,} rows {kind_s:8.1f} s {rate} rows/s"
              "   (in the command's summary)")  # fmt: skip
    rows = sum(rows for rows, _ in summary.values())
    print(f"  import {'ALL':<13} {rows:>9,} rows {seconds:8.1f} s {rows / seconds:>10,.0f} rows/s"
          "   (conductor import all, start to exit)", flush=True)  # fmt: skip


def _summary(output: str) -> dict[str, tuple[int, float]]:
    """(rows, seconds) of each kind in the summary table of ``conductor import all``."""
    found: dict[str, tuple[int, float]] = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if cells[0] in KINDS:
            inserted, updated, unchanged, rejected = (int(c) for c in cells[1:5])
            found[cells[0]] = (inserted + updated + unchanged + rejected, float(cells[5]))
    return found


def _inputs(session: Session, samples: int, rng: random.Random) -> dict[str, list[object]]:
    n_customers = session.scalar(select(func.count(Customer.id))) or 0
    ids = [rng.randint(1, n_customers) for _ in range(samples)]
    customers = session.execute(
        select(Customer.id, Customer.first_name, Customer.last_name, Customer.phone_key)
        .where(Customer.id.in_(ids))
    ).all()  # fmt: skip
    max_tx = session.scalar(select(func.max(Transaction.id))) or 1
    names = [(c[1] or c[2] or "a")[: rng.randint(2, 4)] for c in customers]
    lasts = [(c[2] or "a")[: rng.randint(3, 5)] for c in customers]
    phones = [c[3][: rng.randint(3, 7)] for c in customers if c[3]]
    return {
        "names": names + lasts,
        "phones": phones,
        "customers": [c[0] for c in customers],
        "transactions": [rng.randint(1, max_tx) for _ in ids],
    }


def latencies(url: str, samples: int) -> list[Latency]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rng = random.Random(7)
    now = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    with sessions() as session:
        inputs = _inputs(session, samples, rng)

        def context(cid: object) -> object:
            customer = session.get_one(Customer, cid)
            return analytics.customer_sms_context(session, customer, now=now, zone=ZONE)

        results = [
            measure("search by name prefix", inputs["names"],
                    lambda q: service.search_customers(session, str(q))),
            measure("search by phone prefix", inputs["phones"],
                    lambda q: service.search_customers(session, str(q))),
            measure("customer_sms_context", inputs["customers"], context),
            measure("customer transactions (50)", inputs["customers"],
                    lambda c: service.customer_transactions(session, int(str(c)))),
            measure("transaction items", inputs["transactions"],
                    lambda t: service.transaction_items(session, int(str(t)))),
            measure("win-back top 100", list(range(20)),
                    lambda _: analytics.win_back_priority_queue(session, now=now, limit=100),
                    warmup=2),
        ]  # fmt: skip
        session.expunge_all()
        old = measure(
            "BASELINE old viewer: load all+filter",
            inputs["names"][:20],
            lambda q: _old_viewer_search(session, str(q)),
            warmup=1,
        )
        results.append(old)
    engine.dispose()
    return results


def _old_viewer_search(session: Session, query: str) -> list[object]:
    """What the tkinter viewer did: fetch every customer, filter in Python."""
    session.expunge_all()
    everyone = session.scalars(select(Customer)).all()
    q = query.lower()
    return [c for c in everyone if q in c.name.lower() or q in (c.phone or "")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, action="append")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--pg-url", default=PG_ADMIN)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--import-only", action="store_true", help="Skip the query latencies.")
    parser.add_argument(
        "--existing",
        action="append",
        default=[],
        metavar="URL",
        help="Only measure query latency on this already seeded database.",
    )
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    for url in args.existing:
        _latency_report(f"existing {url.split('://')[0]} database", url, args.samples)
    if args.existing and not args.scale:
        return
    for scale in args.scale or [1.0, 10.0]:
        folder = csv_set(scale)
        for db in args.db or ["sqlite", "postgresql"]:
            print(f"\n== scale {scale:g}, {db}", flush=True)
            url = fresh_database(db, scale, args.pg_url)
            import_set(url, folder)
            if not args.import_only:
                _latency_report(f"scale {scale:g}, {db}", url, args.samples)


def _latency_report(title: str, url: str, samples: int) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        customers = conn.execute(select(func.count()).select_from(Customer)).scalar()
    engine.dispose()
    print(f"  query latency, {title} ({customers:,} customers)", flush=True)
    results = latencies(url, samples)
    for result in results:
        print("  " + result.row())
    base, search = results[-1], results[0]
    print(f"  search p50 is {base.p50_ms / search.p50_ms:,.0f}x faster than the baseline")


if __name__ == "__main__":
    main()
