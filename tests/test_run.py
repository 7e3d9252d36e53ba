"""``conductor run``: console and gateway in one process, stopped together by SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from conductor.messaging import status as st
from conductor.messaging.models import Message
from conftest import CliRun


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_serves_the_console_sends_through_the_gateway_and_stops_on_sigterm(
    db_url: str, cli: CliRun, sessions
) -> None:  # type: ignore[no-untyped-def]
    port = _free_port()
    env = {**os.environ, "CONDUCTOR_DATABASE_URL": db_url, "CONDUCTOR_WEB_PORT": str(port),
           "CONDUCTOR_SEND_INTERVAL_S": "0"}  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "conductor", "run", "--modem", "virtual"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the console did not come up"
                time.sleep(0.2)
        assert page.status_code == 200 and "Log in" in page.text
        cli("send", "3105550123", "through conductor run", "--wait", "--timeout", "20")
        with sessions() as s:
            assert s.query(Message).one().status in (st.SENT, st.DELIVERED)
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=20)[0].decode()
    assert proc.returncode == 0, output
    assert "gateway" in output and "stopped" in output
