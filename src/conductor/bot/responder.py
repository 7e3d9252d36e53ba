"""Responders: anything that turns a :class:`BotContext` into a :class:`Reply`.

Two implement it: :class:`conductor.bot.offline.OfflineResponder` (templates filled from the
context; the default, no network) and :class:`conductor.bot.llm.LlmResponder` (any
OpenAI-compatible chat endpoint, under guardrails, falling back to the offline one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from conductor.bot.context import BotContext


@dataclass(frozen=True)
class Reply:
    text: str
    responder: str
    """Who wrote it: ``offline``, ``llm`` or ``llm-fallback`` (the LLM's answer was refused or
    failed and the offline answer went instead)."""
    intent: str = "other"
    needs_human: bool = False
    note: str = ""
    """Why a fallback happened or why a person is needed (for staff, not the customer)."""


class Responder(Protocol):
    uses_catalogue: bool
    """Whether the responder needs ``BotContext.catalogue`` (the LLM guard does; templates
    do not, and skipping it saves a query per text)."""

    def reply(self, context: BotContext, intent: str) -> Reply: ...
