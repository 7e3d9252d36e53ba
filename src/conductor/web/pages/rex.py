"""The public receipt form (REX): no login. A customer sends their name, phone, e-mail, consent
and a photo of a receipt; the answer says what it earned or that a person will check it.

CSRF protection works without a login (the anonymous session carries the token), uploads are
size-limited while they are read, and one address may send a limited number per window.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from conductor.errors import InvalidInput
from conductor.loyalty.customers import Submitter
from conductor.loyalty.desk import ReceiptDesk
from conductor.loyalty.points import PointsRules
from conductor.web.deps import AppSettings, DbSession, now
from conductor.web.security import LoginLimiter, check_csrf
from conductor.web.templating import render

router = APIRouter(include_in_schema=False)
LIMIT = (10, 600.0)
"""Receipts one address may send per ten minutes."""


def receipt_desk(request: Request) -> ReceiptDesk:
    """The app's desk (built from the settings at first use: tesseract loads lazily)."""
    desk: ReceiptDesk | None = getattr(request.app.state, "receipt_desk", None)
    if desk is None:
        desk = ReceiptDesk.from_settings(request.app.state.settings)
        request.app.state.receipt_desk = desk
    return desk


Desk = Annotated[ReceiptDesk, Depends(receipt_desk)]


async def read_upload(photo: UploadFile, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes: enough to tell a photo that is too big."""
    return await photo.read(max_bytes + 1)


def _limiter(request: Request) -> LoginLimiter:
    limiter: LoginLimiter | None = getattr(request.app.state, "receipt_limiter", None)
    if limiter is None:
        limiter = LoginLimiter(*LIMIT)
        request.app.state.receipt_limiter = limiter
    return limiter


def _brands(settings: AppSettings) -> str:
    return " / ".join(sorted(settings.loyalty_brands)) or "house-brand"


@router.get("/rex")
def receipt_form(request: Request, settings: AppSettings) -> Response:
    return render(
        request, "rex/form.html", {"brands": _brands(settings), "error": None, "form": {}}
    )


@router.post("/rex", dependencies=[Depends(check_csrf)])
async def submit_receipt(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    desk: Desk,
    photo: Annotated[UploadFile, File()],
    name: Annotated[str, Form(max_length=200)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    sms_consent: Annotated[bool, Form()] = False,
    email_consent: Annotated[bool, Form()] = False,
) -> Response:
    form = {
        "name": name,
        "phone": phone,
        "email": email,
        "sms_consent": sms_consent,
        "email_consent": email_consent,
    }
    context = {"brands": _brands(settings), "form": form}
    limiter, client = _limiter(request), request.client.host if request.client else "?"
    if limiter.blocked(client, "rex"):
        error = "Too many receipts from here in a short time: try again in a few minutes."
        return render(request, "rex/form.html", context | {"error": error}, status_code=429)
    data = await read_upload(photo, desk.max_bytes)
    try:
        who = Submitter.checked(
            name,
            phone,
            email,
            sms_consent=sms_consent,
            email_consent=email_consent,
            region=settings.default_region,
        )
        outcome = desk.submit(db, who, data, photo.content_type, now=now(), channel="form")
    except InvalidInput as exc:
        return render(request, "rex/form.html", context | {"error": str(exc)}, status_code=422)
    limiter.failed(client, "rex")  # counts toward the limit
    rules = PointsRules.from_settings(settings)
    return render(
        request,
        "rex/result.html",
        {"outcome": outcome, "rules": rules, "brands": _brands(settings)},
    )
