"""People and their customer rows, dirt included: phones written every way a person or a POS
writes them (some blank, a few invalid), missing e-mails, birthdays and zips, and duplicate rows
of the same person (another phone format, a typo in the name, a second e-mail, a blank birthday)."""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from conductor.demo import names
from conductor.demo.ids import IdMaker
from conductor.demo.spec import CLOSES_AT_MINUTE, OPENS_AT_MINUTE, DemoSpec, Row
from conductor.demo.weighted import Weighted

PHONE_FORMATS = Weighted(
    (
        ("({a}) {b}-{c}", 30),
        ("{a}{b}{c}", 25),
        ("{a}-{b}-{c}", 15),
        ("{a}.{b}.{c}", 10),
        ("+1 {a} {b} {c}", 10),
        ("+1{a}{b}{c}", 5),
        ("1-{a}-{b}-{c}", 5),
    )
)
GROUPS = Weighted(names.MEMBER_GROUPS + names.MEMBER_GROUPS_RARE)
SOURCES = Weighted(names.MARKETING_SOURCES)
PHONE_SPACE = len(names.AREA_CODES) * 10_000
"""Distinct demo numbers: every area code's 555-0000 ... 555-9999."""


@dataclass(frozen=True, slots=True)
class Person:
    first: str
    last: str
    dob: date | None
    digits: str | None
    """The ten digits of the person's own phone, or None when they gave none."""
    email: str | None
    zip_code: str | None
    state: str | None
    group: str
    source: str | None


class People:
    """Draws people and writes their customer rows. Person ``n`` gets a phone number no other
    person has (a fixed permutation of the number space) while fewer than 200,000 are needed."""

    def __init__(self, rng: random.Random, spec: DemoSpec, ids: IdMaker) -> None:
        self._spec = spec
        self._ids = ids
        self._step = _coprime(rng, PHONE_SPACE)
        self._offset = rng.randrange(PHONE_SPACE)

    def number(self, n: int) -> str:
        """The ten digits of demo phone number ``n``."""
        slot = (self._offset + n * self._step) % PHONE_SPACE
        area, line = names.AREA_CODES[slot // 10_000], slot % 10_000
        return f"{area}555{line:04d}"

    def person(self, rng: random.Random, n: int) -> Person:
        first = _pick_name(rng, names.FIRST_NAMES, names.ACCENTED_FIRST, 0.07)
        last = _pick_name(rng, names.LAST_NAMES, names.ACCENTED_LAST, 0.04)
        dob = None if rng.random() < 0.1 else self._birthday(rng)
        return Person(
            first=first,
            last=last,
            dob=dob,
            digits=None if rng.random() < 0.04 else self.number(n),
            email=email_address(rng, first, last, dob) if rng.random() < 0.75 else None,
            zip_code=None if rng.random() < 0.15 else rng.choice(names.ZIP_CODES),
            state=_state(rng),
            group=GROUPS.pick(rng),
            source=None if rng.random() < 0.1 else SOURCES.pick(rng),
        )

    def rows(self, rng: random.Random, person: Person, joined: list[int], spare: int) -> list[Row]:
        """The person's customer rows: the original, then one duplicate per later join day.
        ``spare`` numbers a phone for a duplicate that gave a new number."""
        name = (person.first, person.last)
        phone = write_phone(rng, person.digits)
        first = self._row(rng, joined[0], person, phone, name, person.email)
        rows = [first]
        for day in joined[1:]:
            rows.append(self._duplicate(rng, person, first, day, spare))
        return rows

    def _duplicate(
        self, rng: random.Random, person: Person, first: Row, day: int, spare: int
    ) -> Row:
        """Another row for the same person: the same number written differently (names may
        carry a typo), or another/no phone with the same name and birthday."""
        email = rng.choice(
            (person.email, None, email_address(rng, person.first, person.last, None))
        )
        if person.digits is not None and (person.dob is None or rng.random() < 0.75):
            phone = write_phone(rng, person.digits, avoid=first["phone_raw"])
            name = (person.first, person.last)
            if rng.random() < 0.35:
                name = _with_typo(rng, name)
            row = self._row(rng, day, person, phone, name, email)
            row["date_of_birth"] = person.dob if rng.random() < 0.6 else None
            return row
        phone = None if rng.random() < 0.5 else write_phone(rng, self.number(spare))
        name = _same_name_written_differently(rng, person.first, person.last)
        return self._row(rng, day, person, phone, name, email)

    def _row(
        self,
        rng: random.Random,
        day: int,
        person: Person,
        phone: str | None,
        name: tuple[str, str],
        email: str | None,
    ) -> Row:
        created = self._spec.moment(day, rng.randrange(OPENS_AT_MINUTE, CLOSES_AT_MINUTE))
        row: Row = {
            "member_id": self._ids.make(created),
            "first_name": name[0],
            "last_name": name[1],
            "phone_raw": phone,
            "email": email,
            "date_of_birth": person.dob,
            "loyalty_points": 0,
            "member_group": person.group,
            "marketing_source": person.source,
            "state": person.state,
            "zip_code": person.zip_code,
            "date_joined": date.fromordinal(day),
            "created_at": created,
        }
        row.update(self._consent(rng, day, phone is not None, email is not None))
        return row

    def _consent(self, rng: random.Random, day: int, phone: bool, email: bool) -> Row:
        spec = self._spec
        when = spec.moment(day, rng.randrange(OPENS_AT_MINUTE, CLOSES_AT_MINUTE))
        draw = rng.random()
        sms: tuple[bool, str | None, datetime | None] = (False, None, None)
        if phone and draw < 0.78:
            sms = (True, rng.choice(names.SMS_SOURCES), when)
        elif phone and draw < 0.86:
            later = min(day + rng.randint(1, 400), spec.last_day)
            sms = (False, "STOP reply", spec.moment(later, rng.randrange(OPENS_AT_MINUTE, 1200)))
        mail = email and rng.random() < 0.55
        return {
            "sms_consent": sms[0],
            "sms_consent_source": sms[1],
            "sms_consent_at": sms[2],
            "email_consent": mail,
            "email_consent_source": rng.choice(names.EMAIL_SOURCES) if mail else None,
            "email_consent_at": when if mail else None,
        }

    def _birthday(self, rng: random.Random) -> date:
        age_days = int((21 + min(rng.expovariate(1 / 13), 64)) * 365.25) + rng.randrange(365)
        return date.fromordinal(self._spec.last_day - age_days)


def write_phone(rng: random.Random, digits: str | None, avoid: str | None = None) -> str | None:
    """The number as someone wrote it: one of the usual formats, sometimes garbled."""
    if digits is None:
        return None
    if rng.random() < 0.01:
        return rng.choice((f"{digits[:3]}-{digits[3:6]}-{digits[6:9]}", f"{digits}0", "n/a"))
    a, b, c = digits[:3], digits[3:6], digits[6:]
    for _ in range(10):
        written = PHONE_FORMATS.pick(rng).format(a=a, b=b, c=c)
        if written != avoid:
            return written
    return f"({a}){b}-{c}"


def email_address(rng: random.Random, first: str, last: str, dob: date | None) -> str:
    f, la = _ascii(first), _ascii(last)
    year = f"{dob.year % 100:02d}" if dob else str(rng.randint(1, 99))
    local = rng.choice(
        (f"{f}.{la}", f"{f}{la}", f"{f[0]}{la}{year}", f"{f}_{la}{year}", f"{f}{year}")
    )
    return f"{local}@{rng.choice(names.EMAIL_DOMAINS)}"


def typo(rng: random.Random, name: str) -> str:
    """The name with one slip of the keyboard: two letters swapped, one dropped or doubled."""
    if len(name) < 3:
        return name + name[-1:]
    i = rng.randrange(1, len(name) - 1)
    kind = rng.randrange(3)
    if kind == 0 and name[i] != name[i + 1]:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    return name[:i] + name[i + 1 :]


def _with_typo(rng: random.Random, name: tuple[str, str]) -> tuple[str, str]:
    first, last = name
    return (typo(rng, first), last) if rng.random() < 0.5 else (first, typo(rng, last))


def _same_name_written_differently(rng: random.Random, first: str, last: str) -> tuple[str, str]:
    """Equal once folded (case, accents), as a hurried cashier writes it."""
    draw = rng.random()
    if draw < 0.3:
        return first.upper(), last.upper()
    if draw < 0.5:
        return _strip_accents(first), _strip_accents(last)
    return first, last


def _pick_name(
    rng: random.Random, common: tuple[str, ...], accented: tuple[str, ...], share: float
) -> str:
    return rng.choice(accented) if rng.random() < share else rng.choice(common)


def _state(rng: random.Random) -> str | None:
    draw = rng.random()
    return None if draw < 0.03 else ("NV" if draw < 0.04 else ("AZ" if draw < 0.05 else "CA"))


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _ascii(text: str) -> str:
    return "".join(c for c in _strip_accents(text).lower() if c.isalnum())


def _coprime(rng: random.Random, modulus: int) -> int:
    while True:
        step = rng.randrange(modulus // 3, modulus)
        if math.gcd(step, modulus) == 1:
            return step
