"""The bot with the LLM responder, the model faked at the HTTP wire (httpx.MockTransport)."""

from __future__ import annotations

import json

import httpx
from botkit import NOW, OPTIONS, inbound, regular_customer, stock_the_shop
from sqlalchemy.orm import Session

from conductor.bot.llm import LlmResponder
from conductor.bot.offline import OfflineResponder
from conductor.bot.service import handle
from conductor.messaging.models import Message


def _model(answer: str | None, status: int = 200) -> httpx.MockTransport:
    def respond(request: httpx.Request) -> httpx.Response:
        if answer is None:
            raise httpx.ReadTimeout("model too slow", request=request)
        body = {"choices": [{"message": {"role": "assistant", "content": answer}}]}
        return httpx.Response(status, json=body)

    return httpx.MockTransport(respond)


def _reply(session: Session, text: str, transport: httpx.MockTransport) -> Message:
    responder = LlmResponder(
        base_url="http://llm.test/v1", model="tiny", api_key=None, timeout=2,
        fallback=OfflineResponder(), transport=transport,
    )  # fmt: skip
    message = inbound(session, text)
    outcome = handle(session, message, options=OPTIONS, responder=responder, now=NOW)
    return session.get_one(Message, outcome.reply_id)


def test_a_good_model_answer_is_sent_and_marked_llm(session: Session) -> None:
    stock_the_shop(session)
    regular_customer(session)
    reply = _reply(session, "do you have blue dream?",
                   _model("Hi Rae! Yes, MOTA Blue Dream 3.5g is in stock at $38.00."))  # fmt: skip
    assert reply.responder == "bot-llm" and "Blue Dream" in reply.content


def test_an_invented_product_timeout_or_error_falls_back_to_the_offline_answer(
    session: Session,
) -> None:
    stock_the_shop(session)
    regular_customer(session)
    offline = "Yes, in stock now: MOTA Blue Dream 3.5g ($38.00)."
    for transport in (
        _model("Try our Stiiizy Pineapple Express Pod, only $45!"),  # out of stock: refused
        _model("We have Unicorn Tears for $9.99"),  # a made-up price: refused
        _model(None),  # timeout
        _model("oops", status=500),
    ):
        reply = _reply(session, "do you have blue dream?", transport)
        assert reply.responder == "bot-llm-fallback"
        assert offline in reply.content


def test_the_prompt_holds_only_this_customers_facts(session: Session) -> None:
    stock_the_shop(session)
    regular_customer(session)
    seen: list[dict[str, object]] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"choices": [{"message": {"content": "Hi Rae!"}}]})

    _reply(session, "how many points do I have?", httpx.MockTransport(respond))
    prompt = json.dumps(seen[0])
    assert "Rae" in prompt and "420" in prompt
    assert "Gold" not in prompt.replace("Gold tier", "")  # no surname
    assert "+13105550123" not in prompt
