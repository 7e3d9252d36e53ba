"""``conductor receipts submit`` and ``list`` on the real tesseract."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import Result

from conductor.loyalty.extraction import ReceiptLine
from receipt_desk import partner, photo, spec, stock_catalogue, with_lines

CliRun = Callable[..., Result]
LINES = [ReceiptLine("MOTA Sour Diesel Pre-Roll 1g", Decimal(4), Decimal("9.50"), Decimal("38.00"))]


def test_a_receipt_sent_from_the_command_line_earns_points_and_is_listed(
    cli: CliRun, session: Session, tmp_path: Path
) -> None:
    stock_catalogue(session)
    partner(session, "Maria")
    session.commit()
    image = tmp_path / "scan.png"
    image.write_bytes(photo(with_lines(spec(41), LINES), layout="qty-first"))
    out = json.loads(
        cli(
            "receipts",
            "submit",
            str(image),
            "--name",
            "Ana Diaz",
            "--phone",
            "2135550101",
            "--json",
        ).output
    )
    assert out["status"] == "approved", out["reasons"]
    assert (out["customer_points"], out["budtender_points"]) == (38, 380)
    listed = json.loads(cli("receipts", "list", "--status", "approved", "--json").output)
    assert [r["id"] for r in listed] == [out["id"]]
    assert json.loads(cli("receipts", "list", "--json").output) == []  # none waits for review


def test_a_file_that_is_not_a_photo_is_refused(cli: CliRun, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a receipt")
    result = cli(
        "receipts", "submit", str(notes), "--name", "Ana", "--phone", "2135550101", expect_exit=1
    )
    assert "a text/plain file is not a photo" in str(result.exception)
    bad = cli("receipts", "list", "--status", "lost", expect_exit=2)
    assert "review, approved, rejected, duplicate" in bad.output


def test_check_warns_without_failing_when_tesseract_is_missing(
    cli: CliRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "tesseract" not in cli("check").output
    monkeypatch.setenv("PATH", "/nonexistent")
    result = cli("check")  # still exit 0: the console and the gateway work without it
    assert "tesseract is not installed" in result.output and "apt-get install" in result.output
