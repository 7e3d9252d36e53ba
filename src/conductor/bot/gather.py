"""Build the :class:`BotContext` for one inbound text from the database."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process, utils
from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.bot.context import BotContext, BusinessInfo, ProductFact, Turn
from conductor.crm import analytics, service
from conductor.crm.models import Customer, Product
from conductor.errors import NotFound
from conductor.messaging.models import Message

TURNS = 6
MATCH_SCORE = 80


def gather(
    session: Session,
    message: Message,
    *,
    intent: str,
    business: BusinessInfo,
    now: datetime,
    zone: ZoneInfo,
    with_catalogue: bool = True,
) -> BotContext:
    customer = _customer(session, message.phone_number)
    sms = (
        analytics.customer_sms_context(session, customer, now=now, zone=zone) if customer else None
    )
    stock = _in_stock(session) if intent in ("stock", "recommend") else []
    last_items, last_at = _last_purchase(session, customer)
    return BotContext(
        phone=message.phone_number,
        text=message.content,
        business=business,
        customer=sms,
        turns=_turns(session, message),
        last_purchase=last_items,
        last_purchase_at=last_at,
        products=_relevant(stock, message.content, intent, sms),
        catalogue=_catalogue(session) if with_catalogue else frozenset(),
    )


def _customer(session: Session, address: str) -> Customer | None:
    """The sender by phone, or by e-mail address for an e-mail conversation."""
    if "@" in address:
        stmt = select(Customer).where(
            Customer.email == address.lower(), Customer.merged_into_id.is_(None)
        )
        return session.scalars(stmt.order_by(Customer.id)).first()
    try:
        return service.get_customer(session, address)
    except NotFound:
        return None


def _turns(session: Session, message: Message) -> list[Turn]:
    stmt = (
        select(Message.direction, Message.content, Message.created_at)
        .where(Message.phone_number == message.phone_number, Message.id != message.id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(TURNS)
    )
    return [Turn(d, c, at) for d, c, at in reversed(session.execute(stmt).all())]


def _last_purchase(
    session: Session, customer: Customer | None
) -> tuple[list[str], datetime | None]:
    if customer is None:
        return [], None
    latest = service.customer_transactions(session, customer.id, limit=1)
    if not latest:
        return [], None
    items = service.transaction_items(session, latest[0].id)
    return [i.product_name for i in items], latest[0].occurred_at


def _in_stock(session: Session) -> list[ProductFact]:
    stmt = select(Product).where(Product.active.is_(True), Product.quantity_in_stock > 0)
    return [
        ProductFact(p.name, p.brand, p.category, p.strain_type, p.retail_price, p.quantity_in_stock)
        for p in session.scalars(stmt)
    ]


def _catalogue(session: Session) -> frozenset[str]:
    names = session.scalars(select(Product.name)).all()
    brands = session.scalars(select(Product.brand).distinct()).all()
    return frozenset(n.lower() for n in [*names, *brands] if n)


def _relevant(
    stock: list[ProductFact], text: str, intent: str, customer: analytics.SmsContext | None
) -> list[ProductFact]:
    """Named products for a stock question; favourites-like ones for a recommendation."""
    if intent == "stock":
        return matching_products(stock, text)
    if intent == "recommend":
        return _like_favourites(stock, customer)
    return []


STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "are",
        "do",
        "does",
        "for",
        "got",
        "guys",
        "have",
        "i",
        "in",
        "is",
        "it",
        "me",
        "of",
        "on",
        "or",
        "please",
        "still",
        "the",
        "there",
        "this",
        "to",
        "u",
        "we",
        "what",
        "you",
        "your",
        "stock",
        "left",
        "available",
        "carry",
    ]
)


def matching_products(stock: list[ProductFact], text: str, limit: int = 3) -> list[ProductFact]:
    """In-stock products whose name or brand the text names (fuzzy: typos, partial names)."""
    words = [w for w in utils.default_process(text).split() if w not in STOP_WORDS]
    if not words:
        return []
    choices = {i: f"{p.brand or ''} {p.name}" for i, p in enumerate(stock)}
    found = process.extract(" ".join(words), choices, scorer=fuzz.partial_token_set_ratio,
                            processor=utils.default_process, limit=limit * 3,
                            score_cutoff=MATCH_SCORE)  # fmt: skip
    best = max((score for _, score, _ in found), default=0)
    return [stock[i] for _, score, i in found if score >= best - 5][:limit]


def _like_favourites(
    stock: list[ProductFact], customer: analytics.SmsContext | None, limit: int = 2
) -> list[ProductFact]:
    category = customer.favourite_category if customer else None
    brand = customer.favourite_brand if customer else None
    owned = {n.lower() for n in customer.favourite_products} if customer else set()

    def rank(p: ProductFact) -> tuple[int, int, str]:
        return (-(p.category == category) - (p.brand == brand), -p.in_stock, p.name)

    return sorted((p for p in stock if p.name.lower() not in owned), key=rank)[:limit]
