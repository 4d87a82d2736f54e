"""Unicode script facts the filters need: which characters are kana, Han, Cyrillic, Latin.

fastText's lid.176 model confuses Han-only Chinese with Japanese and is thrown off by Latin drug
names inside Chinese, Japanese and Russian text.  Script counts settle both cheaply: kana only
occurs in Japanese, and Latin words inside a non-Latin-script text are borrowings to ignore.
The same counts tell which script carries a text (:meth:`ScriptCounts.matrix`), so an English
answer with a Chinese gloss is judged as English, and a Chinese answer full of English drug
names as Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

#: kana, except U+30FB (katakana middle dot), which Chinese uses between the parts of foreign names
KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
#: Latin letters, with the accented and Vietnamese-style extended blocks
LATIN = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f0-9'’\-]*")
#: a letter of any script
LETTER = re.compile(r"[^\W\d_]")
#: any letter outside the Latin blocks: text without one is pure Latin script (the common case)
NON_LATIN_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
#: a run of characters that are neither Latin letters nor ASCII (a gloss in another script)
NON_LATIN_RUN = re.compile(r"[^\x00-\x7f\u00a0-\u024f\u1e00-\u1eff\u2000-\u206f]+")
#: languages written in a non-Latin script, where Latin words are borrowings
NON_LATIN_LANGUAGES = frozenset({"zh", "ja", "ru"})
#: languages whose words are not separated by spaces: shingles are character n-grams
CHARACTER_LANGUAGES = frozenset({"zh", "ja"})

Script = Literal["latin", "cyrillic", "cjk", "other"]
#: the script each language of MMed-IFT is written in
SCRIPT_OF: dict[str, Script] = {"en": "latin", "fr": "latin", "es": "latin", "ru": "cyrillic", "zh": "cjk", "ja": "cjk"}
#: a Han or kana character carries about as much text as three Latin or Cyrillic letters
CJK_WEIGHT = 3
#: the kana share of the CJK characters above which a text is Japanese
KANA_SHARE = 0.05


def count(pattern: re.Pattern[str], text: str) -> int:
    return pattern.subn("", text)[1]  # no list of matches, unlike len(findall)


def without_latin_words(text: str) -> str:
    """Drop Latin-script words (drug names, English terms, units) from a zh/ja/ru text."""
    return " ".join(LATIN_WORD.sub(" ", text).split())


def without_other_scripts(text: str) -> str:
    """Drop runs of non-Latin characters (a Chinese gloss, a Greek letter) from a Latin-script text."""
    return " ".join(NON_LATIN_RUN.sub(" ", text).split())


@dataclass(frozen=True)
class ScriptCounts:
    """How many letters of each script a text has."""

    latin: int
    cyrillic: int
    han: int
    kana: int
    other: int

    @property
    def cjk(self) -> int:
        return self.han + self.kana

    def matrix(self) -> Script | None:
        """The script that carries the text (CJK characters weigh :data:`CJK_WEIGHT` letters);
        ``None`` for a text without letters."""
        weights: dict[Script, int] = {
            "latin": self.latin,
            "cyrillic": self.cyrillic,
            "cjk": CJK_WEIGHT * self.cjk,
            "other": self.other,
        }
        best = max(weights, key=lambda script: weights[script])
        return best if weights[best] else None

    def script_language(self) -> Literal["ja", "zh"] | None:
        """What the CJK characters alone decide: kana makes a text Japanese (kana occurs in no
        other language); Han without kana, making up at least half of the letters, Chinese
        (lid.176 calls short Simplified Chinese Japanese); ``None`` otherwise."""
        if self.kana and self.kana >= KANA_SHARE * self.cjk:
            return "ja"
        letters = self.cjk + self.cyrillic + self.other
        if self.han and self.han >= 0.5 * letters:
            return "zh"
        return None


def script_counts(text: str) -> ScriptCounts:
    """Letters per script.  Text in Latin script alone (most of the corpus) costs one scan, and
    its ``latin`` is then its count of non-space characters: nothing else competes with it."""
    if text.isascii() or not NON_LATIN_LETTER.search(text):
        return ScriptCounts(len(text) - text.count(" "), 0, 0, 0, 0)
    latin, cyrillic, han, kana = count(LATIN, text), count(CYRILLIC, text), count(HAN, text), count(KANA, text)
    other = count(LETTER, text) - latin - cyrillic - han - kana
    return ScriptCounts(latin, cyrillic, han, kana, max(other, 0))


#: code point -> whether :data:`NON_LATIN_LETTER` matches it (filled as code points are met)
_NON_LATIN_CODE: dict[int, bool] = {}


def non_latin_letters(texts: Sequence[str]) -> list[bool]:
    """``[bool(NON_LATIN_LETTER.search(text)) for text in texts]`` for a batch at once: its
    non-ASCII texts joined as code points (UTF-32) in numpy.  Only a code point outside ASCII
    and the Latin blocks can be such a letter; each distinct one is asked of the regex once
    (a regex scan of every character of every French and Spanish text was a tenth of language
    ID's CPU)."""
    import numpy as np  # here, not at the top: the CLI's --help imports this module (no numpy there)

    found = [False] * len(texts)
    rest = [index for index, text in enumerate(texts) if not text.isascii()]
    if not rest:
        return found
    points = np.frombuffer("\n".join([texts[index] for index in rest]).encode("utf-32-le", "surrogatepass"), np.uint32)
    outside = np.flatnonzero(
        (points >= 0x80) & ((points < 0xC0) | (points > 0x24F)) & ((points < 0x1E00) | (points > 0x1EFF))
    )
    if not len(outside):
        return found
    codes = points[outside]
    letters = []
    for code in np.unique(codes).tolist():
        known = _NON_LATIN_CODE.get(code)
        if known is None:
            known = _NON_LATIN_CODE[code] = NON_LATIN_LETTER.match(chr(code)) is not None
        if known:
            letters.append(code)
    if not letters:
        return found
    sizes = np.array([len(texts[index]) + 1 for index in rest], dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    at = outside[np.isin(codes, np.array(letters, dtype=np.uint32))]
    for row in np.unique(np.searchsorted(starts, at, side="right") - 1).tolist():
        found[rest[row]] = True
    return found
