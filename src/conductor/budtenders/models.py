"""Partner dispensaries and the budtenders who work there.

Nothing about a budtender's performance is stored here: points are sums over the loyalty ledger,
receipts and attributed sales are counts and sums over receipts, tier and last activity are
derived from those (:mod:`conductor.budtenders.service`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from conductor.store.base import Base, UTCDateTime, search_key, utcnow

NEW, ACTIVE, INACTIVE = "new", "active", "inactive"
STATUSES = (NEW, ACTIVE, INACTIVE)
"""``new``: created from a receipt's cashier name and not yet checked by a person."""


class Dispensary(Base):
    __tablename__ = "dispensaries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_key: Mapped[str] = mapped_column(search_key(120), index=True)
    city: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    budtenders: Mapped[list[Budtender]] = relationship(back_populates="dispensary")


class Budtender(Base):
    __tablename__ = "budtenders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispensary_id: Mapped[int] = mapped_column(ForeignKey("dispensaries.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60), default="")
    name_key: Mapped[str] = mapped_column(search_key(121), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    instagram: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12), default=ACTIVE, server_default=ACTIVE)
    source: Mapped[str] = mapped_column(String(20), default="console", server_default="console")
    """Where the row came from: ``console``, ``receipt`` (a cashier name), ``demo``, ``import``."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    dispensary: Mapped[Dispensary] = relationship(back_populates="budtenders")

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
