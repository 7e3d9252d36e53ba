"""Receipts over JSON: send a receipt photo for points (what a partner's own form or an
automation calls), and read one receipt's outcome. Authenticated by API token like the rest of
``/api/v1``; the photo and the person's details travel as ``multipart/form-data``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from fastapi import APIRouter, Depends, File, Form, Path, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.loyalty import service
from conductor.loyalty.customers import Submitter
from conductor.loyalty.models import PointsEntry, Receipt
from conductor.web.api.messages import InvalidRequest, Problem
from conductor.web.deps import AppSettings, DbSession, api_user, now
from conductor.web.pages.rex import Desk, read_upload

_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid token"},
    404: {"model": Problem, "description": "No such receipt"},
    422: {"model": InvalidRequest, "description": "A field or the photo is not acceptable"},
}
router = APIRouter(
    prefix="/api/v1/receipts",
    tags=["receipts"],
    dependencies=[Depends(api_user)],
    responses=_RESPONSES,
)
Status = Literal["review", "approved", "rejected", "duplicate"]


class ReceiptItemOut(BaseModel):
    line_no: int
    name: str
    quantity: Decimal
    unit_price: Decimal | None
    total: Decimal
    product_id: int | None
    qualifying: bool


class ReceiptOut(BaseModel):
    id: int
    status: Status
    submitted_at: datetime
    customer_id: int | None
    dispensary_id: int | None
    receipt_number: str | None
    purchased_at: datetime | None
    budtender_id: int | None
    total: Decimal | None
    qualifying_spend: Decimal
    customer_points: int = Field(description="Points this receipt earned the customer (net).")
    budtender_points: int = Field(description="Points it earned the budtender (net).")
    reasons: list[str] = Field(description="Why it waits for a person (status review).")
    note: str = Field(description="Why it was rejected or is a duplicate.")
    items: list[ReceiptItemOut]

    @classmethod
    def of(cls, session: Session, receipt: Receipt) -> Self:
        earned = session.execute(
            select(PointsEntry.customer_id, PointsEntry.amount).where(
                PointsEntry.receipt_id == receipt.id
            )
        ).all()
        return cls(
            id=receipt.id,
            status=receipt.status,
            submitted_at=receipt.submitted_at,
            customer_id=receipt.customer_id,
            dispensary_id=receipt.dispensary_id,
            receipt_number=receipt.receipt_number,
            purchased_at=receipt.purchased_at,
            budtender_id=receipt.budtender_id,
            total=receipt.total,
            qualifying_spend=receipt.qualifying_spend,
            customer_points=sum(a for c, a in earned if c is not None),
            budtender_points=sum(a for c, a in earned if c is None),
            reasons=receipt.reasons,
            note=receipt.decision_note,
            items=[ReceiptItemOut.model_validate(i, from_attributes=True) for i in receipt.items],
        )


@router.post("", status_code=201, summary="Send a receipt photo for points")
async def send_receipt(
    db: DbSession,
    settings: AppSettings,
    desk: Desk,
    response: Response,
    photo: Annotated[UploadFile, File(description="JPEG, PNG or WebP photo of the receipt")],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    phone: Annotated[str, Form(max_length=40)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    sms_consent: Annotated[bool, Form()] = False,
    email_consent: Annotated[bool, Form()] = False,
) -> ReceiptOut:
    """Read the receipt and decide: ``approved`` (points awarded), ``review`` (a person will
    check it; ``reasons`` say why), ``rejected`` or ``duplicate``."""
    data = await read_upload(photo, desk.max_bytes)
    who = Submitter.checked(
        name,
        phone,
        email,
        sms_consent=sms_consent,
        email_consent=email_consent,
        region=settings.default_region,
    )
    outcome = desk.submit(db, who, data, photo.content_type, now=now(), channel="api")
    response.headers["Location"] = f"/api/v1/receipts/{outcome.receipt.id}"
    return ReceiptOut.of(db, outcome.receipt)


@router.get("/{receipt_id}", summary="One receipt and what it earned")
def get_receipt(receipt_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: DbSession) -> ReceiptOut:
    return ReceiptOut.of(db, service.get_receipt(db, receipt_id))
