"""What a source's license text says about reuse, read from the text itself.

Adapters state licenses as upstream does, sometimes as one SPDX id (``MIT``), sometimes as a
sentence naming several (``per dataset (ChatDoctor: Apache-2.0; medical meadow WikiDoc:
CC-BY-SA-4.0)``) or none (``unspecified (...)``).  The card needs two answers from that text:
the license the whole dataset can be offered under, and whether rows of that source may be used
commercially.  Both come from the ids found in the text: a source whose every named license
allows commercial use is not flagged non-commercial because its text is not a bare id.
"""

from __future__ import annotations

import re
from typing import Literal

#: most permissive first; a dataset takes the most restrictive license among its sources
LICENSE_ORDER: tuple[str, ...] = (
    "mit",
    "apache-2.0",
    "cc-by-4.0",
    "cc-by-sa-3.0",
    "cc-by-sa-4.0",
    "cc-by-nc-4.0",
    "cc-by-nc-sa-4.0",
    "other",
)
#: licenses that allow commercial use (with attribution / share-alike where they say so)
COMMERCIAL_LICENSES = frozenset({"mit", "apache-2.0", "cc-by-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0"})
#: words that make a license text more than its ids: the terms must be read by a person
_UNCLEAR = re.compile(r"\b(?:other|unspecified|unknown|terms|proprietary|custom)\b", re.IGNORECASE)
_NON_COMMERCIAL = re.compile(r"non[- ]?commercial|\bnc\b|-nc-", re.IGNORECASE)
_ID = re.compile(
    r"\b(mit|apache[- ]2\.0|cc[- ]by(?:[- ]nc)?(?:[- ]sa)?[- ][34]\.0)\b",
    re.IGNORECASE,
)

Commercial = Literal["allowed", "not_allowed", "unclear"]


def license_ids(text: str) -> list[str]:
    """The license ids named in ``text``, normalised (``CC BY-SA 4.0`` -> ``cc-by-sa-4.0``)."""
    return sorted({re.sub(r"[\s_]+", "-", match.lower()) for match in _ID.findall(text)}, key=LICENSE_ORDER.index)


def commercial_use(text: str) -> Commercial:
    """``allowed`` when every license named allows it and nothing else qualifies the text;
    ``not_allowed`` when one forbids it; ``unclear`` otherwise (no id, or extra terms)."""
    ids = license_ids(text)
    if _NON_COMMERCIAL.search(text) or any(name not in COMMERCIAL_LICENSES for name in ids):
        return "not_allowed"
    if not ids or _UNCLEAR.search(text):
        return "unclear"
    return "allowed"


def most_restrictive_license(licenses: list[str]) -> str:
    """The license the whole dataset can be offered under; a text with terms beyond standard
    license ids (or none) gives ``other``."""
    if not licenses:
        return "other"
    names: list[str] = []
    for text in licenses:
        ids = license_ids(text)
        if not ids or _UNCLEAR.search(text) or (_NON_COMMERCIAL.search(text) and not any("-nc" in i for i in ids)):
            return "other"
        names += ids
    return max(names, key=LICENSE_ORDER.index)
