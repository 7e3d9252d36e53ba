"""The LLM responder: any OpenAI-compatible chat endpoint (OpenAI, Ollama, llama.cpp server,
vLLM) answers the text, under the guardrails of :mod:`conductor.bot.guard`.

The model sees only this customer's own facts (first name, tier, points, visits, last visit,
favourites, last purchase), the in-stock products the context lists, the shop's facts and the
rules. Whenever its answer cannot be used (the endpoint is down, slow or answers nonsense; the
reply names a product it was not given, invents a price or a number, or is too long) the
fallback responder (the offline one) answers instead, as ``llm-fallback`` with the reason in
``Reply.note``. A reply ending in ``[HANDOFF]`` asks for a person: the marker is removed and
``needs_human`` set.

Only reason categories are logged at INFO; the text and the facts stay out of the log.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from types import TracebackType
from typing import Any

import httpx

from conductor.bot import guard
from conductor.bot.context import BotContext, BusinessInfo, ProductFact
from conductor.bot.responder import Reply, Responder

log = logging.getLogger(__name__)

HANDOFF = "[HANDOFF]"
MAX_TURNS = 6
"""Prior turns of the conversation sent along, the most recent ones."""
TOKENS_PER_PART = 100
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_HANDOFF = re.compile(re.escape(HANDOFF), re.IGNORECASE)
_WHOLE_SENTENCES = re.compile(r".*[.!?](?=\s|\Z)", re.DOTALL)
"""Up to the last sentence end: a stop followed by a space (not the point in $25.50)."""

RULES = """\
You answer the text messages (SMS) customers send to {shop}, on behalf of its staff.
Rules:
- Answer in one or two short sentences of plain text (no markdown, no lists), under {chars} \
characters.
- Use only the facts below. Never invent products, brands, prices, stock, discounts, dates, \
hours or any other number.
- Name only products listed under "In stock now", with exactly the price listed.
- No medical or health claims and no dosing advice.
- Never mention other customers or anything about them.
- If you are unsure or the facts below do not answer the question, say you will check with \
the team.
- If the customer needs a person (a complaint, a problem with an order, a medical question, \
anything you cannot answer), end your reply with {handoff}."""


class _Unusable(Exception):
    """The endpoint gave no usable answer; ``category`` is safe to log."""

    def __init__(self, category: str, detail: str) -> None:
        super().__init__(f"{category}: {detail}")
        self.category = category
        self.detail = detail


class LlmResponder:
    """A :class:`~conductor.bot.responder.Responder` backed by a chat-completions endpoint."""

    uses_catalogue = True

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout: float,
        fallback: Responder,
        max_parts: int = 2,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url, headers=headers, timeout=timeout, transport=transport
        )
        self.model = model
        self.fallback = fallback
        self.max_parts = max_parts

    def reply(self, context: BotContext, intent: str) -> Reply:
        try:
            text = self._complete(context, intent)
        except _Unusable as exc:
            return self._fall_back(context, intent, exc.category, exc.detail)
        handoff = bool(_HANDOFF.search(text))
        verdict = guard.check_reply(_HANDOFF.sub("", text), context, max_parts=self.max_parts)
        if verdict.problem is not None:
            return self._fall_back(
                context, intent, verdict.problem, verdict.detail, needs_human=handoff
            )
        note = "the model asked for a person" if handoff else ""
        return Reply(verdict.text, "llm", intent=intent, needs_human=handoff, note=note)

    def request_body(self, context: BotContext, intent: str) -> dict[str, Any]:
        """The JSON sent to ``/chat/completions`` for this text."""
        messages = [{"role": "system", "content": system_prompt(context, intent, self.max_parts)}]
        for turn in context.turns[-MAX_TURNS:]:
            role = "user" if turn.direction == "inbound" else "assistant"
            messages.append({"role": role, "content": turn.content})
        messages.append({"role": "user", "content": context.text})
        return {
            "model": self.model,
            "messages": messages,
            "temperature": 0.2,
            "max_tokens": TOKENS_PER_PART * self.max_parts,
        }

    def _complete(self, context: BotContext, intent: str) -> str:
        try:
            response = self._client.post(
                "chat/completions", json=self.request_body(context, intent)
            )
            response.raise_for_status()
            data = response.json()
        except httpx.TimeoutException as exc:
            raise _Unusable("timeout", type(exc).__name__) from exc
        except httpx.HTTPStatusError as exc:
            raise _Unusable("http-error", f"HTTP {exc.response.status_code}") from exc
        except httpx.HTTPError as exc:
            raise _Unusable("connection-error", type(exc).__name__) from exc
        except ValueError as exc:
            raise _Unusable("malformed-response", "the body is not JSON") from exc
        return _content(data)

    def _fall_back(
        self,
        context: BotContext,
        intent: str,
        category: str,
        detail: str,
        *,
        needs_human: bool = False,
    ) -> Reply:
        log.info("LLM answer not used: %s", category)
        log.debug("LLM answer not used: %s (%s)", category, detail)
        answer = self.fallback.reply(context, intent)
        note = f"LLM answer not used ({category}: {detail})"
        return replace(
            answer,
            responder="llm-fallback",
            needs_human=answer.needs_human or needs_human,
            note=f"{note}; {answer.note}" if answer.note else note,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> LlmResponder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _content(data: object) -> str:
    """The first choice's text; a reply cut off at ``max_tokens`` loses its unfinished sentence."""
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise _Unusable("malformed-response", "no choices")
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise _Unusable("malformed-response", "no message content")
    content = _THINK.sub("", content)
    if choices[0].get("finish_reason") == "length":
        whole = _WHOLE_SENTENCES.match(content)
        content = whole.group(0) if whole else ""
    return content


# --- the prompt ------------------------------------------------------------------------------


def system_prompt(context: BotContext, intent: str, max_parts: int) -> str:
    """Rules, the shop, this customer's own facts and the products in stock: nothing else."""
    rules = RULES.format(shop=context.business.name, chars=150 * max_parts, handoff=HANDOFF)
    sections = [
        rules,
        _business(context.business),
        "\n".join(_customer(context)),
        _products(context.products),
        f"The text looks like: {intent}.",
    ]
    return "\n\n".join(sections)


def _business(business: BusinessInfo) -> str:
    return (
        f"The shop: {business.name}\nHours: {business.hours}\nAddress: {business.address}\n"
        f"Phone: {business.phone}\n{business.help_text}"
    ).strip()


def _customer(context: BotContext) -> list[str]:
    customer = context.customer
    if customer is None:
        return ["This number is not a known customer."]
    lines = [
        "About this customer:",
        f"First name: {customer.first_name}",
        f"Tier: {customer.tier}",
        f"Loyalty points: {customer.loyalty_points}",
        f"Visits: {customer.visits}",
    ]
    if customer.last_visit:
        days = customer.days_since_last_visit
        ago = f" ({days} days ago)" if days is not None else ""
        lines.append(f"Last visit: {customer.last_visit:%Y-%m-%d}{ago}")
    if customer.favourite_products:
        lines.append(f"Favourite products: {', '.join(customer.favourite_products)}")
    if customer.favourite_brand:
        lines.append(f"Favourite brand: {customer.favourite_brand}")
    if customer.favourite_category:
        lines.append(f"Favourite category: {customer.favourite_category}")
    if context.last_purchase:
        when = f" ({context.last_purchase_at:%Y-%m-%d})" if context.last_purchase_at else ""
        lines.append(f"Last purchase: {', '.join(context.last_purchase)}{when}")
    return lines


def _products(products: list[ProductFact]) -> str:
    if not products:
        return "In stock now: none listed. Do not name any product."
    lines = ["In stock now:"]
    for product in products:
        about = ", ".join(x for x in (product.brand, product.category, product.strain_type) if x)
        price = f"${product.price:.2f}" if product.price is not None else "price: ask the team"
        about = f" ({about})" if about else ""
        lines.append(f"- {product.name}{about}: {price}, {product.in_stock} in stock")
    return "\n".join(lines)
