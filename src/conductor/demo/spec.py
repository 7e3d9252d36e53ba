"""What a demo dataset is asked to be: scale, seed, end date, shop time zone, and the sizes that
follow from them (the original system's 10,047 customers and 186,394 transactions at scale 1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from conductor.errors import InvalidInput

CUSTOMERS_AT_SCALE_1 = 10_047
TRANSACTIONS_AT_SCALE_1 = 186_394
DUPLICATE_GROUPS_AT_SCALE_1 = 1_900
WALK_IN_SHARE = 0.05
HISTORY_DAYS = 3 * 365
OPENS_AT_MINUTE = 9 * 60
CLOSES_AT_MINUTE = 21 * 60
MAX_SCALE = 20.0
"""Beyond this, ids (see :mod:`conductor.demo.ids`) and demo phone numbers would start to repeat."""

Row = dict[str, Any]
"""One row of one table, keyed by column name."""

ProgressFn = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called by long work so a caller can draw a progress bar."""


def no_progress(stage: str, done: int, total: int) -> None:
    """The progress callback that reports nothing."""


@dataclass(frozen=True)
class DemoSpec:
    """A dataset request. The same spec always yields the same rows."""

    end_date: date
    zone: ZoneInfo
    scale: float = 1.0
    seed: int = 1
    _noons: dict[int, datetime] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 < self.scale <= MAX_SCALE:
            raise InvalidInput(f"scale must be above 0 and at most {MAX_SCALE:g}, not {self.scale}")

    @property
    def customers(self) -> int:
        """Customer rows, duplicates included."""
        return max(1, round(CUSTOMERS_AT_SCALE_1 * self.scale))

    @property
    def transactions(self) -> int:
        return max(1, round(TRANSACTIONS_AT_SCALE_1 * self.scale))

    @property
    def walk_ins(self) -> int:
        """Transactions without a customer."""
        return round(self.transactions * WALK_IN_SHARE)

    @property
    def duplicate_groups(self) -> int:
        """People who appear as two or three customer rows."""
        return min(round(DUPLICATE_GROUPS_AT_SCALE_1 * self.scale), self.customers // 3)

    @property
    def first_day(self) -> int:
        """Ordinal of the first day of the history."""
        return self.last_day - HISTORY_DAYS + 1

    @property
    def last_day(self) -> int:
        """Ordinal of the end date: the newest transaction's day."""
        return self.end_date.toordinal()

    def moment(self, day: int, minute: int, second: int = 0) -> datetime:
        """The aware UTC instant of ``minute`` past local midnight on day ordinal ``day``.

        Uses the day's UTC offset at noon: exact for every minute outside the small hours of a
        daylight-saving change, and the shop is closed then."""
        return self._noon(day) + timedelta(seconds=(minute - 720) * 60 + second)

    def _noon(self, day: int) -> datetime:
        noon = self._noons.get(day)
        if noon is None:
            local = datetime.combine(date.fromordinal(day), time(12), tzinfo=self.zone)
            noon = self._noons[day] = local.astimezone(UTC)
        return noon


def today_in(zone: ZoneInfo) -> date:
    """Today's date in the shop's time zone (the default end date)."""
    return datetime.now(zone).date()


def ordinal_weekday(day: int) -> int:
    """Monday=0 ... Sunday=6 of a day ordinal, without building a date."""
    return (day - 1) % 7
