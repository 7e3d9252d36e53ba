"""Bot benchmark: inbound text stored -> reply queued, p50/p99, offline responder.

    .venv/bin/python bench/bot.py --url sqlite:///var/bench/web10.db \\
        --url postgresql+psycopg://postgres@127.0.0.1:5432/conductor_bench_web10

Point it at databases seeded with ``conductor demo seed --scale 10`` (and upgraded). A bot worker
runs in a thread as in production (idle poll 20 ms); this process stores inbound texts from
random real customers, one at a time, and waits for the reply row. The texts are a mix of the
intents the bot answers (points, last purchase, stock, recommendation, hours, other). Everything
the benchmark writes is deleted at the end.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, select

sys.path.insert(0, str(Path(__file__).parent))
from conductor.bot.offline import OfflineResponder
from conductor.bot.service import BotOptions
from conductor.bot.worker import BotWorker
from conductor.config import load_settings
from conductor.crm.models import Customer
from conductor.gateway.inbound import dedup_key
from conductor.messaging import service
from conductor.messaging.models import ConsentEvent, ConsentState, Message
from conductor.store import make_engine, make_sessionmaker
from timing import Latency

TEXTS = (
    "how many points do I have?", "what did I buy last time", "do you have blue dream?",
    "got any gummies", "can you recommend something?", "what time do you close",
    "thanks!", "my order was missing something", "is the og kush in stock",
)  # fmt: skip


def bench(url: str, n: int) -> Latency:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rng = random.Random(5)
    with sessions() as s:
        total = s.scalar(select(func.max(Customer.id))) or 1
        wanted = [rng.randint(1, total) for _ in range(n * 3)]
        stmt = select(Customer.phone).where(
            Customer.id.in_(wanted), Customer.phone.is_not(None), Customer.sms_consent.is_(True)
        )
        phones = [p for p in s.scalars(stmt) if p][:n]
        first_id = (s.scalar(select(func.max(Message.id))) or 0) + 1
    options = BotOptions.from_settings(load_settings(), "bench-bot")
    worker = BotWorker(sessions, options, OfflineResponder(), idle=0.02)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    times: list[float] = []
    watcher = engine.connect()  # one plain connection polls, so watching costs little
    try:
        for i, phone in enumerate(phones):
            times.append(_one(sessions, watcher, phone, rng.choice(TEXTS), i))
    finally:
        stop.set()
        thread.join(10)
        watcher.close()
        _clean(sessions, first_id)
        engine.dispose()
    times.sort()
    return Latency("inbound stored -> reply queued", len(times), times[len(times) // 2],
                   times[int(len(times) * 0.99) - 1], times[-1])  # fmt: skip


def _one(sessions, watcher, phone: str, text: str, i: int) -> float:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        message = service.store_inbound(
            s, sender=phone, content=text, dedup_key=dedup_key(f"bench:{phone}:{i}:{time.time()}"),
            received_at=datetime.now(UTC),
        )  # fmt: skip
        assert message is not None
        message_id = message.id
    start = time.perf_counter()
    query = select(Message.id).where(Message.in_reply_to_id == message_id)
    while True:
        found = watcher.execute(query).scalar()
        watcher.rollback()
        if found:
            return (time.perf_counter() - start) * 1000
        time.sleep(0.002)


def _clean(sessions, first_id: int) -> None:  # type: ignore[no-untyped-def]
    with sessions.begin() as s:
        s.execute(delete(ConsentEvent).where(ConsentEvent.message_id >= first_id))
        s.execute(delete(Message).where(Message.id >= first_id, Message.direction == "outbound"))
        s.execute(delete(Message).where(Message.id >= first_id))
        s.execute(delete(ConsentState).where(ConsentState.source == "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    for url in args.url:
        with make_engine(url).connect() as conn:
            customers = conn.execute(select(func.count()).select_from(Customer)).scalar()
        print(f"\n== {url.split('://')[0]} ({customers:,} customers)")
        print("  " + bench(url, args.n).row())


if __name__ == "__main__":
    main()
