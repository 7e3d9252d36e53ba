"""Budtenders over JSON: the X viewer's list (same search, filters and sorts) and one budtender.

Read-only: points change in the console (audited) or through receipts. Every input is bounded by
its schema, so the OpenAPI document says exactly what the server accepts.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from conductor.budtenders import board
from conductor.errors import NotFound
from conductor.web.api.customers import Problem
from conductor.web.deps import ApiUser, DbSession, now

router = APIRouter(
    prefix="/api/v1/budtenders",
    tags=["budtenders"],
    responses={401: {"model": Problem, "description": "Missing, unknown or revoked API token"}},
)
MAX_ID = 2**31 - 1
Tier = Literal["Platinum", "Gold", "Silver", "Bronze", "New"]
Status = Literal["new", "active", "inactive"]
Sort = Literal["name", "dispensary", "tier", "points", "receipts", "sales", "last_activity"]


class BudtenderOut(BaseModel):
    id: int
    name: str
    status: Status
    dispensary_id: int
    dispensary: str
    phone: str | None = Field(description="E.164")
    email: str | None
    instagram: str | None = Field(description="The handle, without @")
    points: int = Field(description="Balance: the sum of the budtender's ledger rows")
    receipts: int = Field(description="Approved receipts credited to the budtender")
    sales: Decimal = Field(description="Qualifying (house-brand) spend on those receipts")
    last_activity: datetime | None = Field(description="When the latest of them was sent")
    tier: Tier

    @classmethod
    def of(cls, row: board.BudtenderRow) -> BudtenderOut:
        return cls.model_validate(row, from_attributes=True)


class BudtenderPage(BaseModel):
    total: int = Field(description="Budtenders matching the filters, on all pages")
    limit: int
    offset: int
    budtenders: list[BudtenderOut]


@router.get("", summary="Budtenders, filtered and sorted like the X viewer")
def list_budtenders(
    user: ApiUser,
    db: DbSession,
    q: Annotated[
        str,
        Query(
            max_length=100,
            pattern=r"^[^\x00-\x1f\x7f]*$",
            description="Start of a name, dispensary, phone number, e-mail or instagram handle.",
        ),
    ] = "",
    dispensary_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    tier: Tier | None = None,
    activity: Annotated[
        Literal["7d", "30d", "90d", "inactive"] | None,
        Query(description="An approved receipt in the last 7/30/90 days, or none in 90 days"),
    ] = None,
    status: Status | None = None,
    sort: Sort = "points",
    dir: Literal["asc", "desc"] = "desc",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> BudtenderPage:
    at = now()
    filters: dict[str, Any] = {"text": q, "dispensary_id": dispensary_id, "tier": tier,
                               "activity": activity, "status": status}  # fmt: skip
    rows = board.budtender_rows(db, now=at, sort=sort, descending=dir == "desc", limit=limit,
                                offset=offset, **filters)  # fmt: skip
    total = board.budtender_count(db, now=at, **filters)
    return BudtenderPage(total=total, limit=limit, offset=offset,
                         budtenders=[BudtenderOut.of(r) for r in rows])  # fmt: skip


@router.get(
    "/{budtender_id}",
    summary="One budtender with their figures",
    responses={404: {"model": Problem, "description": "No such budtender"}},
)
def get_budtender(
    user: ApiUser, db: DbSession, budtender_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> BudtenderOut:
    row = board.budtender_row(db, budtender_id, now=now())
    if row is None:
        raise NotFound(f"no budtender {budtender_id}")
    return BudtenderOut.of(row)
