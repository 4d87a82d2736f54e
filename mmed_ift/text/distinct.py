"""What two near-identical texts differ in: names and content words, not just shingles.

Templated pages share most of their shingles while being about different things: MedQuAD's
symptom page for "Jervell Lange-Nielsen syndrome" and the one for "Fructosuria" are the same
boilerplate around a different disease name and symptom list, and their Jaccard similarity passes
0.8.  A near-duplicate is the same record again (re-crawled, re-spaced, re-punctuated, a typo
fixed, a sentence added), so the tokens two texts do *not* share decide (:func:`distinct`):

* **names**: each text has a name-like token the other lacks (a capitalised word that does not
  start a sentence or line, or capitals with digits or more capitals: ``Fructosuria``, ``FGD1``,
  ``HbA1c``, ``II``);
* **slots**: each text has a content word the other lacks and repeats at least three times
  (the template's slot: "classic type" against "vascular type" all through two Ehlers-Danlos
  pages; a fixed typo occurs once);
* **focus**: both records carry a title (MedQuAD's focus, a passage title, or the X of a
  templated question such as "What are the symptoms of X ?"), the titles differ, and each text
  has a content word the other lacks;
* **content**: one text has at least ``max_extra`` content words (not function words, three
  letters or more) that the other lacks: dropping it would lose that content.

A sentence added to a page gives extra words on one side only, and fewer than ``max_extra``; a
fixed typo or a changed number is one word each side and names nothing.  Chinese and Japanese
have no spaces: only their Latin-script words (drug and gene names) and the title count there.
Hashes are stable across processes (BLAKE2b), so a distributed engine decides the same.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mmed_ift.text.function_words import FUNCTION_WORDS
from mmed_ift.text.scripts import CHARACTER_LANGUAGES

U64 = npt.NDArray[np.uint64]
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_LATIN_TOKEN = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:[-'][A-Za-z0-9\u00c0-\u024f]+)*")
#: what may come right before a token that starts a sentence, a line or a list item
_STARTS = frozenset('.?!:;\n-•*(["“')
_EMPTY = np.zeros(0, dtype=np.uint64)
_ENGLISH = FUNCTION_WORDS["en"]


#: MedQuAD's question templates; the slot is the record's focus (when its metadata has none)
_FOCUS_QUESTIONS = re.compile(
    r"^(?:what (?:is|are) \(are\)|what (?:is|are) the (?:symptoms|treatments|stages|causes|complications) (?:of|for)"
    r"|what causes|what are the genetic changes related to|how many people are affected by|how to (?:diagnose|prevent)"
    r"|what is the outlook for|who is at risk for|what research \(or clinical trials\) is being done for"
    r"|do you have information about|what to do for|is)\s+(?P<focus>.+?)(?:\s+inherited)?\s*\?*\s*$",
    re.IGNORECASE,
)


def question_focus(question: str) -> str | None:
    """The X of a templated question ("What is (are) X ?", "Is X inherited ?"), or None."""
    found = _FOCUS_QUESTIONS.match(" ".join(question.split()))
    return found.group("focus") if found else None


@functools.lru_cache(maxsize=1 << 16)  # words repeat across records: hash each once
def stable_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class Tokens:
    """The tokens of one record that :func:`distinct` compares (sorted unique hashes)."""

    title: int  # hash of the normalised title; 0 without one
    content: U64  # content words, case-folded
    names: U64  # name-like tokens, case-folded (a subset of ``content``)
    repeated: U64  # content words that occur at least ``REPEATED`` times (template slots)


@dataclass(frozen=True)
class DistinctRules:
    """When two texts that pass the Jaccard threshold are still different records."""

    #: name-like tokens each text must have that the other lacks
    min_names: int = 1
    #: content words one text must have that the other lacks
    max_extra: int = 10
    #: titles that differ make two records different (when their texts differ too)
    titles: bool = True
    #: each text has a word the other lacks that it repeats (a template's slot); False: ignore
    slots: bool = True


#: a content word seen this often in one text fills a slot of its template (the disease name)
REPEATED = 3


def _is_content(token: str) -> bool:
    """Words of three letters or more; shorter ones only when they are numbers or capitals
    ("type I" vs "type II", "type 1" vs "type 2")."""
    return len(token) >= 3 or token.isupper() or any(char.isdigit() for char in token)


#: what :func:`_classify` says of a token that counts: never a name, always a name, or a name
#: unless it starts a sentence (decided by the character before it)
_NOT_NAME, _NAME, _NAME_INSIDE = 0, 1, 2


@functools.lru_cache(maxsize=1 << 18)  # a corpus repeats its words: classify each word once
def _classify(token: str, lang: str) -> tuple[int, int] | None:
    """(hash, kind) of a token of ``lang``, or None when it is a function word or too short.

    The kind leaves the character before the token open: a token with no capitals is never a
    name, one with two capitals or a digit always is, and one with a single capital first is one
    only inside a sentence.  ``islower`` (no cased character that is not
    lower case) answers the common lower-case word without looking at its characters one by one.
    """
    folded = token.casefold()
    if folded in FUNCTION_WORDS.get(lang, _ENGLISH) or not _is_content(token):
        return None
    value = stable_hash(folded)
    if token.islower():
        return value, _NOT_NAME
    capitals = sum(char.isupper() for char in token)
    if not capitals:
        return value, _NOT_NAME
    if capitals > 1 or any(char.isdigit() for char in token):
        return value, _NAME
    return value, _NAME_INSIDE if token[0].isupper() else _NOT_NAME


def _before(text: str, start: int) -> str:
    """The last character before ``start`` that is not a space or a tab ("\n" at the start):
    ``text[:start].rstrip(" \t")[-1:] or "\n"`` without copying the text before the token."""
    at = start - 1
    while at >= 0 and text[at] in " \t":
        at -= 1
    return text[at] if at >= 0 else "\n"


def tokens(text: str, title: str | None, lang: str) -> Tokens:
    """The content words and names of ``text`` (a record's comparison text) and its title.

    The words are found and counted in C (``findall``, ``Counter``) and each distinct one is
    classified once (:func:`_classify`, cached across texts); only the positions of a word
    capitalised like a sentence start are looked at, for the character before them."""
    pattern = _LATIN_TOKEN if lang in CHARACTER_LANGUAGES else _TOKEN
    content: dict[int, int] = {}
    names: set[int] = set()
    inside: dict[str, int] = {}  # capitalised like a sentence start: a name where one is not
    for word, seen in Counter(pattern.findall(text)).items():
        found = _classify(word, lang)
        if found is None:
            continue
        value, kind = found
        content[value] = content.get(value, 0) + seen
        if kind == _NAME:
            names.add(value)
        elif kind == _NAME_INSIDE:
            inside[word] = value
    if inside:
        for match in pattern.finditer(text):
            name = inside.get(match.group())
            if name is not None and name not in names and _before(text, match.start()) not in _STARTS:
                names.add(name)
    normal_title = " ".join(_TOKEN.findall(title.casefold())) if title else ""
    repeated = sorted(value for value, seen in content.items() if seen >= REPEATED)
    return Tokens(
        stable_hash(normal_title) if normal_title else 0,
        np.array(sorted(content), dtype=np.uint64) if content else _EMPTY,
        np.array(sorted(names), dtype=np.uint64) if names else _EMPTY,
        np.array(repeated, dtype=np.uint64) if repeated else _EMPTY,
    )


def distinct(left: Tokens, right: Tokens, rules: DistinctRules) -> str | None:
    """Why two records are different although their shingles agree (``"names"``, ``"slots"``,
    ``"focus"``, ``"content"``), or ``None`` when nothing tells them apart.

    The token arrays are unique and a record has tens of them: Python sets of their values count
    the differences in a few microseconds, where numpy's set functions cost tens each (one call
    per candidate pair of the near-dedup graph)."""
    left_content = set(left.content.tolist())
    right_content = set(right.content.tolist())
    left_only = left_content - right_content
    right_only = right_content - left_content
    if rules.min_names:
        left_names = len(left_only.intersection(left.names.tolist()))
        right_names = len(right_only.intersection(right.names.tolist()))
        if min(left_names, right_names) >= rules.min_names:
            return "names"
    if (
        rules.slots
        and left_only.intersection(left.repeated.tolist())
        and right_only.intersection(right.repeated.tolist())
    ):
        return "slots"
    titles_differ = rules.titles and left.title and right.title and left.title != right.title
    if titles_differ and left_only and right_only:
        return "focus"
    if rules.max_extra and max(len(left_only), len(right_only)) >= rules.max_extra:
        return "content"
    return None


def pack(shingles: U64, found: Tokens) -> bytes:
    """One blob for a similarity-graph node: shingles, then the title and the token hashes."""
    header = np.array([len(shingles), found.title, len(found.content), len(found.names)], dtype=np.uint64)
    parts = [header, shingles, found.content, found.names, found.repeated]
    return np.concatenate(parts).astype(np.uint64).tobytes()


def unpack(blob: bytes) -> tuple[U64, Tokens]:
    values = np.frombuffer(blob, dtype=np.uint64)
    shingle_count, title, content_count, name_count = (int(value) for value in values[:4])
    start = 4 + shingle_count
    shingles = values[4:start]
    content = values[start : start + content_count]
    names = values[start + content_count : start + content_count + name_count]
    repeated = values[start + content_count + name_count :]
    return shingles, Tokens(title, content, names, repeated)
