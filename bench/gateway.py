"""Gateway benchmark: inbound latency and outbound throughput, Conductor against Gammu's smsd.

    .venv/bin/python bench/gateway.py                  # SQLite and PostgreSQL, then Gammu
    .venv/bin/python bench/gateway.py --db sqlite --n 100 --m 200 --skip-gammu

Both systems drive the same virtual SIM7600G-H (``conductor.modem.virtual``), which lives in
this process on a real pseudo-terminal, while the system under test runs as a child process on
its port: ``conductor gateway run --modem <pty>`` (default settings except
CONDUCTOR_SEND_INTERVAL_S=0) on a fresh SQLite file or PostgreSQL database, and Gammu's
``gammu-smsd`` (files backend) with a generated smsdrc that polls at its fastest documented
settings (LoopSleep = 0, a busy loop) and, for context, with its default one-second loop.

inbound   after a warm-up, N texts arrive from the network at random moments (gaps uniform on
          0..2*--gap), each from its own number; the latency runs from ``inject_sms()`` to the
          row in ``messages`` (Conductor) or the file in the inbox (Gammu), polled every 2 ms.
outbound  M texts queued at once (``queue_outbound`` in one transaction; for Gammu, M outbox
          files moved in); msgs/s from the commit until the modem has accepted all M (AT+CMGS).
          Both ask for delivery reports; the modem sends them 0.5 s after each text.

The old system polled the modem every 5 s: its latency is uniform on 0..5 s (p50 2.5 s, p99
4.95 s) plus its processing. That is printed as the reference, not simulated.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).parent))
from conductor.messaging import service
from conductor.messaging import status as st
from conductor.messaging.models import Message
from conductor.modem.virtual import VirtualModem
from conductor.store import make_engine, make_sessionmaker
from databases import empty_database
from timing import Latency

ROOT = Path(__file__).parents[1]
WORK = ROOT / "var" / "bench"
CONDUCTOR = [sys.executable, "-m", "conductor"]
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB_NAME = "conductor_bench_gateway"
POLL_S = 0.002  # how often the benchmark looks for arrivals and sends
OLD_POLL_S = 5.0  # the replaced system read the modem every 5 s
REPORT_DELAY_S = 0.5  # the virtual network's delay before a delivery report
WARMUP = 5
STALL_S = 60.0  # no progress for this long: the system under test is stuck
TICKS = os.sysconf("SC_CLK_TCK")

Arrivals = Callable[[], list[str]]  # the sender numbers that arrived since the last call


class BenchError(Exception):
    """The system under test failed; the message says what was seen."""


# --- child processes ----------------------------------------------------------------------


class Children:
    """Child processes, each in its own session (a Ctrl-C reaches only this script), ended
    with SIGTERM and then SIGKILL on any exit."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        with log.open("wb") as out:
            proc = subprocess.Popen(args, env=env, cwd=WORK, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], grace: float = 20.0) -> int:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)
        return proc.returncode

    def stop_all(self) -> None:
        for proc in list(self.procs):
            self.stop(proc, grace=5.0)


CHILDREN = Children()


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def idle_cpu(proc: subprocess.Popen[bytes], seconds: float = 3.0) -> tuple[float, float]:
    """Percent of one core used while nothing happens: the child, and this process (the
    virtual modem's thread answering it)."""
    child, own, start = _cpu_seconds(proc.pid), time.process_time(), time.perf_counter()
    time.sleep(seconds)
    elapsed = time.perf_counter() - start
    return (
        (_cpu_seconds(proc.pid) - child) / elapsed * 100,
        (time.process_time() - own) / elapsed * 100,
    )


def _alive(proc: subprocess.Popen[bytes], log: Path) -> None:
    if proc.poll() is not None:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        raise BenchError(f"process {proc.pid} exited with {proc.returncode}; "
                         f"last lines of {log}:\n    " + "\n    ".join(tail))  # fmt: skip


# --- measurements shared by both systems ----------------------------------------------------


def _latency(name: str, times_ms: list[float]) -> Latency:
    times = sorted(times_ms)
    q = statistics.quantiles(times, n=100, method="inclusive")
    return Latency(name, len(times), q[49], q[98], times[-1])


def warm_up(modem: VirtualModem, arrivals: Arrivals, check: Callable[[], None]) -> None:
    """A few texts one at a time: the first waits for the system to start."""
    for i in range(WARMUP):
        sender = f"+1415666{i:04d}"
        modem.inject_sms(sender, f"warm-up {i}")
        deadline = time.monotonic() + (90.0 if i == 0 else STALL_S)
        while sender not in arrivals():
            check()
            if time.monotonic() > deadline:
                raise BenchError(f"warm-up text {i} never arrived")
            time.sleep(0.01)


def inbound_latency(
    name: str, modem: VirtualModem, arrivals: Arrivals, check: Callable[[], None], n: int,
    gap: float,
) -> Latency:  # fmt: skip
    """N texts injected at random moments; ms from injection until each is seen stored."""
    rng = random.Random(20261201)
    senders = [f"+1415555{i:04d}" for i in range(n)]
    injected: dict[str, float] = {}
    arrived: dict[str, float] = {}
    next_at = time.perf_counter() + rng.uniform(0, 2 * gap)
    last_progress = time.monotonic()
    while len(arrived) < n:
        if len(injected) < n and time.perf_counter() >= next_at:
            sender = senders[len(injected)]
            injected[sender] = time.perf_counter()
            modem.inject_sms(sender, f"bench in {len(injected) - 1}")
            next_at += rng.uniform(0, 2 * gap)
        seen = arrivals()
        now = time.perf_counter()
        for sender in seen:
            if sender in injected and sender not in arrived:
                arrived[sender] = now
                last_progress = time.monotonic()
        check()
        if time.monotonic() - last_progress > STALL_S:
            raise BenchError(
                f"inbound: {len(arrived)} of {n} arrived, then nothing for {STALL_S:g} s"
            )
        time.sleep(POLL_S)
    return _latency(name, [(arrived[s] - injected[s]) * 1000 for s in senders])


def wait_sent(modem: VirtualModem, count: int, check: Callable[[], None]) -> None:
    """Until the modem has accepted ``count`` SMS-SUBMITs in all (all texts are single-part)."""
    done, last_progress = 0, time.monotonic()
    while done < count:
        now_done = len(modem.sent_pdus())
        if now_done > done:
            done, last_progress = now_done, time.monotonic()
        check()
        if time.monotonic() - last_progress > STALL_S:
            raise BenchError(f"outbound: {done} of {count} sent, then nothing for {STALL_S:g} s")
        time.sleep(0.005)


@dataclass(frozen=True)
class Result:
    system: str
    inbound: Latency | None = None
    outbound: float | None = None  # msgs/s
    cpu: tuple[float, float] | None = None  # idle CPU %: the system, the virtual modem
    failure: str = ""


# --- Conductor -------------------------------------------------------------------------------


def fresh_database(db: str, pg_url: str) -> str:
    url = empty_database(db, DB_NAME, pg_url, WORK)
    subprocess.run([*CONDUCTOR, "db", "upgrade"], check=True, env=_conductor_env(url),
                   cwd=WORK, stdout=subprocess.DEVNULL)  # fmt: skip
    return url


def _conductor_env(url: str) -> dict[str, str]:
    """Default settings (no CONDUCTOR_* from this shell, no conductor.toml in var/bench/)
    except the database and no pause between sends."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONDUCTOR_")}
    return {**env, "CONDUCTOR_DATABASE_URL": url, "CONDUCTOR_SEND_INTERVAL_S": "0"}


def _db_arrivals(engine: Engine) -> tuple[Arrivals, Connection]:
    """New inbound rows, by one autocommit connection (each poll sees the latest commit; a
    Core query costs the loaded machine a fifth of what an ORM session would)."""
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    last_id = 0

    def arrivals() -> list[str]:
        nonlocal last_id
        rows = conn.execute(
            select(Message.id, Message.phone_number)
            .where(Message.direction == st.INBOUND, Message.id > last_id)
        ).all()  # fmt: skip
        if rows:
            last_id = max(row[0] for row in rows)
        return [row[1] for row in rows]

    return arrivals, conn


def _queue(sessions: sessionmaker[Session], count: int, label: str) -> None:
    with sessions.begin() as session:
        for i in range(count):
            service.queue_outbound(session, phone_number=f"+1310555{i % 10000:04d}",
                                   content=f"{label} {i}", now=datetime.now(UTC))  # fmt: skip


def run_conductor(db: str, args: argparse.Namespace) -> Result:
    name = f"Conductor, {'SQLite' if db == 'sqlite' else 'PostgreSQL'}"
    print(f"\n== {name}", flush=True)
    url = fresh_database(db, args.pg_url)
    engine = make_engine(url)
    log = WORK / f"gateway-{db}.log"
    try:
        with VirtualModem(capacity=30, status_report_delay=REPORT_DELAY_S) as modem:
            proc = CHILDREN.start([*CONDUCTOR, "gateway", "run", "--modem", modem.port],
                                  _conductor_env(url), log)  # fmt: skip
            print(f"  gateway pid {proc.pid} on {modem.port}, database {url}")
            try:
                inbound, rate, cpu = _measure_conductor(modem, proc, log, engine, args)
            finally:
                CHILDREN.stop_all()  # before the modem goes away
        return Result(name, inbound, rate, cpu)
    except BenchError as exc:
        print(f"  FAILED: {exc}")
        return Result(name, failure=str(exc).splitlines()[0])
    finally:
        engine.dispose()


def _measure_conductor(
    modem: VirtualModem, proc: subprocess.Popen[bytes], log: Path, engine: Engine,
    args: argparse.Namespace,
) -> tuple[Latency, float, tuple[float, float]]:  # fmt: skip
    sessions = make_sessionmaker(engine)
    arrivals, conn = _db_arrivals(engine)

    def check() -> None:
        _alive(proc, log)

    warm_up(modem, arrivals, check)
    _queue(sessions, 3, "warm-up out")
    wait_sent(modem, 3, check)
    cpu = idle_cpu(proc)
    print(f"  idle CPU: gateway {cpu[0]:.1f}%, virtual modem {cpu[1]:.1f}% of one core")
    inbound = inbound_latency("inbound inject->row", modem, arrivals, check, args.n, args.gap)
    conn.close()
    print("  " + inbound.row(), flush=True)

    base = len(modem.sent_pdus())
    _queue(sessions, args.m, "bench out")
    start = time.perf_counter()
    wait_sent(modem, base + args.m, check)
    rate = args.m / (time.perf_counter() - start)
    print(f"  outbound {args.m} texts: {rate:,.1f} msgs/s (queued -> accepted by modem)")
    _report_rows(sessions, args.m)
    code = CHILDREN.stop(proc)
    if code != 0:
        print(f"  note: the gateway exited with {code} on SIGTERM (log: {log})")
    return inbound, rate, cpu


def _report_rows(sessions: sessionmaker[Session], m: int) -> None:
    """The database's side: every queued row recorded sent, and the delivery reports."""
    deadline = time.monotonic() + 30
    while True:
        with sessions() as session:
            counts = dict(session.execute(
                select(Message.status, func.count()).where(Message.content.like("bench out %"))
                .group_by(Message.status)
            ).all())  # fmt: skip
        done = counts.get(st.SENT, 0) + counts.get(st.DELIVERED, 0)
        if (done == m and counts.get(st.DELIVERED, 0) == m) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    print(f"  rows: {done} of {m} recorded sent, {counts.get(st.DELIVERED, 0)} delivered "
          f"(reports arrive {REPORT_DELAY_S:g} s after each send)")  # fmt: skip


# --- Gammu -----------------------------------------------------------------------------------

SMSDRC = """\
[gammu]
device = {port}
connection = at
logformat = textalldate

[smsd]
service = files
inboxpath = {folder}/inbox/
outboxpath = {folder}/outbox/
sentsmspath = {folder}/sent/
errorsmspath = {folder}/error/
logfile = {folder}/smsd.log
debuglevel = {debug}
# poll as fast as documented: check for received texts on every loop, look in the outbox on
# every loop, LoopSleep = 0 sleeps not at all (busy loop); no status, PIN, battery, signal or
# network checks between loops
ReceiveFrequency = 0
CommTimeout = 0
LoopSleep = {loop_sleep}
StatusFrequency = 0
CheckSecurity = 0
CheckBattery = 0
CheckSignal = 0
CheckNetwork = 0
SendTimeout = 30
DeliveryReport = log
"""


def _gammu_version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0].split()[-1] if out else "?"


def _inbox_arrivals(inbox: Path) -> Arrivals:
    seen: set[str] = set()

    def arrivals() -> list[str]:
        # IN<date>_<time>_<serial>_<sender>_<sequence>.txt
        new = [entry.name for entry in os.scandir(inbox) if entry.name not in seen]
        seen.update(new)
        return [name.split("_")[3] for name in new if name.count("_") >= 4]

    return arrivals


def run_gammu(binary: str, loop_sleep: int, args: argparse.Namespace) -> Result:
    name = f"Gammu smsd {_gammu_version(binary)}, LoopSleep={loop_sleep}"
    print(f"\n== {name}", flush=True)
    folder = WORK / f"gammu-loopsleep{loop_sleep}"
    shutil.rmtree(folder, ignore_errors=True)
    for sub in ("inbox", "outbox", "sent", "error", "staging"):
        (folder / sub).mkdir(parents=True)
    log = folder / "smsd.log"
    try:
        with VirtualModem(capacity=30, status_report_delay=REPORT_DELAY_S) as modem:
            rc = folder / "smsdrc"
            rc.write_text(SMSDRC.format(port=modem.port, folder=folder, debug=args.gammu_debug,
                                        loop_sleep=loop_sleep))  # fmt: skip
            print("  smsdrc:\n    " + "\n    ".join(rc.read_text().splitlines()))
            proc = CHILDREN.start([binary, "-c", str(rc)], dict(os.environ), folder / "stdout.log")
            print(f"  gammu-smsd pid {proc.pid} on {modem.port}, folder {folder}")
            try:
                inbound, rate, cpu = _measure_gammu(modem, proc, folder, args)
            finally:
                CHILDREN.stop_all()  # before the modem goes away
        return Result(name, inbound, rate, cpu)
    except BenchError as exc:
        print(f"  FAILED: {exc}")
        if log.exists():
            print(f"  (run again with --gammu-debug 255 for the AT traffic in {log})")
        return Result(name, failure=str(exc).splitlines()[0])


def _measure_gammu(
    modem: VirtualModem, proc: subprocess.Popen[bytes], folder: Path, args: argparse.Namespace
) -> tuple[Latency, float, tuple[float, float]]:
    arrivals = _inbox_arrivals(folder / "inbox")
    log = folder / "smsd.log"

    def check() -> None:
        _alive(proc, log if log.exists() else folder / "stdout.log")

    warm_up(modem, arrivals, check)
    _outbox(folder, 3, "warm-up out")
    wait_sent(modem, 3, check)
    cpu = idle_cpu(proc)
    print(f"  idle CPU: gammu-smsd {cpu[0]:.1f}%, virtual modem {cpu[1]:.1f}% of one core")
    inbound = inbound_latency("inbound inject->inbox file", modem, arrivals, check,
                              args.n, args.gap)  # fmt: skip
    print("  " + inbound.row(), flush=True)

    base = len(modem.sent_pdus())
    start = _outbox(folder, args.gammu_m, "bench out")
    wait_sent(modem, base + args.gammu_m, check)
    rate = args.gammu_m / (time.perf_counter() - start)
    print(
        f"  outbound {args.gammu_m} texts: {rate:,.2f} msgs/s (outbox files -> accepted by modem)"
    )
    time.sleep(1)
    print(f"  files: {len(os.listdir(folder / 'sent'))} in sent/, "
          f"{len(os.listdir(folder / 'error'))} in error/, "
          f"{len(os.listdir(folder / 'outbox'))} left in outbox/")  # fmt: skip
    code = CHILDREN.stop(proc)
    if code != 0:
        print(f"  note: gammu-smsd exited with {code} on SIGTERM (log: {log})")
    return inbound, rate, cpu


def _outbox(folder: Path, count: int, label: str) -> float:
    """Write ``count`` texts asking for delivery reports (``.txtd``) aside, then move them into
    the outbox at once (a rename, so Gammu never reads half a file); returns the start time."""
    stamp = time.monotonic_ns()
    names = []
    for i in range(count):
        name = f"OUTA_+1310555{i % 10000:04d}_{stamp}{i:05d}.txtd"
        (folder / "staging" / name).write_text(f"{label} {i}")
        names.append(name)
    start = time.perf_counter()
    for name in names:
        os.rename(folder / "staging" / name, folder / "outbox" / name)
    return start


# --- the report ------------------------------------------------------------------------------


def summary(results: list[Result], args: argparse.Namespace) -> None:
    print(f"\n== Summary: inbound N={args.n} (mean gap {args.gap * 1000:g} ms), "
          f"outbound M={args.m} (Gammu {args.gammu_m}), zero modem latency, "
          "delivery reports on")  # fmt: skip
    print(f"{'system':<34} {'in p50':>9} {'in p99':>9} {'in max':>9} {'out msgs/s':>10} "
          f"{'idle CPU':>8} {'modem':>6}")  # fmt: skip
    for r in results:
        if r.failure:
            print(f"{r.system:<34} FAILED: {r.failure}")
            continue
        assert r.inbound is not None and r.outbound is not None and r.cpu is not None
        i = r.inbound
        print(f"{r.system:<34} {_ms(i.p50_ms):>9} {_ms(i.p99_ms):>9} {_ms(i.max_ms):>9} "
              f"{r.outbound:>10,.1f} {r.cpu[0]:>7.1f}% {r.cpu[1]:>5.1f}%")  # fmt: skip
    print(f"{'old design: 5 s polling (computed)':<34} {_ms(OLD_POLL_S * 500):>9} "
          f"{_ms(OLD_POLL_S * 990):>9} {_ms(OLD_POLL_S * 1000):>9} {'-':>10} {'-':>8} "
          f"{'-':>6}")  # fmt: skip
    print("idle CPU: % of one core the gateway process uses while no text comes or goes;"
          " modem: the same for\nthe virtual modem's thread answering it")  # fmt: skip

    ours = [r for r in results if r.system.startswith("Conductor") and not r.failure]
    gammu = [r for r in results if r.system.startswith("Gammu") and not r.failure]
    for c in ours:
        assert c.inbound is not None and c.outbound is not None
        print(f"\n{c.system}: inbound p99 {_ms(c.inbound.p99_ms)}, floor p99 < 1 s "
              f"{'met' if c.inbound.p99_ms < 1000 else 'NOT MET'}; "
              f"{OLD_POLL_S * 990 / c.inbound.p99_ms:,.0f}x below the old design's")  # fmt: skip
        for g in gammu:
            assert g.inbound is not None and g.outbound is not None
            print(f"  vs {g.system}: p99 Conductor/Gammu "
                  f"{c.inbound.p99_ms / g.inbound.p99_ms:.2f}, msgs/s Conductor/Gammu "
                  f"{c.outbound / g.outbound:,.1f}")  # fmt: skip


def _ms(value: float) -> str:
    return f"{value:,.1f} ms" if value < 1000 else f"{value / 1000:,.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="inbound texts (default 200)")
    parser.add_argument("--m", type=int, default=500, help="outbound texts (default 500)")
    parser.add_argument("--gammu-m", type=int, default=100,
                        help="outbound texts for Gammu (default 100: it sends ~1.4/s)")  # fmt: skip
    parser.add_argument("--gap", type=float, default=0.05,
                        help="mean seconds between inbound texts (default 0.05)")  # fmt: skip
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--pg-url", default=PG_ADMIN)
    parser.add_argument("--skip-gammu", action="store_true")
    parser.add_argument("--gammu-loop-sleep", type=int, action="append",
                        help="Gammu's LoopSleep (repeatable; default 0, then 1)")  # fmt: skip
    parser.add_argument("--gammu-debug", type=int, default=0, help="smsdrc DebugLevel")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    results: list[Result] = []
    try:
        for db in args.db or ["sqlite", "postgresql"]:
            results.append(run_conductor(db, args))
        binary = shutil.which("gammu-smsd")
        if args.skip_gammu:
            print("\nGammu skipped (--skip-gammu)")
        elif binary is None:
            print("\nGammu skipped: no gammu-smsd on PATH (Debian: apt-get install gammu-smsd)")
        else:
            for loop_sleep in args.gammu_loop_sleep or [0, 1]:
                results.append(run_gammu(binary, loop_sleep, args))
    except KeyboardInterrupt:
        print("\ninterrupted; child processes stopped")
        raise SystemExit(130) from None
    finally:
        CHILDREN.stop_all()
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    summary(results, args)


if __name__ == "__main__":
    main()
