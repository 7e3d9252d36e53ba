"""The X viewer through HTTP: the budtender table (search, filters, sort, pages), one budtender's
panel, profile edits and points adjustments with their ledger and audit rows, roles and CSRF."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import unescape

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from webkit import add_user, login

from conductor.accounts.models import AuditEntry
from conductor.budtenders.models import Budtender
from conductor.loyalty import points
from conductor.loyalty.models import APPROVED, RECEIPT, PointsEntry, Receipt
from conductor.web.deps import now
from factories import make_budtender, make_dispensary

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def pinned_clock(web_app: FastAPI) -> None:
    web_app.dependency_overrides[now] = lambda: NOW


@pytest.fixture
def manager(client: TestClient, sessions: sessionmaker[Session]) -> str:
    add_user(sessions, "mia", "manager")
    return login(client, "mia")


@pytest.fixture
def staff(client: TestClient, sessions: sessionmaker[Session]) -> str:
    add_user(sessions, "sam", "staff")
    return login(client, "sam")


def _receipt(s: Session, budtender_id: int, spend: str, *, at: datetime) -> Receipt:
    """An approved receipt credited to a budtender, with its ledger row (10 points a dollar)."""
    receipt = Receipt(
        status=APPROVED, submitted_at=at, budtender_id=budtender_id,
        qualifying_spend=Decimal(spend), image_sha256="0" * 64,
    )  # fmt: skip
    s.add(receipt)
    s.flush()
    points.record(s, amount=int(Decimal(spend)) * 10, reason=RECEIPT, actor="desk", now=at,
                  budtender_id=budtender_id, receipt_id=receipt.id)  # fmt: skip
    return receipt


@pytest.fixture
def partners(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Two partner shops: Ana (Silver, busy this week), Ben (Gold, quiet since summer), Cruz
    (new, from a receipt's cashier name, no points)."""
    with sessions.begin() as s:
        door = make_dispensary(s, name="Green Door")
        bay = make_dispensary(s, name="South Bay Collective")
        ana = make_budtender(s, door, first_name="Ana", last_name="Reyes", phone="(213) 555-0101",
                             email="ana@greendoor.example", instagram="@ana.buds")  # fmt: skip
        ben = make_budtender(s, door, first_name="Ben", last_name="Cole")
        cruz = make_budtender(s, bay, first_name="Cruz", last_name="Ortiz", status="new")
        first = _receipt(s, ana.id, "60.00", at=NOW - 3 * DAY)
        _receipt(s, ana.id, "45.50", at=NOW - 40 * DAY)
        points.adjust(s, amount=-50, note="double scan", actor="mia", now=NOW - DAY,
                      budtender_id=ana.id)  # fmt: skip
        _receipt(s, ben.id, "600", at=NOW - 120 * DAY)
        return {"door": door.id, "bay": bay.id, "ana": ana.id, "ben": ben.id, "cruz": cruz.id,
                "receipt": first.id}  # fmt: skip


def _names(html: str) -> list[str]:
    """The budtenders' names in table order."""
    return [unescape(n) for n in re.findall(r'<td class="bt-name">([^<]+?)\s*(?:<|</td>)', html)]


def _balance(html: str) -> str:
    match = re.search(r'<b id="bt-balance">([^<]+)</b>', html)
    assert match, "the panel shows no balance"
    return match.group(1)


def test_the_viewer_lists_budtenders_with_their_figures(
    client: TestClient, manager: str, partners: dict[str, int]
) -> None:
    html = client.get("/budtenders").text
    assert '<a href="/budtenders" class="active">Budtenders</a>' in html
    assert _names(html) == ["Ben Cole", "Ana Reyes", "Cruz Ortiz"]  # most points first
    ana = html.split(f'data-budtender="{partners["ana"]}"', 1)[1].split("</tr>", 1)[0]
    for shown in ("Green Door", "+12135550101", "ana@greendoor.example", "@ana.buds", "Silver",
                  ">1,000</td>", ">2</td>", "$105.50", "2026-11-21"):  # fmt: skip
        assert shown in ana, shown
    assert "3 budtenders" in html and "MOTA sales" in html


def test_search_as_you_type_finds_names_shops_phones_and_handles(
    client: TestClient, manager: str, partners: dict[str, int]
) -> None:
    def search(q: str) -> list[str]:
        return _names(client.get("/budtenders/table", params={"q": q}).text)

    assert search("an") == ["Ana Reyes"]
    assert search("ort") == ["Cruz Ortiz"]  # a last name
    assert search("south") == ["Cruz Ortiz"]  # the dispensary
    assert search("555 0101") == ["Ana Reyes"] and search("@ana.b") == ["Ana Reyes"]
    assert "starts with “zz”" in client.get("/budtenders/table", params={"q": "zz"}).text


def test_filters_narrow_the_table_and_are_pushed_to_the_address(
    client: TestClient, manager: str, partners: dict[str, int]
) -> None:
    def table(**params: str | int) -> list[str]:
        return _names(client.get("/budtenders/table", params=params).text)

    assert table(dispensary=partners["bay"]) == ["Cruz Ortiz"]
    assert table(tier="Gold") == ["Ben Cole"]
    assert table(activity="7d") == ["Ana Reyes"]
    assert table(activity="inactive") == ["Ben Cole", "Cruz Ortiz"]
    assert table(status="new") == ["Cruz Ortiz"]
    assert table(dispensary=partners["door"], activity="30d", tier="Gold") == []
    assert table(dispensary="", tier="", activity="", status="") == _names(
        client.get("/budtenders").text
    )
    response = client.get("/budtenders/table", params={"tier": "Gold", "q": "be", "sort": "name"})
    assert response.headers["HX-Push-Url"] == "/budtenders?q=be&tier=Gold&sort=name"
    opens = f'hx-push-url="/budtenders?q=be&amp;tier=Gold&amp;sort=name&amp;id={partners["ben"]}"'
    assert opens in response.text  # picking a row keeps the list in the address


def test_columns_sort_both_ways(client: TestClient, manager: str, partners: dict[str, int]) -> None:
    def order(sort: str, direction: str) -> list[str]:
        return _names(client.get("/budtenders/table", params={"sort": sort, "dir": direction}).text)

    assert order("name", "asc") == ["Ana Reyes", "Ben Cole", "Cruz Ortiz"]
    assert order("name", "desc") == ["Cruz Ortiz", "Ben Cole", "Ana Reyes"]
    assert order("dispensary", "desc")[0] == "Cruz Ortiz"
    assert order("receipts", "desc") == ["Ana Reyes", "Ben Cole", "Cruz Ortiz"]
    assert order("sales", "asc") == ["Cruz Ortiz", "Ana Reyes", "Ben Cole"]
    assert order("last_activity", "desc") == ["Ana Reyes", "Ben Cole", "Cruz Ortiz"]
    by_name = client.get("/budtenders/table", params={"sort": "name", "dir": "asc"}).text
    assert 'aria-sort="ascending"' in by_name
    assert 'hx-get="/budtenders/table?sort=name"' in by_name  # next: descending (the default)


def test_the_table_is_paged(
    client: TestClient, manager: str, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as s:
        shop = make_dispensary(s, name="Big Shop")
        for n in range(53):
            make_budtender(s, shop, first_name=f"Staffer{n:02d}")
    first = client.get("/budtenders/table", params={"sort": "name", "dir": "asc"}).text
    assert len(_names(first)) == 50 and "1\u201350 of 53" in first
    assert "page=2" in first
    second = client.get("/budtenders/table", params={"sort": "name", "dir": "asc", "page": 2}).text
    assert (
        _names(second) == ["Staffer50", "Staffer51", "Staffer52"] and "51\u201353 of 53" in second
    )
    assert "Back to the first page" in client.get("/budtenders/table", params={"page": 9}).text


@pytest.mark.parametrize(
    "params",
    [{"sort": "colour"}, {"dir": "up"}, {"tier": "Diamond"}, {"activity": "1y"},
     {"status": "retired"}, {"dispensary": "abc"}, {"page": 0}, {"q": "a\x01"}],
)  # fmt: skip
def test_unknown_filter_values_are_refused(
    client: TestClient, manager: str, params: dict[str, str | int]
) -> None:
    assert client.get("/budtenders/table", params=params).status_code == 422


def test_the_panel_shows_profile_balance_chart_and_ledger(
    client: TestClient, manager: str, partners: dict[str, int]
) -> None:
    html = client.get(f"/budtenders/{partners['ana']}/panel").text
    assert "<h2>Ana Reyes</h2>" in html and "Green Door" in html and _balance(html) == "1,000"
    chart = json.loads(unescape(re.search(r"data-chart='([^']+)'", html).group(1)))  # type: ignore[union-attr]
    assert len(chart["data"]["labels"]) == 12 and chart["data"]["labels"][-1] == "Nov 23"
    assert chart["data"]["datasets"][0]["data"][-2:] == [600, -50]  # week of Nov 16, this week
    ledger = html.split('<table class="ledger">', 1)[1]
    rows = ledger.split("<tr>")[2:]
    assert "double scan" in rows[0] and "\u221250" in rows[0] and "mia" in rows[0]
    assert f'href="/receipts/{partners["receipt"]}"' in rows[1] and "+600" in rows[1]
    assert "+450" in rows[2] and len(rows) == 3
    assert f'hx-post="/budtenders/{partners["ana"]}/points"' in html  # a manager may adjust
    assert 'name="csrf_token"' in html
    cruz = client.get(f"/budtenders/{partners['cruz']}/panel").text
    assert "No points in the last 12 weeks" in cruz and "<canvas" not in cruz
    assert "No points yet" in cruz and "found on a receipt" not in cruz


def test_a_deep_link_opens_the_panel_and_an_unknown_budtender_is_said_so(
    client: TestClient, manager: str, partners: dict[str, int]
) -> None:
    html = client.get("/budtenders", params={"id": partners["ben"]}).text
    assert "<h2>Ben Cole</h2>" in html and 'id="bt-selected"' in html
    assert client.get("/budtenders", params={"id": 999999}).status_code == 404
    gone = client.get("/budtenders/999999/panel", headers={"HX-Request": "true"})
    assert gone.status_code == 404 and "no budtender 999999" in gone.text and "<h2>" in gone.text
    assert client.get("/budtenders/99999999999/panel").status_code == 422


def test_the_leaderboard_and_the_weekly_chart_of_everyone(
    client: TestClient, manager: str, partners: dict[str, int]
) -> None:
    board = client.get("/budtenders/leaderboard").text
    assert "Ana Reyes" in board and ">550</b>" in board  # 600 earned - 50 taken, last 30 days
    assert "Ben Cole" not in board and "Cruz" not in board
    chart_html = client.get("/budtenders/performance").text
    chart = json.loads(unescape(re.search(r"data-chart='([^']+)'", chart_html).group(1)))  # type: ignore[union-attr]
    points_by_week, receipts_by_week = (d["data"] for d in chart["data"]["datasets"])
    assert sum(points_by_week) == 1000 and sum(receipts_by_week) == 2  # day 40's 450 too
    assert "1,000" in chart_html


def test_an_adjustment_writes_the_ledger_and_the_audit_log_and_changes_the_balance(
    client: TestClient, manager: str, partners: dict[str, int], sessions: sessionmaker[Session]
) -> None:
    form = {"csrf_token": manager, "amount": "-150", "reason": "  returned   product "}
    response = client.post(f"/budtenders/{partners['ana']}/points", data=form)
    assert response.status_code == 200, response.text
    assert "Saved: -150 points" in response.text and _balance(response.text) == "850"
    assert response.headers["HX-Trigger"] == "budtender-changed"
    with sessions() as s:
        assert points.budtender_balance(s, partners["ana"]) == 850
        entry = s.scalars(select(PointsEntry).order_by(PointsEntry.id.desc())).first()
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "points.adjust")).one()
    assert entry is not None
    assert (entry.amount, entry.reason, entry.note, entry.created_by, entry.budtender_id) == (
        -150, "adjustment", "returned product", "mia", partners["ana"]
    )  # fmt: skip
    assert (audit.actor, audit.entity, audit.entity_id) == (
        "mia",
        "budtender",
        str(partners["ana"]),
    )
    assert audit.before == {"points": 1000}
    assert audit.after == {"points": 850, "amount": -150, "note": "returned product",
                           "entry_id": entry.id}  # fmt: skip
    assert "returned product" in client.get(f"/budtenders/{partners['ana']}/panel").text


def _ledger_rows(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count(PointsEntry.id))) or 0)


def test_staff_may_look_but_not_adjust_points(
    client: TestClient, staff: str, partners: dict[str, int], sessions: sessionmaker[Session]
) -> None:
    panel = client.get(f"/budtenders/{partners['ana']}/panel").text
    assert "may look but not change points" in panel and "/points" not in panel
    before = _ledger_rows(sessions)
    form = {"csrf_token": staff, "amount": "500", "reason": "friend"}
    refused = client.post(f"/budtenders/{partners['ana']}/points", data=form,
                          headers={"HX-Request": "true"})  # fmt: skip
    assert refused.status_code == 403 and "staff" in refused.json()["detail"]
    assert _ledger_rows(sessions) == before


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [("0", "typo", "0 points changes nothing"),
     ("ten", "typo", "a whole number of points"),
     ("1.5", "typo", "a whole number of points"),
     ("", "typo", "a whole number of points"),
     ("2000000", "promo", "at most 1,000,000 points"),
     ("100", "   ", "say why")],
)  # fmt: skip
def test_a_bad_adjustment_is_refused_with_a_message_in_the_panel(
    client: TestClient,
    manager: str,
    partners: dict[str, int],
    sessions: sessionmaker[Session],
    amount: str,
    reason: str,
    message: str,
) -> None:
    before = _ledger_rows(sessions)
    form = {"csrf_token": manager, "amount": amount, "reason": reason}
    response = client.post(f"/budtenders/{partners['ana']}/points", data=form)
    assert response.status_code == 422 and message in response.text
    assert "<h2>Ana Reyes</h2>" in response.text and _balance(response.text) == "1,000"
    assert f'value="{amount}"' in response.text  # what was typed stays in the form
    assert _ledger_rows(sessions) == before
    with sessions() as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == 0


def test_an_adjustment_for_an_unknown_budtender_is_refused(
    client: TestClient, manager: str, partners: dict[str, int], sessions: sessionmaker[Session]
) -> None:
    form = {"csrf_token": manager, "amount": "10", "reason": "x"}
    response = client.post("/budtenders/424242/points", data=form)
    assert response.status_code == 404 and "no budtender 424242" in response.text
    assert client.post("/budtenders/0/points", data=form).status_code == 422
    assert _ledger_rows(sessions) == 4


@pytest.mark.parametrize("token", [None, "forged"])
def test_changes_need_the_csrf_token(
    client: TestClient,
    manager: str,
    partners: dict[str, int],
    sessions: sessionmaker[Session],
    token: str | None,
) -> None:
    extra = {"csrf_token": token} if token else {}
    adjust = client.post(f"/budtenders/{partners['ana']}/points",
                         data={"amount": "10", "reason": "x", **extra})  # fmt: skip
    edit = client.post(f"/budtenders/{partners['ana']}",
                       data={"first_name": "Eve", "status": "active",
                             "dispensary_id": str(partners["door"]), **extra})  # fmt: skip
    assert adjust.status_code == edit.status_code == 403 and "CSRF" in adjust.text
    assert _ledger_rows(sessions) == 4
    with sessions() as s:
        assert s.get_one(Budtender, partners["ana"]).first_name == "Ana"


def _profile(token: str, dispensary: int, **changes: str) -> dict[str, str]:
    form = {"csrf_token": token, "first_name": "Ana", "last_name": "Reyes", "status": "active",
            "phone": "+12135550101", "email": "ana@greendoor.example", "instagram": "@ana.buds",
            "dispensary_id": str(dispensary)}  # fmt: skip
    return form | changes


def test_a_profile_edit_is_saved_and_audited_with_before_and_after(
    client: TestClient, staff: str, partners: dict[str, int], sessions: sessionmaker[Session]
) -> None:
    form = _profile(staff, partners["bay"], status="inactive", phone="(310) 555-0199",
                    email="Ana@Bay.example", instagram="anareyes")  # fmt: skip
    response = client.post(f"/budtenders/{partners['ana']}", data=form)
    assert response.status_code == 200, response.text
    assert "Saved: dispensary, email, instagram, phone, status" in response.text
    assert response.headers["HX-Trigger"] == "budtender-changed"
    with sessions() as s:
        ana = s.get_one(Budtender, partners["ana"])
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "budtender.update")).one()
    assert (ana.status, ana.phone, ana.email, ana.instagram, ana.dispensary_id) == (
        "inactive", "+13105550199", "ana@bay.example", "anareyes", partners["bay"]
    )  # fmt: skip
    assert audit.actor == "sam" and audit.entity_id == str(partners["ana"])
    assert audit.before == {"status": "active", "phone": "+12135550101",
                            "email": "ana@greendoor.example", "instagram": "ana.buds",
                            "dispensary_id": partners["door"]}  # fmt: skip
    assert audit.after == {"status": "inactive", "phone": "+13105550199",
                           "email": "ana@bay.example", "instagram": "anareyes",
                           "dispensary_id": partners["bay"]}  # fmt: skip
    same = client.post(f"/budtenders/{partners['ana']}", data=form)
    assert "Saved: nothing changed" in same.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"phone": "12"}, "not a phone number"),
     ({"email": "ana at home"}, "not an e-mail address"),
     ({"status": "retired"}, "one of new, active, inactive"),
     ({"dispensary_id": "999999"}, "pick one of the partner dispensaries"),
     ({"dispensary_id": "the bay"}, "pick one of the partner dispensaries"),
     ({"first_name": "  "}, "a budtender needs a first name"),
     ({"last_name": "x" * 61}, "at most 60 characters")],
)  # fmt: skip
def test_a_bad_profile_edit_changes_nothing(
    client: TestClient,
    manager: str,
    partners: dict[str, int],
    sessions: sessionmaker[Session],
    changes: dict[str, str],
    message: str,
) -> None:
    form = _profile(manager, partners["door"], **({"status": "inactive"} | changes))
    response = client.post(f"/budtenders/{partners['ana']}", data=form)
    assert response.status_code == 422 and message in response.text
    assert '<details class="bt-edit" open>' in response.text
    with sessions() as s:
        ana = s.get_one(Budtender, partners["ana"])
        assert (ana.status, ana.phone, ana.first_name) == ("active", "+12135550101", "Ana")
        assert s.scalar(select(func.count(AuditEntry.id))) == 0
