"""Borrowing MMedBench's rationales for MC questions that come without one.

MMedBench re-packages the exams of several sources (MedQA, IgakuQA, FrenchMedMCQA, RuMedDaNet,
HEAD-QA) and adds an explanation to every answer.  When a build reads one of those sources
directly, its questions have no rationale, so the template can only write the bare answer.  This
module joins them: an MC item without a rationale takes the rationale of the MMedBench question
with the same language and the same *normalised* stem (NFKC, case-folded, every character that is
not a letter or a digit removed), provided the correct option texts agree too (a repeated stem
with different options is a different question).  A stem MMedBench holds twice with different
answers or rationales is ambiguous and never joined.

The joined item's ``license`` then names both licences (``"<own>; rationale: <MMedBench's>
(MMedBench)"``), so the published row's provenance says where its explanation came from and
that MMedBench's non-commercial terms apply to it.  The build decides whether MMedBench may be
used at all (``--license-allow``) and gives only MMedBench's *training* questions as donors: a
rationale of a benchmark question must never reach a training row.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from mmed_ift.schemas import Item, MCQuestion

#: the marker joined licences carry, so a row's provenance names where its rationale came from
LICENSE_JOIN = "; rationale: {license} ({source})"


def stem_key(text: str) -> str:
    """The normalised form two copies of one question share: NFKC, case-folded, letters and
    digits only (spacing, punctuation and full-width forms differ between re-packagings)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if char.isalnum())


def answer_key(item: MCQuestion) -> str:
    """The normalised texts of the correct options, in key order."""
    return "|".join(stem_key(item.options[key]) for key in item.answer)


@dataclass(frozen=True)
class Donor:
    """One rationale that may be lent: the donor's answer texts, rationale and id."""

    answer: str
    rationale: str
    source_id: str


@dataclass
class RationaleIndex:
    """MMedBench-style rationales by ``(language, normalised stem)``."""

    source: str
    license: str
    donors: dict[tuple[str, str], Donor] = field(default_factory=dict)
    ambiguous: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def from_items(cls, items: Iterable[Item], *, source: str, license: str) -> RationaleIndex:
        """An index of the MC items of ``source`` that carry a rationale (other items are ignored)."""
        index = cls(source=source, license=license)
        for item in items:
            if isinstance(item, MCQuestion) and item.source == source and item.rationale:
                index.add(item)
        return index

    def add(self, item: MCQuestion) -> None:
        key = (item.lang, stem_key(item.question))
        if not key[1] or key in self.ambiguous:
            return
        donor = Donor(answer_key(item), (item.rationale or "").strip(), item.source_id)
        known = self.donors.get(key)
        if known is not None and (known.answer, known.rationale) != (donor.answer, donor.rationale):
            del self.donors[key]
            self.ambiguous.add(key)
            return
        self.donors.setdefault(key, donor)

    def __len__(self) -> int:
        return len(self.donors)

    def lookup(self, item: Item) -> Donor | None:
        """The donor for ``item``, or None (not MC, has a rationale, from the donor source, no match)."""
        if not isinstance(item, MCQuestion) or item.rationale or item.source == self.source:
            return None
        donor = self.donors.get((item.lang, stem_key(item.question)))
        if donor is None or donor.answer != answer_key(item):
            return None
        return donor

    def join(self, item: Item) -> Item:
        """``item`` with the donor's rationale and both licences, or ``item`` unchanged."""
        donor = self.lookup(item)
        if donor is None:
            return item
        license = item.license + LICENSE_JOIN.format(license=self.license, source=self.source)
        return item.model_copy(update={"rationale": donor.rationale, "license": license})
