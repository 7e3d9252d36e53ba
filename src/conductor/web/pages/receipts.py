"""The receipt review queue: receipts the desk could not approve on its own, with the photo and
what was read, for a manager to correct, approve or reject; and every other receipt by status.
Corrections, approvals and rejections need the ``points`` permission and are audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from conductor.accounts import service as accounts
from conductor.accounts.models import User
from conductor.budtenders import service as budtenders
from conductor.budtenders.models import Budtender, Dispensary
from conductor.crm.models import Product
from conductor.errors import InvalidInput, NotFound
from conductor.loyalty import points
from conductor.loyalty.extraction import ReceiptLine
from conductor.loyalty.models import STATUSES, PointsEntry, Receipt, ReceiptImage
from conductor.loyalty.service import Correction, get_receipt
from conductor.web.deps import AppSettings, DbSession, PageUser, now, require
from conductor.web.pages.rex import Desk
from conductor.web.security import check_csrf
from conductor.web.templating import render

router = APIRouter(include_in_schema=False)
ReceiptId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Manager = Annotated[User, Depends(require("points"))]
PAGE = 50
BLANK_LINES = 2


@router.get("/receipts")
def receipts_page(
    request: Request,
    user: PageUser,
    db: DbSession,
    status: Literal["review", "approved", "rejected", "duplicate"] = "review",
) -> Response:
    counts = dict(db.execute(select(Receipt.status, func.count()).group_by(Receipt.status)).all())
    stmt = (
        select(Receipt, Dispensary.name)
        .outerjoin(Dispensary, Dispensary.id == Receipt.dispensary_id)
        .where(Receipt.status == status)
        .order_by(Receipt.submitted_at.desc(), Receipt.id.desc())
        .limit(PAGE)
    )
    rows = db.execute(stmt).all()
    context = {
        "user": user,
        "nav": "receipts",
        "status": status,
        "statuses": STATUSES,
        "counts": counts,
        "rows": rows,
    }
    return render(request, "receipts/index.html", context)


@router.get("/receipts/{receipt_id}")
def receipt_page(
    request: Request, user: PageUser, db: DbSession, receipt_id: ReceiptId
) -> Response:
    return render(request, "receipts/detail.html", _detail(db, user, receipt_id))


def _detail(db: Session, user: User, receipt_id: int, **extra: Any) -> dict[str, Any]:
    receipt = get_receipt(db, receipt_id)
    staff = budtenders.staff_of(db, receipt.dispensary_id) if receipt.dispensary_id else []
    products = dict(
        db.execute(
            select(Product.id, Product.name).where(
                Product.id.in_([i.product_id for i in receipt.items if i.product_id])
            )
        ).all()
    )
    earned = db.scalars(select(PointsEntry).where(PointsEntry.receipt_id == receipt.id)).all()
    has_image = db.get(ReceiptImage, receipt.id) is not None
    return {
        "user": user,
        "nav": "receipts",
        "r": receipt,
        "staff": staff,
        "products": products,
        "dispensaries": budtenders.dispensaries(db),
        "earned": earned,
        "has_image": has_image,
        "blank_lines": BLANK_LINES,
        "error": None,
        "customer_balance": points.customer_balance(db, receipt.customer_id)
        if receipt.customer_id
        else None,
        "budtender": db.get(Budtender, receipt.budtender_id) if receipt.budtender_id else None,
    } | extra


@router.get("/receipts/{receipt_id}/image")
def receipt_image(user: PageUser, db: DbSession, receipt_id: ReceiptId) -> Response:
    image = db.get(ReceiptImage, receipt_id)
    if image is None:
        raise NotFound(f"receipt {receipt_id} has no photo")
    headers = {"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    return Response(image.data, media_type=image.content_type, headers=headers)


def _decide(
    request: Request,
    db: Session,
    user: User,
    receipt_id: int,
    action: str,
    step: Callable[[Receipt], object],
) -> Response:
    """Run one manager's step on a receipt and audit it; a refusal re-renders the page with why."""
    receipt = get_receipt(db, receipt_id)
    before = _snapshot(receipt)
    try:
        step(receipt)
    except InvalidInput as exc:
        db.rollback()
        context = _detail(db, user, receipt_id, error=str(exc))
        return render(request, "receipts/detail.html", context, status_code=422)
    accounts.audit(
        db,
        actor=user.username,
        action=action,
        entity="receipt",
        entity_id=receipt.id,
        before=before,
        after=_snapshot(receipt),
        now=now(),
    )
    return RedirectResponse(f"/receipts/{receipt_id}", status_code=303)


@router.post("/receipts/{receipt_id}/correct", dependencies=[Depends(check_csrf)])
async def correct(
    request: Request,
    user: Manager,
    db: DbSession,
    desk: Desk,
    settings: AppSettings,
    receipt_id: ReceiptId,
) -> Response:
    form = await request.form()

    def step(receipt: Receipt) -> object:
        correction = _correction(form, settings.zone)
        return desk.correct(db, receipt, correction, actor=user.username, now=now())

    return _decide(request, db, user, receipt_id, "correct", step)


@router.post("/receipts/{receipt_id}/approve", dependencies=[Depends(check_csrf)])
def approve(
    request: Request, user: Manager, db: DbSession, desk: Desk, receipt_id: ReceiptId
) -> Response:
    def step(receipt: Receipt) -> object:
        return desk.approve(db, receipt, actor=user.username, now=now())

    return _decide(request, db, user, receipt_id, "approve", step)


@router.post("/receipts/{receipt_id}/reject", dependencies=[Depends(check_csrf)])
def reject(
    request: Request,
    user: Manager,
    db: DbSession,
    desk: Desk,
    receipt_id: ReceiptId,
    note: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    def step(receipt: Receipt) -> object:
        return desk.reject(db, receipt, note=note, actor=user.username, now=now())

    return _decide(request, db, user, receipt_id, "reject", step)


def _snapshot(receipt: Receipt) -> dict[str, Any]:
    return {
        "status": receipt.status,
        "dispensary_id": receipt.dispensary_id,
        "receipt_number": receipt.receipt_number,
        "budtender_id": receipt.budtender_id,
        "total": str(receipt.total) if receipt.total is not None else None,
        "qualifying_spend": str(receipt.qualifying_spend),
        "items": [[i.name, str(i.quantity), str(i.total)] for i in receipt.items],
    }


def _correction(form: FormData, zone: Any) -> Correction:
    """The review form's fields as a :class:`Correction` (blank: unchanged; lines: replaced)."""
    lines = []
    names, qtys = form.getlist("item_name"), form.getlist("item_qty")
    units, totals = form.getlist("item_unit"), form.getlist("item_total")
    for number, (name, qty, unit, total) in enumerate(
        zip(names, qtys, units, totals, strict=False), start=1
    ):
        if not str(name).strip() and not str(total).strip():
            continue
        label = f"line {number}"
        lines.append(
            ReceiptLine(
                str(name).strip()[:200] or "?",
                _money(qty, f"{label} quantity") or Decimal(1),
                _money(unit, f"{label} unit price"),
                _money(total, f"{label} total") or Decimal(0),
            )
        )
    bought = str(form.get("purchased_at") or "").strip()
    try:
        purchased = datetime.fromisoformat(bought).replace(tzinfo=zone) if bought else None
    except ValueError:
        raise InvalidInput(f"purchase date: {bought!r} is not a date and time") from None
    return Correction(
        dispensary_id=_int(form.get("dispensary_id")),
        receipt_number=str(form.get("receipt_number") or "").strip() or None,
        budtender_id=_int(form.get("budtender_id")),
        purchased_at=purchased,
        lines=tuple(lines) if names else None,
        subtotal=_money(form.get("subtotal"), "subtotal"),
        discount=_money(form.get("discount"), "discount"),
        tax=_money(form.get("tax"), "tax"),
        total=_money(form.get("total"), "total"),
    )


def _money(value: Any, what: str) -> Decimal | None:
    text = str(value or "").strip().lstrip("$").replace(",", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{what}: {text!r} is not a number") from None
    if not amount.is_finite() or amount < 0 or amount > 100_000:
        raise InvalidInput(f"{what}: {text!r} is out of range")
    return amount.quantize(Decimal("0.001") if "quantity" in what else Decimal("0.01"))


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise InvalidInput(f"{text!r} is not an id")
    return int(text)
