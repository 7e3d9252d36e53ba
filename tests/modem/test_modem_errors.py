"""The driver's exception tree, and the driver's independence from the rest of Conductor."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import conductor.modem
from conductor.modem.errors import CommandError, ModemError, ModemGone, ModemTimeout, PduError


def test_every_driver_error_is_a_modem_error() -> None:
    for cls in (PduError, CommandError, ModemTimeout, ModemGone):
        assert issubclass(cls, ModemError)
    assert issubclass(ModemTimeout, TimeoutError)


def test_malformed_pdus_are_permanent_and_lost_devices_transient() -> None:
    assert PduError("bad").permanent
    assert not ModemGone("unplugged").permanent
    assert not ModemTimeout("no OK after 5 s").permanent


@pytest.mark.parametrize(
    ("cms_code", "permanent"),
    [(1, True), (30, True), (304, True), (38, False), (42, False), (332, False), (500, False)],
)
def test_a_cms_error_is_permanent_only_for_codes_that_retrying_cannot_fix(
    cms_code: int, permanent: bool
) -> None:
    error = CommandError("+CMS ERROR", command="AT+CMGS=23", cms_code=cms_code)
    assert (error.permanent, error.cms_code, error.command) == (permanent, cms_code, "AT+CMGS=23")


def test_permanent_can_be_set_on_any_instance() -> None:
    assert CommandError("ERROR", cme_code=10, permanent=True).permanent
    assert not PduError("odd", permanent=False).permanent
    assert ModemGone("gone", permanent=True).permanent


def test_the_driver_imports_nothing_else_from_conductor() -> None:
    package = Path(conductor.modem.__file__).parent
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{module.name}: use absolute imports"
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name == "conductor" or name.startswith("conductor."):
                    assert name.startswith("conductor.modem"), f"{module.name} imports {name}"
