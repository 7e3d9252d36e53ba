"""The vision reader: an OpenAI-compatible chat endpoint with a vision model (OpenAI, Ollama,
llama.cpp server, vLLM) reads the receipt photo and answers with JSON.

The photo is checked and turned upright as for tesseract (:func:`conductor.loyalty.ocr.load`),
cut down to :data:`MAX_SIDE` pixels and sent as a JPEG ``data:`` URL in an ``image_url``
content part, with a prompt that asks for one JSON object (:data:`PROMPT`). The answer is
validated field by field into an :class:`~conductor.loyalty.extraction.ExtractedReceipt`;
anything that is not that object is a :class:`VisionError`, never a half-read receipt.

``VisionError.permanent`` tells a caller whether trying again can help: a timeout, a dropped
connection, HTTP 429 or 5xx may pass; any other HTTP error, or an answer that is not the JSON
asked for, will not. The photo and the answer stay out of the log.
"""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

import httpx
from PIL import Image

from conductor.errors import ConductorError
from conductor.loyalty.extraction import ExtractedReceipt, ReceiptLine
from conductor.loyalty.ocr import load

MAX_SIDE = 2048
"""Longest side, in pixels, of the photo sent (enough for a receipt; smaller requests)."""
DEFAULT_CONFIDENCE = 80.0
"""Confidence given to an answer whose model did not say how sure it was."""
CENT = Decimal("0.01")
PROMPT = """\
Read this photo of a cannabis dispensary receipt. Answer with one JSON object and nothing else:
{"dispensary": shop name as printed at the top,
 "receipt_number": the receipt, order, ticket or transaction number,
 "purchased_at": date and time of the sale as "YYYY-MM-DD HH:MM" (24-hour clock),
 "cashier": the cashier's or budtender's first name and last initial as printed,
 "lines": [{"name": item name as printed, "quantity": number, "unit_price": number or null,
            "total": line total}],
 "subtotal": number, "discount": money taken off (a positive number) or null,
 "tax": all taxes together, "total": number,
 "text": the whole receipt as plain text, line by line,
 "confidence": 0-100, how sure you are that you read every number right}
Use null for anything you cannot read. Copy names and numbers exactly as printed; never guess
or complete them. Leave out card numbers."""
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_MONEY = re.compile(r"-?\d+(?:\.\d+)?")


class VisionError(ConductorError):
    """The vision model gave no usable reading; ``permanent``: asking again will not help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class VisionExtractor:
    """An :class:`~conductor.loyalty.extraction.Extractor` backed by a vision chat model."""

    name = "vision"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None,
        timeout: float,
        json_mode: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url, headers=headers, timeout=timeout, transport=transport
        )
        self.model = model
        self.json_mode = json_mode

    def extract(self, image: bytes) -> ExtractedReceipt:
        data = self._complete(self.request_body(image))
        return reading(_answer(data), engine=self.name)

    def request_body(self, image: bytes) -> dict[str, Any]:
        """The JSON sent to ``/chat/completions`` for this photo."""
        content = [
            {"type": "text", "text": PROMPT},
            {"type": "image_url", "image_url": {"url": data_url(image)}},
        ]
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "user", "content": content}],
            "temperature": 0,
            "max_tokens": 2000,
        }
        if self.json_mode:
            body["response_format"] = {"type": "json_object"}
        return body

    def _complete(self, body: dict[str, Any]) -> object:
        try:
            response = self._client.post("chat/completions", json=body)
            response.raise_for_status()
            return response.json()
        except httpx.TimeoutException as exc:
            raise VisionError("the vision model timed out", permanent=False) from exc
        except httpx.HTTPStatusError as exc:
            status = exc.response.status_code
            transient = status == 429 or status >= 500
            message = f"the vision model answered HTTP {status}"
            raise VisionError(message, permanent=not transient) from exc
        except httpx.HTTPError as exc:
            raise VisionError(f"the vision model is unreachable ({type(exc).__name__})",
                              permanent=False) from exc  # fmt: skip
        except ValueError as exc:
            raise VisionError("the vision model's answer is not JSON", permanent=True) from exc

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> VisionExtractor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def data_url(image: bytes) -> str:
    """The photo, upright and at most :data:`MAX_SIDE` pixels, as a JPEG ``data:`` URL.
    Raises :class:`~conductor.loyalty.ocr.ReceiptImageError` when it is no image."""
    photo = load(image).convert("RGB")
    photo.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _answer(data: object) -> dict[str, Any]:
    """The JSON object in the first choice's message (code fences and <think> removed)."""
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise VisionError("the vision model's answer has no choices", permanent=True)
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise VisionError("the vision model's answer has no text", permanent=True)
    content = _THINK.sub("", content)
    start, end = content.find("{"), content.rfind("}")
    try:
        answer = json.loads(content[start : end + 1]) if 0 <= start < end else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise VisionError("the vision model did not answer with a JSON object", permanent=True)
    return answer


def reading(answer: dict[str, Any], *, engine: str = "vision") -> ExtractedReceipt:
    """The model's JSON object as a reading; a field of the wrong kind is a VisionError."""
    lines = answer.get("lines") or []
    if not isinstance(lines, list):
        raise VisionError("lines: expected a list", permanent=True)
    sure = _number(answer, "confidence")
    return ExtractedReceipt(
        engine=engine,
        text=_text(answer, "text") or "",
        confidence=DEFAULT_CONFIDENCE if sure is None else max(0.0, min(100.0, float(sure))),
        dispensary=_text(answer, "dispensary"),
        receipt_number=_text(answer, "receipt_number"),
        purchased_at=_when(answer.get("purchased_at")),
        cashier=_text(answer, "cashier"),
        lines=tuple(_line(i, line) for i, line in enumerate(lines, start=1)),
        subtotal=_money(answer, "subtotal"),
        discount=_positive(_money(answer, "discount")),
        tax=_money(answer, "tax"),
        total=_money(answer, "total"),
    )


def _line(number: int, line: object) -> ReceiptLine:
    if not isinstance(line, dict):
        raise VisionError(f"lines[{number}]: expected an object", permanent=True)
    name, quantity, total = _text(line, "name"), _number(line, "quantity"), _money(line, "total")
    if name is None or total is None:
        raise VisionError(f"lines[{number}]: a name and a total are needed", permanent=True)
    return ReceiptLine(
        name,
        Decimal(1) if quantity is None else quantity,
        _money(line, "unit_price"),
        total,
    )


def _text(fields: dict[str, Any], key: str) -> str | None:
    value = fields.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int):
        raise VisionError(f"{key}: expected text", permanent=True)
    return str(value).strip() or None


def _number(fields: dict[str, Any], key: str) -> Decimal | None:
    """A JSON number, or a string holding one (``"$1,234.50"``); None for null."""
    value = fields.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise VisionError(f"{key}: expected a number", permanent=True)
    text = str(value).replace("$", "").replace(",", "").strip()
    if _MONEY.fullmatch(text) is None:
        raise VisionError(f"{key}: expected a number, got {value!r}", permanent=True)
    return Decimal(text)


def _money(fields: dict[str, Any], key: str) -> Decimal | None:
    value = _number(fields, key)
    return None if value is None else value.quantize(CENT)


def _positive(value: Decimal | None) -> Decimal | None:
    return None if not value else abs(value)


def _when(value: object) -> datetime | None:
    """``YYYY-MM-DD HH:MM`` (or any ISO form) as printed: naive, seconds dropped."""
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise VisionError(f"purchased_at: expected YYYY-MM-DD HH:MM, got {value!r}",
                          permanent=True) from exc  # fmt: skip
    return moment.replace(tzinfo=None, second=0, microsecond=0)
