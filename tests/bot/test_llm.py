"""The LLM responder against a fake OpenAI-compatible endpoint (``httpx.MockTransport``: only
the wire is fake; the responder, its prompt and its guardrails run for real)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from conductor.bot.context import BotContext, BusinessInfo, ProductFact, Turn
from conductor.bot.llm import LlmResponder
from conductor.bot.responder import Reply
from conductor.crm.analytics import SmsContext

BASE_URL = "http://llm.test:11434/v1"
OFFLINE_TEXT = "Thanks Ana! A team member will text you back shortly."
SHOP = BusinessInfo(
    name="MOTA Dispensary",
    hours="Mon-Sat 9am-9pm",
    address="1234 Main St, Los Angeles, CA 90012",
    phone="+12135550100",
    help_text="Reply STOP to opt out.",
)
BLUE_DREAM = ProductFact("Blue Dream", "MOTA", "Flower", "Hybrid", Decimal("25.00"), 8)
CATALOGUE = frozenset({"blue dream", "mota", "sour diesel", "kiva"})

Handler = Callable[[httpx.Request], httpx.Response]


class FixedResponder:
    """Stands in for the offline responder: always the same answer."""

    uses_catalogue = False

    def __init__(self) -> None:
        self.calls = 0

    def reply(self, context: BotContext, intent: str) -> Reply:
        self.calls += 1
        return Reply(OFFLINE_TEXT, "offline", intent=intent)


def customer(first_name: str, last_name: str, **fields: Any) -> SmsContext:
    values: dict[str, Any] = {
        "customer_id": 1, "member_id": "M000001", "first_name": first_name,
        "name": f"{first_name} {last_name}", "phone": "+12135550111",
        "email": f"{first_name.lower()}@example.com", "tier": "Gold", "loyalty_points": 1240,
        "visits": 17, "lifetime_value": Decimal("2310.00"), "average_sale": Decimal("135.88"),
        "last_visit": datetime(2024, 3, 2, 18, tzinfo=UTC), "days_since_last_visit": 12,
        "favourite_category": "Flower", "favourite_brand": "MOTA",
        "favourite_products": ["Blue Dream"], "preferred_location": None,
        "preferred_weekday": "Friday", "usual_hour": 18, "next_visit_expected": None,
        "churn_risk": "low", "sms_consent": True, "email_consent": False,
    }  # fmt: skip
    return SmsContext(**{**values, **fields})


def context(text: str = "got any blue dream?", **fields: Any) -> BotContext:
    fields.setdefault("customer", customer("Ana", "Lopez"))
    fields.setdefault("products", [BLUE_DREAM])
    fields.setdefault("catalogue", CATALOGUE)
    fields.setdefault("last_purchase", ["Blue Dream"])
    fields.setdefault("last_purchase_at", datetime(2024, 3, 2, 18, tzinfo=UTC))
    return BotContext(phone="+12135550111", text=text, business=SHOP, **fields)


def completion(content: str | None, finish_reason: str = "stop") -> httpx.Response:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
    }
    return httpx.Response(200, json=body)


class FakeEndpoint:
    """An OpenAI-compatible ``/chat/completions``: answers with ``handler``, keeps requests."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def body(self, index: int = -1) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.requests[index].content)
        return result


def responder(
    handler: Handler, *, api_key: str | None = "sk-test", max_parts: int = 2
) -> tuple[LlmResponder, FakeEndpoint, FixedResponder]:
    endpoint, fallback = FakeEndpoint(handler), FixedResponder()
    bot = LlmResponder(
        base_url=BASE_URL, model="llama3.1:8b", api_key=api_key, timeout=5.0,
        fallback=fallback, max_parts=max_parts, transport=httpx.MockTransport(endpoint),
    )  # fmt: skip
    return bot, endpoint, fallback


def answer(content: str, finish_reason: str = "stop") -> Handler:
    return lambda request: completion(content, finish_reason)


def test_a_good_reply_is_sent_as_the_llms() -> None:
    text = "Hi Ana! Blue Dream is in stock at $25, 8 left. Want us to hold one?"
    bot, endpoint, fallback = responder(answer(text))
    reply = bot.reply(context(), "product_question")
    assert reply == Reply(text, "llm", intent="product_question")
    assert fallback.calls == 0
    assert len(endpoint.requests) == 1


def test_the_request_is_a_chat_completion_for_the_configured_model() -> None:
    bot, endpoint, _ = responder(answer("Hi Ana!"))
    bot.reply(context(), "greeting")
    request = endpoint.requests[0]
    assert (request.method, str(request.url)) == ("POST", f"{BASE_URL}/chat/completions")
    assert request.headers["Authorization"] == "Bearer sk-test"
    body = endpoint.body()
    assert body["model"] == "llama3.1:8b"
    assert body["temperature"] == 0.2
    assert body["max_tokens"] > 0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["messages"][-1]["content"] == "got any blue dream?"


def test_without_an_api_key_no_authorization_header_is_sent() -> None:
    bot, endpoint, _ = responder(answer("Hi Ana!"), api_key=None)
    bot.reply(context(), "greeting")
    assert "Authorization" not in endpoint.requests[0].headers


def test_the_prompt_carries_this_customers_own_facts_and_the_rules() -> None:
    bot, endpoint, _ = responder(answer("Hi Ana!"))
    bot.reply(context(), "greeting")
    system = endpoint.body()["messages"][0]["content"]
    facts = ["Ana", "Gold", "1240", "17", "2024-03-02", "12 days ago", "Blue Dream", "$25.00"]
    facts += ["8 in stock", "Mon-Sat 9am-9pm", "1234 Main St", "+12135550100"]
    rules = ["[HANDOFF]", "medical", "check with the team", "other customers", "invent"]
    for expected in facts + rules:
        assert expected in system, expected


def test_nothing_about_another_customer_or_beyond_the_first_name_is_sent() -> None:
    bot, endpoint, _ = responder(answer("Hi!"))
    bob = context("hey", customer=customer("Bob", "Marley", phone="+13105550199"))
    bot.reply(bob, "greeting")
    bot.reply(context(), "greeting")
    sent = endpoint.requests[1].content.decode()
    assert "Bob" not in sent
    assert "Marley" not in sent
    assert "Ana" in sent
    for private in ("Lopez", "ana@example.com", "+12135550111", "2310", "135.88", "M000001"):
        assert private not in sent, private


def test_a_few_prior_turns_go_along_as_the_conversation() -> None:
    at = datetime(2024, 3, 14, tzinfo=UTC)
    turns = [Turn("inbound" if i % 2 else "outbound", f"turn {i}", at) for i in range(10)]
    bot, endpoint, _ = responder(answer("Sure!"))
    bot.reply(context("and tomorrow?", turns=turns), "other")
    messages = endpoint.body()["messages"]
    assert messages[1:-1] == [
        {"role": "user" if i % 2 else "assistant", "content": f"turn {i}"} for i in range(4, 10)
    ]


@pytest.mark.parametrize(
    ("invented", "problem"),
    [
        ("Try our Sour Diesel instead, Ana!", "unknown-product"),
        ("Blue Dream is $19.99 today, Ana!", "unknown-price"),
        ("Blue Dream is 20% off today!", "unknown-number"),
    ],
)
def test_a_reply_inventing_facts_is_refused_and_the_offline_answer_goes(
    invented: str, problem: str
) -> None:
    bot, _, fallback = responder(answer(invented))
    reply = bot.reply(context(), "product_question")
    assert (reply.text, reply.responder) == (OFFLINE_TEXT, "llm-fallback")
    assert problem in reply.note
    assert reply.intent == "product_question"
    assert fallback.calls == 1


def raise_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def raise_refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        (raise_timeout, "timeout"),
        (raise_refused, "connection-error"),
        (lambda request: httpx.Response(500, text="model crashed"), "HTTP 500"),
        (lambda request: httpx.Response(401, json={"error": "bad key"}), "HTTP 401"),
        (lambda request: httpx.Response(200, text="<html>proxy</html>"), "not JSON"),
        (lambda request: httpx.Response(200, json={"choices": []}), "no choices"),
        (lambda request: httpx.Response(200, json={"error": "overloaded"}), "no choices"),
        (lambda request: completion(None), "no message content"),
        (answer("   "), "empty"),
    ],
)
def test_an_endpoint_that_gives_no_usable_answer_falls_back(handler: Handler, reason: str) -> None:
    bot, _, _ = responder(handler)
    reply = bot.reply(context(), "other")
    assert (reply.text, reply.responder) == (OFFLINE_TEXT, "llm-fallback")
    assert reason in reply.note


def test_an_over_long_reply_is_trimmed_to_whole_sentences() -> None:
    first = "Hi Ana! Blue Dream is in stock at $25."
    bot, _, _ = responder(answer(first + " We love seeing you here." * 20), max_parts=1)
    reply = bot.reply(context(), "product_question")
    assert reply.responder == "llm"
    assert reply.text.startswith(first)
    assert len(reply.text) <= 160
    assert reply.text.endswith("here.")


def test_an_over_long_reply_that_cannot_be_trimmed_is_refused() -> None:
    bot, _, _ = responder(answer("so " * 200 + "yes."), max_parts=2)
    reply = bot.reply(context(), "other")
    assert (reply.text, reply.responder) == (OFFLINE_TEXT, "llm-fallback")
    assert "too-long" in reply.note


def test_a_reply_cut_off_by_max_tokens_loses_its_unfinished_sentence() -> None:
    bot, _, _ = responder(answer("Blue Dream is in stock. It is $25.00 and we also h", "length"))
    assert bot.reply(context(), "other").text == "Blue Dream is in stock."


def test_a_reply_cut_off_before_its_first_sentence_ends_falls_back() -> None:
    bot, _, _ = responder(answer("Blue Dream is $25.00 and we also h", "length"))
    reply = bot.reply(context(), "other")
    assert (reply.text, reply.responder) == (OFFLINE_TEXT, "llm-fallback")


def test_the_handoff_marker_is_removed_and_asks_for_a_person() -> None:
    bot, _, _ = responder(answer("Sorry to hear that, Ana. I'll check with the team. [HANDOFF]"))
    reply = bot.reply(context("my order was wrong"), "complaint")
    assert reply.text == "Sorry to hear that, Ana. I'll check with the team."
    assert (reply.responder, reply.needs_human) == ("llm", True)


def test_a_bare_handoff_falls_back_but_still_asks_for_a_person() -> None:
    bot, _, _ = responder(answer("[HANDOFF]"))
    reply = bot.reply(context("my order was wrong"), "complaint")
    assert (reply.text, reply.responder, reply.needs_human) == (OFFLINE_TEXT, "llm-fallback", True)


def test_a_thinking_block_from_a_local_model_is_not_sent() -> None:
    bot, _, _ = responder(answer("<think>Customer 4411 wants...</think>Hi Ana, yes we do!"))
    assert bot.reply(context(), "other").text == "Hi Ana, yes we do!"


def test_refusals_are_logged_by_category_without_personal_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="conductor.bot.llm")
    bot, _, _ = responder(answer("Ana, you have 9999 points and Sour Diesel is $3!"))
    bot.reply(context("how many points do I have?"), "points")
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "unknown-product" in logged
    for private in ("Ana", "9999", "Sour Diesel", "points do I have"):
        assert private not in logged
