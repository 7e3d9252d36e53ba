"""The offline responder: fixed templates filled from the context. No network, no surprises:
it only ever states facts that are in the :class:`BotContext`."""

from __future__ import annotations

from conductor.bot.context import BotContext, ProductFact
from conductor.bot.responder import Reply

NAME = "offline"


def _price(p: ProductFact) -> str:
    return f" (${p.price:.2f})" if p.price is not None else ""


class OfflineResponder:
    uses_catalogue = False

    def reply(self, context: BotContext, intent: str) -> Reply:
        handler = getattr(self, f"_{intent}", None)
        if context.customer is None and intent not in ("hours", "thanks"):
            return self._unknown(context, intent)
        if handler is None:
            return self._other(context, intent)
        reply: Reply = handler(context)
        return reply

    def _hi(self, context: BotContext) -> str:
        first = context.customer.first_name if context.customer else ""
        return f"Hi {first}! " if first else "Hi! "

    def _points(self, c: BotContext) -> Reply:
        assert c.customer is not None
        text = f"{self._hi(c)}You have {c.customer.loyalty_points} points with {c.business.name}."
        return Reply(text, NAME, "points")

    def _last_purchase(self, c: BotContext) -> Reply:
        if not c.last_purchase or c.last_purchase_at is None:
            return Reply(f"{self._hi(c)}I don't see a purchase on your account yet.", NAME,
                         "last_purchase")  # fmt: skip
        items = ", ".join(c.last_purchase[:4])
        when = c.last_purchase_at.strftime("%b %-d")
        return Reply(f"{self._hi(c)}On {when} you got: {items}.", NAME, "last_purchase")

    def _stock(self, c: BotContext) -> Reply:
        if not c.products:
            text = (
                f"{self._hi(c)}I don't see that in stock right now. I've asked the team to check."
            )
            return Reply(text, NAME, "stock", needs_human=True, note="no in-stock match")
        lines = "; ".join(f"{p.name}{_price(p)}" for p in c.products[:2])
        return Reply(f"{self._hi(c)}Yes, in stock now: {lines}.", NAME, "stock")

    def _recommend(self, c: BotContext) -> Reply:
        if not c.products:
            return self._other(c, "recommend")
        picks = " or ".join(f"{p.name}{_price(p)}" for p in c.products[:2])
        liked = c.customer.favourite_category if c.customer else None
        because = f"Since you like {liked.lower()}, " if liked else ""
        return Reply(f"{self._hi(c)}{because}try {picks}. Both in stock now.", NAME, "recommend")

    def _hours(self, c: BotContext) -> Reply:
        b = c.business
        return Reply(f"{self._hi(c)}{b.name} is open {b.hours} at {b.address}.", NAME, "hours")

    def _thanks(self, c: BotContext) -> Reply:
        return Reply(f"{self._hi(c)}You're welcome, see you soon!", NAME, "thanks")

    def _other(self, c: BotContext, intent: str = "other") -> Reply:
        text = f"{self._hi(c)}Thanks for your message. A team member will reply shortly."
        return Reply(text, NAME, intent, needs_human=True, note="not something the bot answers")

    def _unknown(self, c: BotContext, intent: str) -> Reply:
        text = (f"Hi! Thanks for texting {c.business.name}. A team member will get back to you "
                f"shortly. Reply STOP to opt out.")  # fmt: skip
        return Reply(text, NAME, intent, needs_human=True, note="number not in the CRM")
