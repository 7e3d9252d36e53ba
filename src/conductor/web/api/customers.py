"""Customers over JSON: search, one record, the SMS context an agent texts with, and sales.

A customer is named by ``ident``: the database id, the member id or a phone number in any common
format (what :func:`conductor.crm.service.get_customer` accepts); unknown ones answer 404. Every
input is bounded by its schema, so the OpenAPI document says exactly what the server accepts.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from conductor.crm import analytics, service
from conductor.crm.models import Customer
from conductor.web.deps import ApiUser, AppSettings, DbSession, now


class Problem(BaseModel):
    detail: str = Field(description="What was wrong, in words.")


router = APIRouter(
    prefix="/api/v1/customers",
    tags=["customers"],
    responses={
        401: {"model": Problem, "description": "Missing, unknown or revoked API token"},
        404: {"model": Problem, "description": "No such customer"},
    },
)
Ident = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9+()._@\- ]+$",
        description="Database id, member id or phone number (any common format).",
        examples=["+12135550123"],
    ),
]
Tier = Literal["New", "Bronze", "Silver", "Gold", "Platinum"]


class CustomerSummary(BaseModel):
    id: int
    member_id: str
    name: str
    first_name: str
    last_name: str
    phone: str | None = Field(description="E.164")
    email: str | None
    tier: Tier
    visit_count: int
    lifetime_value: Decimal
    last_visit_at: datetime | None
    sms_consent: bool

    @classmethod
    def of(cls, customer: Customer) -> Self:
        values = {name: getattr(customer, name) for name in cls.model_fields if name != "tier"}
        return cls(**values, tier=analytics.vip_tier(customer.lifetime_value, customer.visit_count))


class CustomerRecord(CustomerSummary):
    date_of_birth: date | None
    loyalty_points: int
    member_group: str | None
    marketing_source: str | None
    state: str | None
    zip_code: str | None
    date_joined: date | None
    email_consent: bool
    first_visit_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CustomerSearch(BaseModel):
    q: str
    count: int
    customers: list[CustomerSummary]


class CustomerContext(BaseModel):
    """What a texting agent needs about one customer (see ``crm.analytics.SmsContext``)."""

    model_config = ConfigDict(from_attributes=True)

    customer_id: int
    member_id: str
    first_name: str
    name: str
    phone: str | None
    email: str | None
    tier: Tier
    loyalty_points: int
    visits: int
    lifetime_value: Decimal
    average_sale: Decimal | None
    last_visit: datetime | None
    days_since_last_visit: int | None
    favourite_category: str | None
    favourite_brand: str | None
    favourite_products: list[str]
    preferred_location: str | None
    preferred_weekday: str | None
    usual_hour: int | None = Field(description="0-23, shop time")
    next_visit_expected: datetime | None
    churn_risk: Literal["unknown", "low", "medium", "high", "lost"]
    sms_consent: bool
    email_consent: bool


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_id: str
    product_id: int | None
    product_name: str
    brand: str | None
    category: str | None
    quantity: Decimal
    unit_price: Decimal
    total_price: Decimal


class TransactionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    transaction_id: str
    occurred_at: datetime
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal
    location: str | None
    payment_type: str | None
    items: list[ItemOut]


class TransactionPage(BaseModel):
    customer_id: int
    total: int = Field(description="All of the customer's sales")
    limit: int
    offset: int
    transactions: list[TransactionOut] = Field(description="Newest first")


@router.get("", summary="Search customers")
def search_customers(
    user: ApiUser,
    db: DbSession,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=100,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="Start of a first or last name, phone number, e-mail or member id.",
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> CustomerSearch:
    found = [CustomerSummary.of(c) for c in service.search_customers(db, q, limit=limit)]
    return CustomerSearch(q=q, count=len(found), customers=found)


@router.get("/{ident}", summary="One customer's record")
def get_customer(
    user: ApiUser, db: DbSession, settings: AppSettings, ident: Ident
) -> CustomerRecord:
    return CustomerRecord.of(service.get_customer(db, ident, region=settings.default_region))


@router.get("/{ident}/context", summary="A customer's SMS context")
def customer_context(
    user: ApiUser, db: DbSession, settings: AppSettings, ident: Ident
) -> CustomerContext:
    """Tier, visits, favourites, churn risk and consent: what to know before texting them."""
    customer = service.get_customer(db, ident, region=settings.default_region)
    context = analytics.customer_sms_context(db, customer, now=now(), zone=settings.zone)
    return CustomerContext.model_validate(context)


@router.get("/{ident}/transactions", summary="A customer's sales, newest first")
def customer_transactions(
    user: ApiUser,
    db: DbSession,
    settings: AppSettings,
    ident: Ident,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> TransactionPage:
    customer = service.get_customer(db, ident, region=settings.default_region)
    rows = service.customer_transaction_rows(
        db, customer.id, limit=limit, offset=offset, with_items=True
    )
    return TransactionPage(
        customer_id=customer.id,
        total=customer.visit_count,
        limit=limit,
        offset=offset,
        transactions=[TransactionOut.model_validate(row.transaction) for row in rows],
    )
