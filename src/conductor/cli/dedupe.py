"""``conductor crm duplicates`` and ``conductor crm merge``: find duplicate customers, merge them.

Groups are named by a stable key (the member id of the group's oldest record, see
:mod:`conductor.crm.dedupe`); ``merge --group`` accepts that key or any member's id.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from conductor.cli.state import State, state
from conductor.crm.dedupe import DuplicateGroup, find_duplicates, find_group
from conductor.crm.merge import MergeResult, customers_by_member_id, merge_group, merge_members
from conductor.errors import MergeError
from conductor.store import session_scope
from conductor.store.migrate import require_current

console = Console()
TABLE_LIMIT = 50


def duplicates(
    ctx: typer.Context,
    limit: int | None = typer.Option(
        None, min=0, help="Show at most N groups (default: 50 in the table, all with --json)."
    ),
    min_confidence: float = typer.Option(
        0.0, min=0.0, max=1.0, help="Leave out groups below this confidence (0-1)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Compact JSON for scripts only."),
) -> None:
    """Report groups of likely duplicate customers, most confident first."""
    st = state(ctx)
    require_current(st.engine)
    started = time.perf_counter()
    with st.sessions() as session:
        groups = find_duplicates(
            session, region=st.settings.default_region, min_confidence=min_confidence
        )
    seconds = time.perf_counter() - started
    shown = groups[: limit if limit is not None else len(groups) if as_json else TABLE_LIMIT]
    if as_json:
        typer.echo(json.dumps([group_dict(g) for g in shown]))  # compact: the C encoder
        return
    console.print(groups_table(shown))
    customers = sum(len(g.members) for g in groups)
    console.print(
        f"{len(groups)} group(s), {customers} customers, found in {seconds:.1f} s; "
        f"showing {len(shown)}. Merge one with `conductor crm merge --group KEY`."
    )


def merge(
    ctx: typer.Context,
    member_ids: list[str] | None = typer.Argument(
        None,
        metavar="[SURVIVOR_MEMBER_ID OTHER_MEMBER_ID...]",
        help="The member id that survives, then the member ids merged into it.",
    ),
    group: str | None = typer.Option(
        None,
        metavar="KEY",
        help="Merge the duplicate group with this key (or any member's id) into its survivor.",
    ),
    auto: bool = typer.Option(False, help="Merge every group at or above --min-confidence."),
    min_confidence: float = typer.Option(
        0.95, min=0.0, max=1.0, help="With --auto: the lowest confidence merged."
    ),
    reason: str | None = typer.Option(None, help="Why, for the audit row."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Merge duplicates into a survivor: transactions move, an audit row keeps each record."""
    modes = [bool(member_ids), group is not None, auto]
    if modes.count(True) != 1:
        raise typer.BadParameter("give member ids, or --group KEY, or --auto (exactly one)")
    st = state(ctx)
    require_current(st.engine)
    if member_ids:
        _merge_members(st, member_ids, reason, yes)
    elif group is not None:
        _merge_groups(st, [_group(st, group)], reason, yes)
    else:
        with st.sessions() as session:
            found = find_duplicates(
                session, region=st.settings.default_region, min_confidence=min_confidence
            )
        _merge_groups(st, found, reason, yes)


def _merge_members(st: State, member_ids: list[str], reason: str | None, yes: bool) -> None:
    if len(member_ids) < 2:
        raise typer.BadParameter("give the survivor's member id and at least one more")
    with st.sessions() as session:
        found = customers_by_member_id(session, member_ids)
    table = Table(
        "", "member id", "name", "phone", "e-mail", "visits", "lifetime $", box=box.SIMPLE_HEAD
    )
    for n, c in enumerate(found):
        role = "survivor" if n == 0 else "merge"
        cells = (c.member_id, c.name, c.phone or "", c.email or "", str(c.visit_count))
        table.add_row(role, *map(Text, cells), str(c.lifetime_value))
    console.print(table)
    if not yes:
        typer.confirm(f"Merge {len(found) - 1} customer(s) into {member_ids[0]}?", abort=True)
    with session_scope(st.sessions) as session:
        result = merge_members(
            session, member_ids[0], member_ids[1:], reason=reason or "manual merge"
        )
    _report(result)


def _group(st: State, key: str) -> DuplicateGroup:
    with st.sessions() as session:
        return find_group(session, key, region=st.settings.default_region)


def _merge_groups(
    st: State, groups: Sequence[DuplicateGroup], reason: str | None, yes: bool
) -> None:
    if not groups:
        console.print("no duplicate groups to merge")
        return
    console.print(groups_table(groups))
    if not yes:
        typer.confirm(f"Merge {len(groups)} group(s) into their survivors?", abort=True)
    failed = 0
    for group in groups:
        try:
            with session_scope(st.sessions) as session:
                result = merge_group(session, group, reason=reason)
        except MergeError as exc:
            failed += 1
            console.print(Text(f"group {group.key} not merged: {exc}", style="red"))
            continue
        _report(result)
    if failed:
        raise typer.Exit(1)


def _report(result: MergeResult) -> None:
    filled = ", ".join(dict.fromkeys(result.filled_fields)) or "nothing"
    console.print(
        f"merged {', '.join(result.merged_member_ids)} into {result.survivor_member_id}: "
        f"{result.transactions_moved} transaction(s) moved, filled {filled}, "
        f"points {result.loyalty_points}, SMS consent {'yes' if result.sms_consent else 'no'}",
        highlight=False,
        markup=False,
    )


def groups_table(groups: Sequence[DuplicateGroup]) -> Table:
    """Per group: a row with its key, then one row per customer (``*`` the suggested survivor);
    reasons run down their own column, so nothing but names needs to wrap on a narrow screen."""
    table = Table(box=box.SIMPLE_HEAD, caption="* suggested survivor")
    table.add_column("conf", no_wrap=True)
    table.add_column("reasons", no_wrap=True)
    table.add_column("group / member id", no_wrap=True)
    table.add_column("name", min_width=8)
    table.add_column("phone", no_wrap=True)
    table.add_column("visits", no_wrap=True, justify="right")
    for g in groups:
        lines: list[tuple[str, ...]] = [(g.key, "", "", "")]
        lines += [
            (("*" if n == 0 else " ") + m.member_id, m.name, m.phone or "", str(m.visit_count))
            for n, m in enumerate(g.members)
        ]
        lines += [("", "", "", "")] * (len(g.reasons) - len(lines))
        for n, line in enumerate(lines):
            table.add_row(
                f"{g.confidence:.2f}" if n == 0 else "",
                g.reasons[n] if n < len(g.reasons) else "",
                *(Text(cell, style="bold" if n == 0 else "") for cell in line),
                end_section=n == len(lines) - 1,
            )
    return table


def group_dict(group: DuplicateGroup) -> dict[str, Any]:
    """One group as the JSON report writes it."""
    return {
        "group": group.key,
        "confidence": group.confidence,
        "reasons": list(group.reasons),
        "survivor": group.survivor.member_id,
        "members": [
            {
                "customer_id": m.customer_id,
                "member_id": m.member_id,
                "name": m.name,
                "phone": m.phone,
                "email": m.email,
                "date_of_birth": m.date_of_birth.isoformat() if m.date_of_birth else None,
                "zip_code": m.zip_code,
                "visits": m.visit_count,
            }
            for m in group.members
        ],
    }
