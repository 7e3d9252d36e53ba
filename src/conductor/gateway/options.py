"""The gateway's tunables, built from the settings (or directly in tests and benchmarks)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import timedelta

from conductor.config import Settings
from conductor.gateway.outbound import RetryPolicy
from conductor.gateway.window import SendingWindow


@dataclass(frozen=True)
class GatewayOptions:
    gateway_id: str
    window: SendingWindow
    sweep_interval: float = 30.0
    send_interval: float = 2.0
    idle_poll: float = 0.25
    heartbeat_interval: float = 15.0
    lease: timedelta = timedelta(minutes=2)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    multipart_timeout: timedelta = timedelta(hours=1)
    delivery_reports: bool = True
    daily_limit: int = 0

    @classmethod
    def from_settings(cls, settings: Settings, port: str) -> GatewayOptions:
        return cls(
            gateway_id=settings.gateway_id or f"{socket.gethostname()}:{port}",
            window=SendingWindow(
                settings.send_window_start, settings.send_window_end, settings.zone
            ),
            sweep_interval=settings.sweep_interval_s,
            send_interval=settings.send_interval_s,
            lease=timedelta(seconds=settings.lease_s),
            retry=RetryPolicy(max_retries=settings.max_retries),
            multipart_timeout=timedelta(seconds=settings.multipart_timeout_s),
            delivery_reports=settings.delivery_reports,
            daily_limit=settings.daily_send_limit,
        )
