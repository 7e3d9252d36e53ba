"""The vision reader against a fake OpenAI-compatible endpoint (``httpx.MockTransport``: only
the wire is fake; the request, the photo's data URL and the answer's validation are real)."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from PIL import Image

from conductor.demo.receipts import random_receipt_spec, render_receipt, sample_products
from conductor.loyalty.extraction import ReceiptLine
from conductor.loyalty.ocr import ReceiptImageError
from conductor.loyalty.vision import MAX_SIDE, VisionError, VisionExtractor

BASE_URL = "http://vision.test:11434/v1"
SALE = datetime.fromisoformat("2026-11-24 15:41")
Handler = Callable[[httpx.Request], httpx.Response]
ANSWER: dict[str, Any] = {
    "dispensary": "Harbor Leaf Dispensary",
    "receipt_number": "0042-118833",
    "purchased_at": "2026-11-24 15:41",
    "cashier": "Maria G.",
    "lines": [
        {"name": "MOTA Gummies Watermelon 100mg", "quantity": 2, "unit_price": 15, "total": 30},
        {
            "name": "Stiiizy Pod Blue Dream 1g",
            "quantity": "1",
            "unit_price": "$45.00",
            "total": "45.00",
        },
        {"name": "Rolling Papers", "quantity": None, "unit_price": None, "total": 3.5},
    ],
    "subtotal": 78.5,
    "discount": -7.85,
    "tax": "18.19",
    "total": "$88.84",
    "text": "Harbor Leaf Dispensary\n...",
    "confidence": 93,
}


def photo(width: int = 0) -> bytes:
    import random

    spec = random_receipt_spec(random.Random(1), sample_products(random.Random(0), 20))
    data = render_receipt(spec, layout="stacked", noise=0.3)
    if not width:
        return data
    image = Image.open(io.BytesIO(data))
    big = image.resize((width, width * image.height // image.width))
    out = io.BytesIO()
    big.save(out, "PNG")
    return out.getvalue()


def completion(content: str, status: int = 200) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        body = {"choices": [{"message": {"role": "assistant", "content": content}}]}
        return httpx.Response(status, json=body)

    return handle


def reader(handler: Handler, **options: Any) -> VisionExtractor:
    return VisionExtractor(
        base_url=BASE_URL, model="qwen2.5-vl", api_key="sk-test", timeout=5,
        transport=httpx.MockTransport(handler), **options,
    )  # fmt: skip


def test_the_model_reads_the_receipt_into_a_reading() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return completion("```json\n" + json.dumps(ANSWER) + "\n```")(request)

    got = reader(handle).extract(photo())
    assert got.engine == "vision"
    assert (got.dispensary, got.receipt_number, got.cashier) == (
        "Harbor Leaf Dispensary", "0042-118833", "Maria G.")  # fmt: skip
    assert got.purchased_at == SALE
    assert got.lines == (
        ReceiptLine(
            "MOTA Gummies Watermelon 100mg", Decimal(2), Decimal("15.00"), Decimal("30.00")
        ),
        ReceiptLine("Stiiizy Pod Blue Dream 1g", Decimal(1), Decimal("45.00"), Decimal("45.00")),
        ReceiptLine("Rolling Papers", Decimal(1), None, Decimal("3.50")),
    )
    assert (got.subtotal, got.discount, got.tax, got.total) == (
        Decimal("78.50"), Decimal("7.85"), Decimal("18.19"), Decimal("88.84"))  # fmt: skip
    assert got.confidence == 93
    assert got.text.startswith("Harbor Leaf Dispensary")
    assert len(seen) == 1


def test_the_request_carries_the_photo_as_a_data_url() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return completion(json.dumps(ANSWER))(request)

    reader(handle).extract(photo(width=3000))
    request = seen[0]
    assert request.url == f"{BASE_URL}/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-test"
    body = json.loads(request.content)
    assert body["model"] == "qwen2.5-vl"
    assert body["response_format"] == {"type": "json_object"}
    text, image = body["messages"][0]["content"]
    assert "JSON" in text["text"] and "receipt" in text["text"]
    url = image["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    sent = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert sent.format == "JPEG"
    assert max(sent.size) == MAX_SIDE  # a 3000 px photo is cut down


def test_json_mode_can_be_left_out_for_servers_without_it() -> None:
    seen: list[dict[str, Any]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return completion(json.dumps(ANSWER))(request)

    reader(handle, json_mode=False).extract(photo())
    assert "response_format" not in seen[0]


def test_without_a_confidence_the_reading_gets_eighty() -> None:
    answer = {k: v for k, v in ANSWER.items() if k != "confidence"}
    got = reader(completion("<think>a receipt</think>" + json.dumps(answer))).extract(photo())
    assert got.confidence == 80


def test_unread_fields_stay_empty() -> None:
    got = reader(completion('{"lines": [], "total": null, "cashier": ""}')).extract(photo())
    assert (got.lines, got.total, got.cashier, got.purchased_at) == ((), None, None, None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Sorry, I cannot read this image.", "did not answer with a JSON object"),
        ('{"total": 12.00', "did not answer with a JSON object"),
        ("[1, 2, 3]", "did not answer with a JSON object"),
        ('{"lines": "two gummies"}', "lines: expected a list"),
        ('{"lines": [{"name": "MOTA Gummies"}]}', r"lines\[1\]: a name and a total are needed"),
        ('{"lines": ["MOTA Gummies 30.00"]}', r"lines\[1\]: expected an object"),
        ('{"total": "thirty dollars"}', "total: expected a number"),
        ('{"total": true}', "total: expected a number"),
        ('{"purchased_at": "last Tuesday"}', "purchased_at: expected YYYY-MM-DD HH:MM"),
        ('{"cashier": ["Maria"]}', "cashier: expected text"),
    ],
)
def test_an_answer_that_is_not_the_json_asked_for_is_a_permanent_error(
    content: str, message: str
) -> None:
    with pytest.raises(VisionError, match=message) as caught:
        reader(completion(content)).extract(photo())
    assert caught.value.permanent


@pytest.mark.parametrize(
    ("response", "message", "permanent"),
    [
        (httpx.Response(200, text="<html>oops</html>"), "not JSON", True),
        (httpx.Response(200, json={"choices": []}), "no choices", True),
        (httpx.Response(200, json={"choices": [{"message": {}}]}), "no text", True),
        (httpx.Response(401, json={"error": "bad key"}), "HTTP 401", True),
        (httpx.Response(429, json={"error": "slow down"}), "HTTP 429", False),
        (httpx.Response(503, text="overloaded"), "HTTP 503", False),
    ],
)
def test_endpoint_failures_say_whether_to_try_again(
    response: httpx.Response, message: str, permanent: bool
) -> None:
    with pytest.raises(VisionError, match=message) as caught:
        reader(lambda request: response).extract(photo())
    assert caught.value.permanent is permanent


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.ConnectError])
def test_a_timeout_or_a_dead_endpoint_is_worth_another_try(error: type[httpx.HTTPError]) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise error("no answer", request=request)

    with pytest.raises(VisionError) as caught:
        reader(handle).extract(photo())
    assert not caught.value.permanent


def test_a_non_image_is_refused_before_the_model_is_asked() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return completion(json.dumps(ANSWER))(request)

    with pytest.raises(ReceiptImageError, match="not an image"):
        reader(handle).extract(b"%PDF-1.7 a scanned receipt")
    assert seen == []
