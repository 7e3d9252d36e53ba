"""What the bot knows when it answers one text: only this customer's own facts, the shop's
facts, and the products in stock now. Nothing about anyone else goes in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from conductor.crm.analytics import SmsContext


@dataclass(frozen=True)
class BusinessInfo:
    name: str
    hours: str
    address: str
    phone: str
    help_text: str


@dataclass(frozen=True)
class ProductFact:
    name: str
    brand: str | None
    category: str | None
    strain_type: str | None
    price: Decimal | None
    in_stock: int


@dataclass(frozen=True)
class Turn:
    direction: str  # inbound | outbound
    content: str
    at: datetime


@dataclass(frozen=True)
class BotContext:
    phone: str
    text: str
    """The inbound text being answered."""
    business: BusinessInfo
    customer: SmsContext | None = None
    turns: list[Turn] = field(default_factory=list)
    """Recent conversation with this number, oldest first (the text being answered excluded)."""
    last_purchase: list[str] = field(default_factory=list)
    last_purchase_at: datetime | None = None
    products: list[ProductFact] = field(default_factory=list)
    """In-stock products relevant to this text: the ones it names, or ones like the
    customer's favourites. Never an out-of-stock product."""
    catalogue: frozenset[str] = frozenset()
    """Every product and brand name the shop knows (lower-case): a reply that names one of
    these that is not in ``products`` or the customer's own history is refused."""

    def allowed_names(self) -> set[str]:
        names = {p.name.lower() for p in self.products}
        names |= {p.brand.lower() for p in self.products if p.brand}
        names |= {n.lower() for n in self.last_purchase}
        if self.customer:
            names |= {n.lower() for n in self.customer.favourite_products}
            if self.customer.favourite_brand:
                names.add(self.customer.favourite_brand.lower())
        return names
