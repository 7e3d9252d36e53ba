"""Duplicate customers: groups of records that are likely one person, each with a confidence.

Only customers that were not merged into another (``merged_into_id IS NULL``) take part.
Two customers are linked by these signals (similarity is rapidfuzz's ``token_sort_ratio`` of
the folded "first last" names, 0-100, word order ignored):

    signal     when                                                   strength
    phone      same E.164 number (``phone``, else ``phone_raw``      0.90
               normalised)
    email      same e-mail address, case and blanks ignored           0.90
    name+dob   same date of birth, similarity >= 88                  0.85 x similarity/100
    name+zip   same zip code, similarity >= 92, and at least one of  0.60 x similarity/100
               the two has no date of birth (two different dates
               of birth are evidence of two people)

A pair's confidence combines its signals as independent evidence, ``1 - prod(1 - strength)``,
capped at 0.99: phone + e-mail is 0.99, phone + name+dob about 0.985, name+dob alone at most
0.85. A pair linked only by a phone or an e-mail whose names are clearly different
(similarity < 50, both names known: a household sharing a number) is multiplied by 0.7 and
carries the reason ``names differ``.

Groups are built with union-find, strongest pairs first (Kruskal). A group never holds two
different known dates of birth (they come from an ID: two dates are two people, for example a
household sharing a phone or an e-mail): a link that would join them is left out. A group's
confidence is its weakest necessary link, the lowest pair confidence on that maximum spanning
tree: the best chain of evidence that reaches every member. Its reasons are the signals of all
the pairs inside it.

Group key: the member id of the group's oldest record (lowest customer id). It does not change
when newer duplicates join a group, and ``conductor crm merge --group`` accepts the member id of
any member, so a key from an earlier report keeps working. The suggested survivor is the member
with the most visits, then the earliest join date, then the oldest record.

Blocking keeps the cost near linear: exact signals compare only customers that share the key;
names are compared only within one date of birth, or within one zip code and the same initials.
A phone or e-mail shared by more than 20 customers, or a date of birth shared by more than 200,
is a placeholder (the shop's own number, 1900-01-01), not evidence, and is skipped.
"""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from operator import attrgetter

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from conductor.crm.keys import fold
from conductor.crm.models import Customer
from conductor.crm.phone import normalize_phone
from conductor.errors import NotFound

log = logging.getLogger(__name__)

STRENGTH = {"phone": 0.90, "email": 0.90, "name+dob": 0.85, "name+zip": 0.60}
SIGNAL_ORDER = (*STRENGTH, "names differ")
NAME_DOB_THRESHOLD = 88.0
NAME_ZIP_THRESHOLD = 92.0
NAMES_DIFFER_BELOW = 50.0
NAMES_DIFFER_FACTOR = 0.7
MAX_CONFIDENCE = 0.99
MAX_SHARED_CONTACT = 20
MAX_SHARED_DOB = 200


@dataclass(frozen=True, slots=True)
class DuplicateMember:
    """One customer as the duplicate finder sees it (``phone`` and ``email`` normalised)."""

    customer_id: int
    member_id: str
    name: str
    phone: str | None = None
    email: str | None = None
    date_of_birth: date | None = None
    zip_code: str | None = None
    visit_count: int = 0
    date_joined: date | None = None
    name_key: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Customers that are likely one person; ``members[0]`` is the suggested survivor."""

    key: str
    confidence: float
    reasons: tuple[str, ...]
    members: tuple[DuplicateMember, ...]

    @property
    def survivor(self) -> DuplicateMember:
        return self.members[0]

    @property
    def others(self) -> tuple[DuplicateMember, ...]:
        return self.members[1:]


Evidence = dict[str, float]  # signal -> strength, for one pair
Pairs = dict[tuple[int, int], Evidence]  # (index, index) with the lower index first


def find_duplicates(
    session: Session, *, region: str = "US", min_confidence: float = 0.0
) -> list[DuplicateGroup]:
    """Every group of likely duplicates, most confident first."""
    with _collector_paused():
        members = load_members(session, region=region)
        groups = group_duplicates(members)
    log.info("duplicate report: %d customers, %d groups", len(members), len(groups))
    return [g for g in groups if g.confidence >= min_confidence]


def find_group(session: Session, member_id: str, *, region: str = "US") -> DuplicateGroup:
    """The duplicate group with this member id in it (any member's id names its group)."""
    for group in find_duplicates(session, region=region):
        if any(m.member_id == member_id for m in group.members):
            return group
    raise NotFound(f"member id {member_id!r} is not in any duplicate group")


def load_members(session: Session, *, region: str = "US") -> list[DuplicateMember]:
    """The customers that take part (not merged), with normalised keys, in id order."""
    c = Customer
    stmt = (
        select(c.id, c.member_id, c.first_name, c.last_name, c.name_key, c.phone, c.phone_raw)
        .add_columns(c.email, c.date_of_birth, c.zip_code, c.visit_count, c.date_joined)
        .where(c.merged_into_id.is_(None))
        .order_by(c.id)
    )
    members = []
    for (
        cid,
        mid,
        first,
        last,
        key,
        phone,
        raw,
        email,
        dob,
        zip_code,
        visits,
        joined,
    ) in session.execute(stmt).all():
        name = f"{first or ''} {last or ''}".strip()
        members.append(
            DuplicateMember(
                customer_id=cid,
                member_id=mid,
                name=name,
                phone=phone or normalize_phone(raw, region),
                email=_email_key(email),
                date_of_birth=dob,
                zip_code=_zip_key(zip_code),
                visit_count=visits or 0,
                date_joined=joined,
                name_key=key or fold(name),
            )
        )
    return members


def group_duplicates(members: Sequence[DuplicateMember]) -> list[DuplicateGroup]:
    """Link pairs (see the module docstring) and build the groups; no database involved."""
    pairs = link_pairs(members)
    forest = _Forest(members)
    for confidence, (a, b) in sorted(
        ((pair_confidence(ev), pair) for pair, ev in pairs.items()), reverse=True
    ):
        forest.link(a, b, confidence)
    components: dict[int, set[int]] = defaultdict(set)
    signals: dict[int, set[str]] = defaultdict(set)
    for (a, b), evidence in pairs.items():
        r = forest.root(a)
        if r == forest.root(b):
            components[r].update((a, b))
            signals[r].update(evidence)
    groups = [
        _group([members[i] for i in sorted(indexes)], forest.weakest[r], signals[r])
        for r, indexes in components.items()
    ]
    return sorted(groups, key=lambda g: (-g.confidence, g.members[0].customer_id))


class _Forest:
    """Union-find over member indexes, strongest links first (Kruskal), remembering each tree's
    weakest link; a tree never takes in a second, different known date of birth."""

    def __init__(self, members: Sequence[DuplicateMember]) -> None:
        self.parent = list(range(len(members)))
        self.born = [m.date_of_birth for m in members]
        self.weakest: dict[int, float] = {}

    def root(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def link(self, a: int, b: int, confidence: float) -> None:
        ra, rb = self.root(a), self.root(b)
        born_a, born_b = self.born[ra], self.born[rb]
        if ra == rb or (born_a and born_b and born_a != born_b):
            return
        self.parent[rb] = ra
        self.born[ra] = born_a or born_b
        weakest = self.weakest
        weakest[ra] = min(confidence, weakest.pop(ra, 1.0), weakest.pop(rb, 1.0))


def link_pairs(members: Sequence[DuplicateMember]) -> Pairs:
    """Every linked pair with the strength of each signal that links it."""
    pairs: Pairs = defaultdict(dict)
    indexed = list(enumerate(members))
    for signal in ("phone", "email"):
        for block in _blocks(indexed, attrgetter(signal), MAX_SHARED_CONTACT):
            for (i, a), (j, b) in combinations(block, 2):
                pairs[i, j][signal] = STRENGTH[signal]
                if _names_differ(a, b):
                    pairs[i, j]["names differ"] = 0.0
    named = [(i, m) for i, m in indexed if m.name_key]
    for block in _blocks(named, attrgetter("date_of_birth"), MAX_SHARED_DOB):
        _link_names(pairs, block, "name+dob", NAME_DOB_THRESHOLD)
    no_dob_zips = {m.zip_code for _, m in named if m.date_of_birth is None}
    in_zips = [(i, m) for i, m in named if m.zip_code in no_dob_zips]
    for block in _blocks(in_zips, _zip_initials_of, len(members)):
        _link_names(pairs, block, "name+zip", NAME_ZIP_THRESHOLD)
    return dict(pairs)


def pair_confidence(evidence: Evidence) -> float:
    """One pair's confidence from its signals (see the module docstring)."""
    doubt = 1.0
    for signal, strength in evidence.items():
        if signal != "names differ":
            doubt *= 1.0 - strength
    confidence = 1.0 - doubt
    if "names differ" in evidence:
        confidence *= NAMES_DIFFER_FACTOR
    return round(min(confidence, MAX_CONFIDENCE), 3)


def _link_names(
    pairs: Pairs, block: list[tuple[int, DuplicateMember]], signal: str, threshold: float
) -> None:
    """Fuzzy name links inside one block; for name+zip only from members without a birth date,
    and only when the similar names do not belong to two different birth dates (ambiguous)."""
    by_zip = signal == "name+zip"
    names = [m.name_key for _, m in block]
    for position, (i, member) in enumerate(block):
        if by_zip and member.date_of_birth is not None:
            continue
        found = process.extract(
            member.name_key, names, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, limit=None
        )
        matches = [(block[k], score) for _, score, k in found if k != position]
        if by_zip and len({m.date_of_birth for (_, m), _ in matches} - {None}) > 1:
            continue
        for (j, _), score in matches:
            pair = (min(i, j), max(i, j))
            strength = round(STRENGTH[signal] * score / 100.0, 3)
            pairs[pair][signal] = max(strength, pairs[pair].get(signal, 0.0))


def _blocks(
    indexed: Iterable[tuple[int, DuplicateMember]],
    key: Callable[[DuplicateMember], Hashable | None],
    max_size: int,
) -> Iterator[list[tuple[int, DuplicateMember]]]:
    blocks: dict[Hashable, list[tuple[int, DuplicateMember]]] = defaultdict(list)
    for i, member in indexed:
        value = key(member)
        if value is not None:
            blocks[value].append((i, member))
    yield from (b for b in blocks.values() if 2 <= len(b) <= max_size)


def _group(members: list[DuplicateMember], confidence: float, signals: set[str]) -> DuplicateGroup:
    oldest = min(members, key=lambda m: m.customer_id)
    survivor = min(
        members,
        key=lambda m: (-m.visit_count, m.date_joined or date.max, m.customer_id),
    )
    ordered = (survivor, *(m for m in members if m is not survivor))
    reasons = tuple(s for s in SIGNAL_ORDER if s in signals)
    return DuplicateGroup(oldest.member_id, confidence, reasons, ordered)


def _names_differ(a: DuplicateMember, b: DuplicateMember) -> bool:
    if not (a.name_key and b.name_key):
        return False
    return fuzz.token_sort_ratio(a.name_key, b.name_key) < NAMES_DIFFER_BELOW


def _zip_initials_of(member: DuplicateMember) -> tuple[str, str] | None:
    if member.zip_code is None:
        return None
    return member.zip_code, "".join(sorted(word[0] for word in member.name_key.split()))


def _email_key(email: str | None) -> str | None:
    text = (email or "").strip().lower()
    return text if "@" in text else None


def _zip_key(zip_code: str | None) -> str | None:
    five = (zip_code or "").strip()[:5]
    return five if len(five) == 5 and five.isdigit() else None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: the report allocates ~10 small objects per customer
    and no reference cycles, and collections scanning them doubled the time at 100k customers.
    Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
