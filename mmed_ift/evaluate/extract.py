"""Reading the chosen option keys out of a generated answer, in six languages.

Order of trust:

1. the answer line the MC recipe trains (``languages.Language.answer_line``: ``Answer: B``,
   ``答案：A、C``, ``Réponse : B``...), first occurrence: a fine-tuned model starts with it and
   may mention other letters in its explanation afterwards;
2. answer phrases models write unprompted, per language plus English (models often switch to
   English): ``the answer is (B)``, ``正确答案是B``, ``正解はc``, ``la bonne réponse est B``,
   ``правильный ответ — В``, ``la respuesta correcta es la B``...; the *last* one wins, because a
   reasoning model states its final choice at the end;
3. an answer that starts with a key (``B``, ``(B)``, ``B. text``, ``A, C``);
4. an answer that is exactly one option's text.

Anything else is "unparsed" (``None``), which scores as wrong and is counted in the report.

Text is NFKC-normalised first (full-width ``：``/``Ｂ`` become ``:``/``B``) and the Cyrillic
letters that look like option keys (``А В С Е``) are read as the Latin keys, since Russian
answers are often typed with them.  Lower-case keys are accepted only after a zh/ja answer phrase
(IgakuQA writes ``a``..``e``); in Latin-script text ``the answer is a ...`` is an article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from mmed_ift.languages import LANGUAGES

#: Cyrillic letters that are visually the Latin option keys
_LOOK_ALIKES: dict[str, str] = {"А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H"}
_SEPARATOR = r"(?:\s*(?:,|、|，|/|&|\+|;|\band\b|\bet\b|\by\b|\be\b|\bи\b|と|和|及)\s*)"
#: what may stand between an answer phrase and the key: spaces, markup, "option", "la", "вариант"...
_LEAD = (
    r"[\s*_\"'«»“”「『【\[(]*"
    r"(?:(?:options?|choices?|letter|l'option|la opción|opción|la|le|les|вариант|варианты|选项|選択肢)\s*)?"
    r"[\s*_\"'«»“”「『【\[(:]*"
)

_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        r"(?:correct|right|best|final)\s+(?:answer|option|choice)s?\s*(?:is|are|would be|:)?",
        r"\banswers?\s*(?:is|are|would be|:)",
        r"\bI\s+(?:would\s+)?(?:choose|select|pick)",
    ),
    "zh": (r"(?:正确)?答案\s*(?:是|为|應為|应为|:)?", r"(?:应|應)?选(?:择)?", r"故选"),
    "ja": (r"(?:答え|正解|解答|答)\s*(?:は|:|=)?", r"正しいのは"),
    "fr": (
        r"(?:bonnes?|correctes?)\s+réponses?\s*(?:est|sont|:)?",
        r"réponses?\s+(?:correctes?|exactes?|justes?)\s*(?:est|sont|:)?",
        r"\bréponses?\s*(?:est|sont|:)",
    ),
    "ru": (r"(?:правильн|верн)\w*\s+(?:ответ|вариант)\w*\s*(?:[—–-]|:|это)?", r"\bответ\s*(?:[—–-]|:)"),
    "es": (
        r"respuestas?\s+correctas?\s*(?:es|son|:)?",
        r"\b(?:la\s+)?respuestas?\s*(?:es|son|:)",
        r"opci[oó]n\s+correcta\s*(?:es|:)?",
    ),
}


def normalise(text: str) -> str:
    """NFKC (full-width to ASCII) with markdown emphasis removed."""
    return unicodedata.normalize("NFKC", text).replace("**", "")


def _key_run(text: str, keys: Sequence[str], *, lower_ok: bool, concatenated_ok: bool) -> list[str] | None:
    """Keys at the start of ``text``: ``B`` / ``A, C`` / ``A et C`` / ``ACE``; None if it is no key list."""
    latin = "".join(keys)
    look_alikes = "".join(cyrillic for cyrillic, key in _LOOK_ALIKES.items() if key in latin)
    letters = latin + look_alikes + (latin.lower() if lower_ok else "")
    single = rf"[{letters}](?![A-Za-z\u00C0-\u024F\u0400-\u04FF])"
    listed = re.match(rf"{single}(?:{_SEPARATOR}{single})*", text)
    if listed:
        found = re.findall(rf"[{letters}]", listed.group(0))
        return sorted({_LOOK_ALIKES.get(letter, letter).upper() for letter in found})
    if concatenated_ok:
        run = re.match(rf"[{letters}]{{2,}}(?![A-Za-z])", text)
        if run and len(set(run.group(0).upper())) == len(run.group(0)):
            return sorted(letter.upper() for letter in run.group(0))
    return None


def _after_phrases(
    text: str, patterns: Iterable[str], keys: Sequence[str], *, lower_ok: bool, concatenated_ok: bool
) -> list[list[str]]:
    """Every key list that follows one of the phrases, in text order."""
    found: list[tuple[int, list[str]]] = []
    for pattern in patterns:
        for match in re.finditer(pattern + _LEAD, text, flags=re.IGNORECASE):
            run = _key_run(text[match.end() :], keys, lower_ok=lower_ok, concatenated_ok=concatenated_ok)
            if run:
                found.append((match.end(), run))
    return [run for _, run in sorted(found, key=lambda pair: pair[0])]


def _recipe_line(text: str, lang: str, keys: Sequence[str]) -> list[str] | None:
    """The trained answer line, first occurrence (NFKC turns its ``：`` into ``:``)."""
    language = LANGUAGES.get(lang)
    if language is None:
        return None
    head = normalise(language.answer_line.split("{keys}")[0]).strip()
    pattern = re.escape(head).replace(r"\ ", r"\s*").replace(":", r"\s*:")
    runs = _after_phrases(text, [pattern], keys, lower_ok=lang in ("zh", "ja"), concatenated_ok=True)
    return runs[0] if runs else None


def _option_text(text: str, options: Mapping[str, str]) -> list[str] | None:
    cleaned = text.strip().strip(".。").casefold()
    hits = [key for key, value in options.items() if normalise(value).strip().strip(".。").casefold() == cleaned]
    return hits if len(hits) == 1 else None


def extract_answer(
    text: str, lang: str, keys: Sequence[str], options: Mapping[str, str] | None = None
) -> list[str] | None:
    """The sorted option keys a generated ``text`` chooses, or None when it states no answer."""
    normalised = normalise(text)
    recipe = _recipe_line(normalised, lang, keys)
    if recipe:
        return recipe
    cjk = lang in ("zh", "ja")
    patterns = [*_PHRASES.get(lang, ()), *(_PHRASES["en"] if lang != "en" else ())]
    runs = _after_phrases(normalised, patterns, keys, lower_ok=cjk, concatenated_ok=cjk)
    if runs:
        return runs[-1]
    start = re.sub(r"^[\s*_\"'「『【\[(]+", "", normalised)
    leading = _key_run(start, keys, lower_ok=False, concatenated_ok=False)
    if leading:
        return leading
    if options:
        return _option_text(normalised, {key: value for key, value in options.items() if key in keys})
    return None
