"""Unicode script facts the filters need: which characters are kana, Han, Cyrillic, Latin.

fastText's lid.176 model confuses Han-only Chinese with Japanese and is thrown off by Latin drug
names inside Chinese, Japanese and Russian text.  Script counts settle both cheaply: kana only
occurs in Japanese, and Latin words inside a non-Latin-script text are borrowings to ignore.
"""

from __future__ import annotations

import re

KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f0-9'’\-]*")
#: languages written in a non-Latin script, where Latin words are borrowings
NON_LATIN_LANGUAGES = frozenset({"zh", "ja", "ru"})
#: languages whose words are not separated by spaces: shingles are character n-grams
CHARACTER_LANGUAGES = frozenset({"zh", "ja"})


def count(pattern: re.Pattern[str], text: str) -> int:
    return len(pattern.findall(text))


def without_latin_words(text: str) -> str:
    """Drop Latin-script words (drug names, English terms, units) from a zh/ja/ru text."""
    return " ".join(LATIN_WORD.sub(" ", text).split())
