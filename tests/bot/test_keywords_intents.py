from __future__ import annotations

import pytest

from conductor.bot.intents import detect_intent
from conductor.bot.keywords import HELP, START, STOP, compliance_keyword


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("STOP", STOP), ("stop", STOP), (" Stop. ", STOP), ("STOPALL", STOP), ("stop all", STOP),
        ("Unsubscribe", STOP), ("cancel", STOP), ("END", STOP), ("quit", STOP),
        ("opt out", STOP), ("OPTOUT", STOP), ("revoke", STOP),
        ("START", START), ("unstop", START), ("HELP", HELP), ("info", HELP),
        ("stop texting me about deals please", None), ("can I cancel my order?", None),
        ("help me find gummies", None), ("", None),
    ],
)  # fmt: skip
def test_compliance_keywords_are_whole_messages(text: str, keyword: str | None) -> None:
    assert compliance_keyword(text) == keyword


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("How many points do I have?", "points"),
        ("what's my rewards balance", "points"),
        ("What did I buy last time?", "last_purchase"),
        ("do you have blue dream", "stock"),
        ("Is the OG kush in stock?", "stock"),
        ("got any gummies?", "stock"),
        ("can you recommend something", "recommend"),
        ("what's good for sleep", "recommend"),
        ("what time do you close today", "hours"),
        ("where are you located", "hours"),
        ("thanks!", "thanks"),
        ("Can I pay with card for a preorder and pick up at 6?", "other"),
    ],
)
def test_intents_from_plain_words(text: str, intent: str) -> None:
    assert detect_intent(text) == intent
