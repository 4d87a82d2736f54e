"""PII scrub for patient-dialogue sources (ChatDoctor, Huatuo26M, cMedQA2).

Patients paste contact details into online consultations.  Emails, URLs, phone numbers and
national-ID-like numbers become placeholders (``[EMAIL]``, ``[URL]``, ``[PHONE]``, ``[ID]``) and
are counted per kind; the item is kept.  The patterns are anchored on digits rather than word
boundaries because Chinese and Japanese have none, and phone numbers need 9-15 digits plus a
phone-like shape so doses, dates and lab values are left alone.

Only sources whose spec marks them ``patient_dialogue`` are scrubbed by default: exam questions
and encyclopedia text hold numbers that merely look like identifiers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mmed_ift.filters.base import FilterStats, ItemFilter, Outcome, Rejection
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair

PLACEHOLDERS = {"email": "[EMAIL]", "url": "[URL]", "national_id": "[ID]", "phone": "[PHONE]"}

#: a URL is ASCII: it ends where CJK text (or whitespace, quotes, brackets) begins
_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+(?<![.,;:!?'])", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_NATIONAL_ID = re.compile(
    "|".join(
        [
            # CN resident ID: area code, birth date, sequence, check digit
            r"(?<![0-9A-Za-z])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])",
            r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])",  # US SSN
            r"(?<![\d-])\d{3}-\d{3}-\d{3}[ -]\d{2}(?!\d)",  # RU SNILS
            r"(?<![0-9A-Za-z])[XYZ]?\d{7,8}-?[A-HJ-NP-TV-Z](?![0-9A-Za-z])",  # ES DNI / NIE
            r"(?<!\d)[12] ?\d{2} ?\d{2} ?\d{2} ?\d{3} ?\d{3} ?\d{2}(?!\d)",  # FR NIR
            r"(?<!\d)\d{4}[ -]\d{4}[ -]\d{4}(?!\d)",  # JP My Number
        ]
    )
)
#: anchored on ASCII letters and digits, not on \w: CJK text has no spaces around numbers
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])(?:\+?\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,5}(?![0-9A-Za-z:])"
)
_DATE_TIME = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}[ T]\d{1,2}$")
_CN_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _looks_like_phone(candidate: str) -> bool:
    if _DATE_TIME.match(candidate.strip()):
        return False  # "2019-03-07 14" of "2019-03-07 14:30"
    digits = sum(char.isdigit() for char in candidate)
    if not 9 <= digits <= 15:
        return False
    return candidate.startswith(("+", "(", "0")) or "-" in candidate or " " in candidate.strip()


def scrub(text: str, counts: Counter[str]) -> str:
    """``text`` with PII replaced by placeholders; ``counts`` gains one per replacement kind."""

    def replace(kind: str) -> Callable[[re.Match[str]], str]:
        def apply(match: re.Match[str]) -> str:
            counts[kind] += 1
            return PLACEHOLDERS[kind]

        return apply

    def phone(match: re.Match[str]) -> str:
        if not _looks_like_phone(match.group(0)):
            return match.group(0)
        counts["phone"] += 1
        return PLACEHOLDERS["phone"]

    text = _URL.sub(replace("url"), text)
    text = _EMAIL.sub(replace("email"), text)
    text = _NATIONAL_ID.sub(replace("national_id"), text)
    text = _CN_MOBILE.sub(replace("phone"), text)
    return _PHONE.sub(phone, text)


def _scrub_item(item: Item, counts: Counter[str]) -> Item:
    update: dict[str, Any] = {}
    if isinstance(item, MCQuestion):
        update["question"] = scrub(item.question, counts)
        update["options"] = {key: scrub(value, counts) for key, value in item.options.items()}
        for name in ("rationale", "context"):
            value = getattr(item, name)
            if value:
                update[name] = scrub(value, counts)
    elif isinstance(item, QAPair):
        update["question"] = scrub(item.question, counts)
        update["answer"] = scrub(item.answer, counts)
        for name in ("context", "title"):
            value = getattr(item, name)
            if value:
                update[name] = scrub(value, counts)
    elif isinstance(item, Passage):
        update["title"] = scrub(item.title, counts)
        update["text"] = scrub(item.text, counts)
    return item.model_copy(update=update)


@dataclass
class PIIStats(FilterStats):
    replaced: Counter[str] = field(default_factory=Counter)
    items_changed: int = 0

    def merge(self, other: Any) -> None:
        self.replaced.update(other.replaced)
        self.items_changed += other.items_changed

    def to_dict(self) -> dict[str, Any]:
        return {"replaced": dict(self.replaced), "items_changed": self.items_changed}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PIIStats:
        return cls(Counter(data["replaced"]), int(data["items_changed"]))


@dataclass
class PIIScrub(ItemFilter[PIIStats]):
    """Replace personal details with placeholders; never rejects.

    ``sources`` names the sources to scrub; by default, items stamped ``patient_dialogue`` by
    their adapter are.
    """

    sources: Iterable[str] | None = None
    name: str = "pii"

    def __post_init__(self) -> None:
        self._sources = frozenset(self.sources) if self.sources is not None else None

    def new_stats(self) -> PIIStats:
        return PIIStats()

    def wants(self, item: Item) -> bool:
        return item.patient_dialogue if self._sources is None else item.source in self._sources

    def judge(self, items: Sequence[Item], stats: PIIStats) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for item in items:
            if not self.wants(item):
                outcomes.append(item)
                continue
            before = sum(stats.replaced.values())
            outcomes.append(_scrub_item(item, stats.replaced))
            if sum(stats.replaced.values()) != before:
                stats.items_changed += 1
        return outcomes

    def details(self, stats: PIIStats, rejections: Sequence[Rejection]) -> dict[str, Any]:
        return {"sources": sorted(self._sources or ()), **stats.to_dict()}
