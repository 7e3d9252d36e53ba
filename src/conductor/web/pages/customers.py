"""Customers: the IC viewer. Search as you type, a customer's context, their sales (sortable,
paged), the lines of a sale, and editing a customer; every edit is audited.

The form and its parsing are in :mod:`.customer_form`; a product's details in :mod:`.products`.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response

from conductor.accounts.models import User
from conductor.accounts.roles import allowed
from conductor.crm import analytics, edits, service
from conductor.crm.models import Customer
from conductor.errors import InvalidInput
from conductor.web.deps import DbSession, PageUser, now, require
from conductor.web.pages.customer_form import CustomerForm, form_values, parse_form, shop_time
from conductor.web.security import check_csrf
from conductor.web.templating import render

router = APIRouter(include_in_schema=False)
Now = Annotated[datetime, Depends(now)]
Editor = Annotated[User, Depends(require("edit"))]
Deleter = Annotated[User, Depends(require("delete"))]
Exporter = Annotated[User, Depends(require("export"))]
SearchText = Annotated[str, Query(max_length=100, pattern=r"^[^\x00-\x1f]*$")]
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
CSRF = [Depends(check_csrf)]
RESULTS = 25
PAGE = 15
EXPORT_ROWS = 100_000


def _results(db: DbSession, q: str) -> list[tuple[Customer, str]]:
    found = service.search_customers(db, q, limit=RESULTS)
    return [(c, analytics.vip_tier(c.lifetime_value, c.visit_count)) for c in found]


def _panel(
    request: Request, db: DbSession, user: User, customer: Customer, at: datetime, **extra: Any
) -> dict[str, Any]:
    zone = request.app.state.settings.zone
    return {
        "user": user,
        "customer": customer,
        "ctx": analytics.customer_sms_context(db, customer, now=at, zone=zone),
        "local": shop_time(zone),
        **extra,
    }


@router.get("/customers")
def customers_page(
    request: Request,
    user: PageUser,
    db: DbSession,
    at: Now,
    q: SearchText = "",
    id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    context: dict[str, Any] = {"user": user, "nav": "customers", "q": q, "results": _results(db, q)}
    if id is not None:
        customer = service.customer_by_id(db, id)
        context.update(_panel(request, db, user, customer, at), selected=customer.id)
    return render(request, "customers/index.html", context)


@router.get("/customers/search")
def search(request: Request, user: PageUser, db: DbSession, q: SearchText = "") -> Response:
    return render(request, "customers/_results.html", {"q": q, "results": _results(db, q)})


@router.get("/customers/{customer_id}/panel")
def panel(request: Request, user: PageUser, db: DbSession, at: Now, customer_id: Id) -> Response:
    customer = service.customer_by_id(db, customer_id)
    return render(request, "customers/_panel.html", _panel(request, db, user, customer, at))


@router.get("/customers/{customer_id}/edit")
def edit_form(request: Request, user: Editor, db: DbSession, customer_id: Id) -> Response:
    customer = service.customer_by_id(db, customer_id)
    context = {"customer": customer, "values": form_values(customer), "errors": {}}
    return render(request, "customers/_edit.html", context)


@router.post("/customers/{customer_id}", dependencies=CSRF)
def save(
    request: Request,
    user: Editor,
    db: DbSession,
    at: Now,
    customer_id: Id,
    form: Annotated[CustomerForm, Form()],
) -> Response:
    """Save the edit form: fields first (refused whole on any error), then consent."""
    customer = service.customer_by_id(db, customer_id)
    changes, consent, errors = parse_form(form)
    changed: list[str] = []
    if not errors:
        region = request.app.state.settings.default_region
        try:
            changed = edits.edit_customer(
                db, customer, changes, actor=user.username, now=at, region=region
            )
        except InvalidInput as exc:
            errors = {"phone": str(exc)}
    if errors:
        context = {"customer": customer, "values": form.model_dump(), "errors": errors}
        retarget = {"HX-Retarget": "#customer-details", "HX-Reswap": "innerHTML"}
        return render(request, "customers/_edit.html", context, status_code=422, headers=retarget)
    for channel, granted in consent.items():
        if edits.edit_consent(
            db, customer, channel=channel, granted=granted, actor=user.username, now=at
        ):
            changed.append(f"{channel}_consent")
    saved = ", ".join(name.replace("_", " ") for name in changed) or "nothing changed"
    return render(
        request, "customers/_panel.html", _panel(request, db, user, customer, at, saved=saved)
    )


Sort = Literal["date", "total", "items"]
Direction = Literal["asc", "desc"]


@router.get("/customers/{customer_id}/transactions")
def transactions(
    request: Request,
    user: PageUser,
    db: DbSession,
    customer_id: Id,
    sort: Sort = "date",
    dir: Direction = "desc",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """A customer's sales, one page, sorted by a column header."""
    customer = service.customer_by_id(db, customer_id)
    rows = service.customer_transaction_rows(
        db, customer.id, sort=sort, descending=dir == "desc", limit=PAGE, offset=(page - 1) * PAGE
    )
    pages = max(1, -(-customer.visit_count // PAGE))
    context = {
        "customer": customer, "rows": rows, "sort": sort, "dir": dir, "page": page,
        "pages": pages, "total": customer.visit_count, "first": (page - 1) * PAGE + 1,
        "local": shop_time(request.app.state.settings.zone),
        "may_export": allowed(user.role, "export"), "may_delete": allowed(user.role, "delete"),
    }  # fmt: skip
    return render(request, "customers/_transactions.html", context)


@router.get("/customers/{customer_id}/transactions.csv")
def export_transactions(user: Exporter, db: DbSession, at: Now, customer_id: Id) -> Response:
    """Every sale of one customer as CSV (managers and admins; audited)."""
    customer = service.customer_by_id(db, customer_id)
    rows = service.customer_transaction_rows(db, customer.id, limit=EXPORT_ROWS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["transaction_id", "occurred_at", "items", "subtotal", "discount", "tax",
                     "total", "location", "payment_type"])  # fmt: skip
    for row in rows:
        tx = row.transaction
        writer.writerow([tx.transaction_id, tx.occurred_at.isoformat(), row.item_count,
                         tx.subtotal, tx.discount, tx.tax, tx.total, tx.location or "",
                         tx.payment_type or ""])  # fmt: skip
    edits.audit_export(db, actor=user.username, what="customer", ident=customer.id, now=at)
    name = f"customer-{customer.member_id}-transactions.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/customers/transactions/{transaction_id}/items")
def items(request: Request, user: PageUser, db: DbSession, transaction_id: Id) -> Response:
    """The lines of one sale."""
    tx = service.transaction_by_id(db, transaction_id)
    context = {
        "tx": tx,
        "items": service.transaction_items(db, tx.id),
        "local": shop_time(request.app.state.settings.zone),
        "may_delete": allowed(user.role, "delete"),
    }
    return render(request, "customers/_items.html", context)


@router.post("/customers/transactions/{transaction_id}/delete", dependencies=CSRF)
def delete_transaction(
    request: Request, user: Deleter, db: DbSession, at: Now, transaction_id: Id
) -> Response:
    """Remove a sale (managers and admins; audited); the panel refreshes the customer."""
    tx = service.transaction_by_id(db, transaction_id)
    customer_id = tx.customer_id
    edits.remove_transaction(db, tx, actor=user.username, now=at)
    if customer_id is None:
        return Response(status_code=204)
    customer = service.customer_by_id(db, customer_id)
    context = _panel(request, db, user, customer, at, saved="sale deleted")
    return render(request, "customers/_panel.html", context)
