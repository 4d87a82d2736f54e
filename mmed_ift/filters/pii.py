"""PII scrub for patient-dialogue sources (ChatDoctor, Huatuo26M, cMedQA2).

Patients paste contact details into online consultations.  Emails, URLs, phone numbers and
national-ID-like numbers become placeholders (``[EMAIL]``, ``[URL]``, ``[PHONE]``, ``[ID]``) and
are counted per kind; the item is kept.  The patterns are anchored on digits rather than word
boundaries because Chinese and Japanese have none, and phone numbers need 9-15 digits plus a
phone-like shape so doses, dates and lab values are left alone.

Only sources whose spec marks them ``patient_dialogue`` are scrubbed by default: exam questions
and encyclopedia text hold numbers that merely look like identifiers.

Matching runs on a *normalised view* of the text, so disguised PII is found too: each character
is NFKC-normalised (full-width digits ``１３８…`` and ``＠`` become ASCII) and invisible format
characters (zero-width space/joiner, word joiner, BOM, soft hyphen, bidi controls) are left out,
so ``john\u200b.doe@example.com`` and ``138\u200b1234\u200b5678`` match.  Each match is mapped
back to its span of the original text, which is what is replaced; text without PII is returned
unchanged (not normalised).  URLs without a scheme are found as ``www.…`` or as a host name
ending in a common top-level domain (``example.com``, ``clinic.example.co.jp/path``); the list of
TLDs leaves out those that are also words or abbreviations (``in``, ``it``, ``me``, ``co``...) so
doses, dates, lab values and abbreviations like ``e.g.`` survive.
"""

from __future__ import annotations

import re
import unicodedata
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
#: a host name without a scheme, ending in a TLD that is not also a common word or abbreviation;
#: an optional country second level (``.co.jp``, ``.com.cn``) and path; not inside an email
_TLDS = (
    "com|org|net|edu|gov|mil|info|biz|io|ai|app|dev|health|online|site|xyz|top|"
    "cn|jp|fr|ru|es|de|uk|ca|au|kr|tw|hk|br|nl|ch|se|eu|pl|mx|ar|cl|su|ua|kz|by"
)
_BARE_URL = re.compile(
    r"(?<![A-Za-z0-9@._%+\-/])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    rf"(?:{_TLDS})(?:\.[a-z]{{2}})?(?![A-Za-z0-9\-@])"
    r"(?:/[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]*(?<![.,;:!?']))?",
    re.IGNORECASE,
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


#: characters the view leaves out: every format character (zero-width, bidi, soft hyphen, BOM)
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")

#: what one pass finds: replacement text for a match of the view, or None to keep it
Replacer = Callable[[re.Match[str]], str | None]


def normalised_view(text: str) -> tuple[str, list[int]]:
    """The text PII is matched on, and for each of its characters the index it came from.

    Characters are NFKC-normalised one by one (full-width forms become ASCII) and invisible
    format characters are dropped, so a match in the view covers a span of the original.
    """
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            chars.append(char)
            origin.append(index)
            continue
        if _INVISIBLE.match(char):
            continue
        for piece in unicodedata.normalize("NFKC", char):
            chars.append(piece)
            origin.append(index)
    return "".join(chars), origin


def _needs_view(text: str) -> bool:
    return _INVISIBLE.search(text) is not None or not unicodedata.is_normalized("NFKC", text)


def _substitute(pattern: re.Pattern[str], text: str, replacer: Replacer) -> str:
    """``pattern.sub`` matched on the normalised view, replacing the original spans."""
    if not _needs_view(text):
        return pattern.sub(lambda match: replacer(match) or match.group(0), text)
    view, origin = normalised_view(text)
    spans: list[tuple[int, int, str]] = []
    for match in pattern.finditer(view):
        if match.end() == match.start():
            continue
        replacement = replacer(match)
        if replacement is not None:
            spans.append((origin[match.start()], origin[match.end() - 1] + 1, replacement))
    for start, end, replacement in reversed(spans):
        text = text[:start] + replacement + text[end:]
    return text


def _passes(counts: Counter[str]) -> list[tuple[re.Pattern[str], Replacer]]:
    def replace(kind: str) -> Replacer:
        def apply(match: re.Match[str]) -> str:
            counts[kind] += 1
            return PLACEHOLDERS[kind]

        return apply

    def phone(match: re.Match[str]) -> str | None:
        if not _looks_like_phone(match.group(0)):
            return None
        counts["phone"] += 1
        return PLACEHOLDERS["phone"]

    return [
        (_URL, replace("url")),
        (_EMAIL, replace("email")),
        (_BARE_URL, replace("url")),
        (_NATIONAL_ID, replace("national_id")),
        (_CN_MOBILE, replace("phone")),
        (_PHONE, phone),
    ]


def scrub(text: str, counts: Counter[str]) -> str:
    """``text`` with PII replaced by placeholders; ``counts`` gains one per replacement kind.

    Matching runs on the normalised view (see the module docstring); text in which nothing is
    found comes back unchanged.
    """
    if _needs_view(text):
        # quick check on the whole-string view (C speed): most texts hold no PII at all
        probe: Counter[str] = Counter()
        view = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
        for pattern, replacer in _passes(probe):
            view = pattern.sub(lambda match, r=replacer: r(match) or match.group(0), view)  # type: ignore[misc]
        if not probe:
            return text
    for pattern, replacer in _passes(counts):
        text = _substitute(pattern, text, replacer)
    return text


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
