"""Importing POS export files: streamed, batched, idempotent, with a rejects file.

:func:`import_csv` reads the file row by row (constant memory: only the current batch is held)
and works ``batch_size`` rows at a time: map the batch column by column (pure, :mod:`.mapping`),
resolve its references with one query per referenced table (:mod:`.refs`) and upsert it on its
natural key (:mod:`.upsert`). Every ``commit_rows`` rows the cached analytics of every customer
whose transactions changed are refreshed and the database transaction commits, so the cache
always commits together with the transactions it derives from. A bad row goes to the rejects
file with its line number and reason and the rest of the file imports; only a file-level problem
(missing file, missing required column, unreadable encoding) raises, before anything is written.

:func:`import_set` imports a whole export set (``KIND.csv`` for every kind in one directory) in
the order references need, after checking every file. The library never prints: progress goes to
a callback as (bytes read, file size).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from conductor.config import Settings
from conductor.crm.stats import refresh_customer_stats
from conductor.errors import InvalidInput
from conductor.importers.csv.bulk import bulk_load, check_references
from conductor.importers.csv.frame import Frame
from conductor.importers.csv.layout import KINDS
from conductor.importers.csv.mapping import Context, Plan, Reject, complete_customer, table_of
from conductor.importers.csv.reader import CsvFile, open_csv
from conductor.importers.csv.refs import Resolver
from conductor.importers.csv.rejects import RejectsFile, default_rejects_path
from conductor.importers.csv.upsert import upsert
from conductor.store.base import utcnow

Progress = Callable[[int, int], None]
"""Called after every batch with (bytes read so far, file size in bytes)."""

REJECTS_HELD = 10_000
"""Rejected rows are written once the rows around them commit; a transaction ends early rather
than hold more of them in memory."""


@dataclass(frozen=True)
class ImportSummary:
    """What an import did. Rows are counted once each: inserted + updated + unchanged + rejected."""

    kind: str
    encoding: str
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    unknown_columns: tuple[str, ...]
    rejects_path: Path | None
    """Where the rejected rows are; None when there were none (no file is written then)."""
    seconds: float
    staff_created: int = 0
    """Staff rows created for staff ids a transactions file named but the database lacked."""

    @property
    def rows(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.rejected


@dataclass
class _Unit:
    """What one database transaction (several batches) has written and not yet committed."""

    rows: int = 0
    customers: set[int] = field(default_factory=set)
    rejects: list[Reject] = field(default_factory=list)


@dataclass
class _Run:
    """One import in progress: counts so far and the uncommitted unit of work."""

    kind: str
    session: Session
    context: Context
    rejects: RejectsFile
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    staff_created: int = 0
    unit: _Unit = field(default_factory=_Unit)
    resolver: Resolver = field(init=False)

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.session)

    def load(
        self, source: CsvFile, batch_size: int, commit_rows: int, progress: Progress | None
    ) -> None:
        """Write the whole file, committing every ``commit_rows`` rows and at the end."""
        plan = Plan(self.kind, source.header.columns, len(source.header.names), self.context)
        for rows in source.batches(batch_size):
            frame, rejects = plan.frame(rows)
            self.unit.rejects += rejects
            for run in frame.runs_of_unique_keys():  # a repeated key: inserted, then updated
                self.write(run)
            self.unit.rows += len(rows)
            if self.unit.rows >= commit_rows or len(self.unit.rejects) >= REJECTS_HELD:
                self.commit()
            if progress is not None:
                progress(source.bytes_read(), source.size)
        check_references(self.session, table_of(self.kind))
        self.commit()

    def write(self, frame: Frame) -> None:
        """Resolve, upsert and count one batch (not committed yet)."""
        resolved = self.resolver.resolve(self.kind, frame)
        self.unit.rejects += resolved.rejects
        self.staff_created += resolved.staff_created
        complete = None
        if self.kind == "customers":
            complete = partial(complete_customer, now=self.context.now)
        track = "customer_id" if self.kind == "transactions" else None
        outcome = upsert(self.session, table_of(self.kind), resolved.frame, complete, track)
        self.inserted += outcome.inserted
        self.updated += outcome.updated
        self.unchanged += outcome.unchanged
        self.unit.customers |= outcome.tracked

    def commit(self) -> None:
        """Refresh the touched customers' cached analytics, commit, then write the rejects."""
        if self.unit.customers:
            refresh_customer_stats(self.session, self.unit.customers)
        self.session.commit()
        for line, reason, cells in sorted(self.unit.rejects, key=lambda r: r[0]):
            self.rejects.write(line, reason, cells)
        self.unit = _Unit()


def import_csv(
    engine: Engine,
    kind: str,
    path: Path,
    settings: Settings,
    *,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
    batch_size: int = 5000,
    commit_rows: int = 200_000,
    now: datetime | None = None,
) -> ImportSummary:
    """Import ``path`` as a ``kind`` export (see the module docstring); InvalidInput if unusable.

    References are looked up and rows written ``batch_size`` rows at a time; a database
    transaction (and so a refresh of the cached customer analytics) spans ``commit_rows`` rows.
    """
    if kind not in KINDS:
        raise InvalidInput(f"unknown import kind {kind!r}: choose one of {', '.join(KINDS)}")
    started = time.perf_counter()
    target = rejects_path or default_rejects_path(path)
    if target.resolve() == path.resolve():
        raise InvalidInput("the rejects file cannot be the file being imported")
    context = Context(settings.default_region, settings.zone, now or utcnow())
    with (
        open_csv(path, kind) as source,
        RejectsFile(target, source.header.names) as rejects,
        engine.connect() as connection,
        bulk_load(connection),
        Session(bind=connection, expire_on_commit=False) as session,
    ):
        run = _Run(kind, session, context, rejects)
        run.load(source, batch_size, commit_rows, progress)
    return ImportSummary(
        kind=kind,
        encoding=source.encoding,
        inserted=run.inserted,
        updated=run.updated,
        unchanged=run.unchanged,
        rejected=rejects.count,
        unknown_columns=source.header.ignored,
        rejects_path=target if rejects.count else None,
        seconds=time.perf_counter() - started,
        staff_created=run.staff_created,
    )


SetProgress = Callable[[str, int, int], None]
"""Called after every batch of a set with (kind, bytes read so far, file size in bytes)."""


def export_set(directory: Path) -> dict[str, Path]:
    """The files of a POS export set, ``KIND.csv`` for every kind, in import order.

    InvalidInput names the directory or every file that is missing, and any file that cannot be
    imported as a whole (encoding, empty, a required column missing), before anything is written.
    """
    if not directory.is_dir():
        what = "not a directory" if directory.exists() else "no such directory"
        raise InvalidInput(f"{directory}: {what} (`import all` takes the folder of an export set)")
    files = {kind: directory / f"{kind}.csv" for kind in KINDS}
    missing = [path.name for path in files.values() if not path.is_file()]
    if missing:
        raise InvalidInput(
            f"{directory} has no {', '.join(missing)}: an export set holds "
            f"{', '.join(p.name for p in files.values())} (import a single file with "
            "`conductor import KIND FILE`)"
        )
    for kind, path in files.items():
        with open_csv(path, kind):
            pass
    return files


def import_set(
    engine: Engine,
    directory: Path,
    settings: Settings,
    *,
    rejects_dir: Path | None = None,
    progress: SetProgress | None = None,
    now: datetime | None = None,
) -> list[ImportSummary]:
    """Import every file of the export set in ``directory`` (:func:`export_set`), in the order
    their references need: one :func:`import_csv` each, with the same "now".

    Rejected rows of ``KIND.csv`` go to ``KIND.csv.rejects.csv`` beside it or in ``rejects_dir``.
    """
    files = export_set(directory)
    if rejects_dir is not None:
        rejects_dir.mkdir(parents=True, exist_ok=True)
    now = now or utcnow()
    summaries: list[ImportSummary] = []
    for kind, path in files.items():
        rejects = None if rejects_dir is None else rejects_dir / default_rejects_path(path).name
        report = None if progress is None else partial(progress, kind)
        summaries.append(
            import_csv(engine, kind, path, settings, rejects_path=rejects, progress=report, now=now)
        )
    return summaries
