"""What a customer's text asks for, by plain word patterns (no model needed).

points         balance of loyalty points
last_purchase  what they bought last time
stock          whether something is in stock ("do you have ...", "got any ...")
recommend      a suggestion
hours          opening hours, address, directions
thanks         a thank-you or an OK
other          anything else: a person answers
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("points", re.compile(r"\b(points?|rewards?|balance|loyalty)\b")),
    ("last_purchase", re.compile(
        r"\b(last (time|visit|order|purchase)|what did i (buy|get|order)|my last)\b")),
    ("stock", re.compile(
        r"\b(in stock|do you (have|carry|got)|got any|you guys have|any .* left|available|"
        r"have any|still have|restock)\b")),
    ("recommend", re.compile(
        r"\b(recommend|suggest|what'?s good|what should i|something (new|good|like)|"
        r"anything (new|good)|try next)\b")),
    ("hours", re.compile(
        r"\b(hours?|open|close[sd]?|closing|where are you|address|located|location|"
        r"directions|parking)\b")),
    ("thanks", re.compile(
        r"^\W*((thanks?|thank you|thx|ty|ok(ay)?|k|cool|great|perfect|got it|awesome|"
        r"sounds good|will do|see you)\W*)+$")),
)  # fmt: skip


def detect_intent(text: str) -> str:
    lowered = " ".join(text.lower().split())
    for name, pattern in _PATTERNS:
        if pattern.search(lowered):
            return name
    return "other"
