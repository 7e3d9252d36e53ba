"""The sending window: scheduled and bulk messages wait for it; replies do not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class SendingWindow:
    start: time
    end: time
    zone: ZoneInfo

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.zone).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # a window across midnight
