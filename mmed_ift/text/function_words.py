"""Function words: the evidence that a text is written *in* a language, not just about it.

A list of disease names (``Fibrodysplasia ossificans progressiva, osteogenesis imperfecta``) has
no language of its own: lid.176 calls it Italian or Latin because of its endings.  Running text
in a language is held together by that language's articles, prepositions, pronouns and
auxiliaries, and those are what this module counts.  The language-ID filter rejects a
Latin-script (or Cyrillic) text as another language of the same script only when that language's
function words outnumber the declared language's (:func:`function_word_hits`).

The lists are the most frequent closed-class words of each language that lid.176 confuses with
the six MMed-IFT languages; words that are also a content word in one of the six are left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt

_WORDS: dict[str, str] = {
    "en": "the of and to in is are was were be been a an that this these those it its with for on as by "
    "from at or which who what when how not can may has have had their there than also such into",
    "fr": "le la les des du de un une et est sont dans pour par sur au aux avec ce cette ces qui que "
    "quel quelle il elle ils elles ne pas plus ou son sa ses leur été être peut chez lors",
    "es": "el la los las del de un una unos unas y es son en por para con que cual cuál se su sus al "
    "lo como más pero este esta estos estas ha han fue ser puede entre sobre sin",
    "it": "il lo la gli le di del della dei degli delle un una uno e è sono nel nella per con che "
    "si da dal dalla al alla non più anche questo questa come",
    "pt": "o a os as do da dos das de um uma e é são no na nos nas em por para com que se não "
    "mais ao à como pelo pela foi ser",
    "ca": "el la els les del dels de un una i és són en per amb que es no més al als com aquest aquesta però",
    "de": "der die das den dem des ein eine einer und ist sind im in mit von zu für auf nicht sich "
    "bei oder auch wird werden",
    "nl": "de het een en van in is zijn met op voor dat niet te aan bij ook wordt worden",
    "la": "et est in ad cum non sunt qui quae quod ex per pro sed ut vel ab atque",
    "ro": "și în este sunt cu pe la din de un o al ale care nu mai sau pentru prin",
    "id": "dan yang di ke dari ini itu dengan untuk pada adalah tidak akan dalam atau",
    "ru": "и в во не на с со что как по при для от из к у это или был была были быть его её их "
    "который которые также только после",
    "uk": "і й та в у на з зі що як не по при для від до це або був була були його її який яка яке які "
    "також тільки після цей ця ці ще вже",
    "bg": "и в на с не се за от да по като които който е са това или към при след",
}
#: language -> its function words
FUNCTION_WORDS: dict[str, frozenset[str]] = {lang: frozenset(words.split()) for lang, words in _WORDS.items()}
#: function word -> the languages whose list has it
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang, words in FUNCTION_WORDS.items() if word in words)
    for word in set().union(*FUNCTION_WORDS.values())
}
_ALL_FUNCTION_WORDS = frozenset(_LANGUAGES_OF)
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
#: letters one Cyrillic language has and the other lacks: a word with one is that language's evidence
_LETTERS = {"uk": re.compile("[іїєґ]"), "ru": re.compile("[ыэъё]")}
#: elisions (l', d', qu') count as the French word they stand for
#: a token: ``str``, or ``bytes`` on the cp1252 path
_Word = TypeVar("_Word", str, bytes)

_ELISION = re.compile(r"^(?:l|d|qu|j|n|s|c)['’]", re.IGNORECASE)


def function_word_counts(text: str) -> dict[str, int]:
    """:func:`function_word_hits` for every language with a list at once: the language-ID filter
    asks it of almost every Latin-script text.  The function words a text holds are found in one
    set intersection in C (``frozenset.intersection`` of the tokens), and each is counted with
    ``list.count``: a text holds few distinct function words, and this builds no ``Counter`` of
    every token (about half of the old cost per text)."""
    lowered = text.lower()
    hits = dict.fromkeys(FUNCTION_WORDS, 0)
    try:
        encoded = lowered.encode("cp1252")
    except UnicodeEncodeError:
        pass
    else:
        if b"'" not in encoded and b"\x92" not in encoded:  # no apostrophe (\x92 is ’): no elision
            # the byte tokens of _tokens, never decoded: cp1252 is one byte a character both ways
            byte_tokens = encoded.translate(_CP1252_LETTERS_AND_APOSTROPHES).split()
            return _add_hits(hits, byte_tokens, _LANGUAGES_OF_BYTES, _ALL_BYTE_WORDS)
    tokens, cyrillic_possible = _tokens(lowered)
    if "'" in lowered or "’" in lowered:
        stripped = []
        for token in tokens:
            if _ELISION.match(token):
                hits["fr"] += 1
                token = _ELISION.sub("", token)
            stripped.append(token)
        tokens = stripped
    if cyrillic_possible:
        return _counts_with_letters(lowered, tokens, hits)
    return _add_hits(hits, tokens, _LANGUAGES_OF, _ALL_FUNCTION_WORDS)


def _add_hits(
    hits: dict[str, int], tokens: list[_Word], languages_of: dict[_Word, tuple[str, ...]], known: frozenset[_Word]
) -> dict[str, int]:
    """Each function word among ``tokens`` (found by one set intersection in C) counted once with
    ``list.count`` for every language that lists it: the same for byte and text tokens."""
    count = tokens.count
    for word in known.intersection(tokens):
        found = count(word)
        for lang in languages_of[word]:
            hits[lang] += found
    return hits


def _counts_with_letters(lowered: str, tokens: list[str], hits: dict[str, int]) -> dict[str, int]:
    """:func:`function_word_counts` of a text that may hold Russian or Ukrainian letters: a word
    with a letter only one of them has counts for it, in its list or not."""
    counts = Counter(tokens)
    for word in counts.keys() & _ALL_FUNCTION_WORDS:
        for lang in _LANGUAGES_OF[word]:
            hits[lang] += counts[word]
    for lang, letters in _LETTERS.items():
        if letters.search(lowered):  # a word with the letter counts once, in the list or not
            words = FUNCTION_WORDS[lang]
            hits[lang] = sum(n for token, n in counts.items() if token in words or letters.search(token))
    return hits


def _tokens(lowered: str) -> tuple[list[str], bool]:
    """``_TOKEN.findall(lowered)``, and whether the text may hold letters outside cp1252 (the
    Russian and Ukrainian letters of ``_LETTERS``).  Where the text is cp1252 (English, French,
    Spanish, with œ and ’) it is tokenised by byte translation: every byte that is neither a
    letter nor an apostrophe becomes a space, so the pieces of ``split()`` are the runs the regex
    scans, and only a piece with an apostrophe needs the regex (the Unicode-class regex over a
    whole text costs about twice the rest)."""
    try:
        encoded = lowered.encode("cp1252")
    except UnicodeEncodeError:
        return _TOKEN.findall(lowered), True
    spaced = encoded.translate(_CP1252_LETTERS_AND_APOSTROPHES).decode("cp1252")
    if "'" not in spaced and "’" not in spaced:
        return spaced.split(), False
    tokens: list[str] = []
    for piece in spaced.split():
        if "'" in piece or "’" in piece:
            tokens += _TOKEN.findall(piece)
        else:
            tokens.append(piece)
    return tokens, False


def _cp1252_table() -> bytes:
    """cp1252 byte -> itself for a letter (as the regex's ``[^\\W\\d_]`` decides) or an apostrophe, else a space."""
    letter = re.compile(r"[^\W\d_]")
    table = bytearray(range(256))
    for byte in range(256):
        try:
            char = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue  # undefined in cp1252: no encoded text has it
        if not letter.match(char) and char not in "'’":
            table[byte] = 0x20
    return bytes(table)


_CP1252_LETTERS_AND_APOSTROPHES = _cp1252_table()


def _cp1252_words() -> dict[bytes, tuple[str, ...]]:
    """:data:`_LANGUAGES_OF` keyed by each word's cp1252 bytes (words cp1252 cannot write, such
    as Romanian ``și`` or the Cyrillic lists, cannot occur in a text it can)."""
    found: dict[bytes, tuple[str, ...]] = {}
    for word, languages in _LANGUAGES_OF.items():
        try:
            found[word.encode("cp1252")] = languages
        except UnicodeEncodeError:
            continue
    return found


_LANGUAGES_OF_BYTES = _cp1252_words()
_ALL_BYTE_WORDS = frozenset(_LANGUAGES_OF_BYTES)


#: the languages with a list, in order: the columns of :func:`function_word_matrix`
LANGUAGES: tuple[str, ...] = tuple(FUNCTION_WORDS)


def _lowering_table() -> bytes:
    """``_CP1252_LETTERS_AND_APOSTROPHES`` of each cp1252 byte's lower case: applied to a text
    encoded before lowering, it gives the bytes of the lowered text, translated (every cp1252
    character lowers to one cp1252 character, and none to an apostrophe; checked here)."""
    table = bytearray(_CP1252_LETTERS_AND_APOSTROPHES)
    for byte in range(256):
        try:
            char = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        lowered = char.lower().encode("cp1252")
        assert len(lowered) == 1 and (char in "'\u2019") == (lowered in (b"'", b"\x92"))
        table[byte] = _CP1252_LETTERS_AND_APOSTROPHES[lowered[0]]
    return bytes(table)


_LOWERED_LETTERS = _lowering_table()
#: each cp1252 function word's bytes as one little-endian integer (none is over 8 bytes or has a 0)
_KEYS = np.array(sorted(int.from_bytes(word, "little") for word in _ALL_BYTE_WORDS), dtype=np.uint64)
assert all(0 < len(word) <= 8 and word.translate(_CP1252_LETTERS_AND_APOSTROPHES) == word for word in _ALL_BYTE_WORDS)
#: the languages of each word of ``_KEYS`` (as columns), flat, and where each word's start
_WORD_LANGUAGES = [
    [LANGUAGES.index(lang) for lang in _LANGUAGES_OF_BYTES[int(key).to_bytes(8, "little").rstrip(b"\0")]]
    for key in _KEYS
]
_COLUMNS = np.array([column for columns in _WORD_LANGUAGES for column in columns], dtype=np.int64)
_COLUMN_STARTS = np.cumsum([0] + [len(columns) for columns in _WORD_LANGUAGES]).astype(np.int64)
#: (1 << 8 * length) - 1 for a token of ``length`` bytes, 0 to 8
_LENGTH_MASKS = np.array([(1 << 8 * length) - 1 for length in range(9)], dtype=np.uint64)


def function_word_matrix(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    """Row ``i`` is :func:`function_word_counts` of ``texts[i]`` over :data:`LANGUAGES`.

    The texts :func:`function_word_counts` takes on its byte path (cp1252, no apostrophe: nearly
    every English, French and Spanish text) are counted for the whole batch at once in numpy:
    the batch joined by newlines is encoded and translated once (lowered by the translation
    table), its tokens are the runs of non-space bytes, and a token of at most 8 bytes is a
    function word when its bytes, read as one integer, are in ``_KEYS``.  No Python object is
    made per token (lowering, splitting, hashing and counting one text at a time was most of
    language ID's CPU).  The other texts go through :func:`function_word_counts` one by one."""
    hits = np.zeros((len(texts), len(LANGUAGES)), dtype=np.int64)
    fast = [index for index, text in enumerate(texts) if "'" not in text and "\u2019" not in text]
    blob = _cp1252("\n".join([texts[index] for index in fast]))
    if blob is None:
        fast = [index for index in fast if _cp1252(texts[index]) is not None]
        blob = _cp1252("\n".join([texts[index] for index in fast])) or b""
    for index in sorted(set(range(len(texts))).difference(fast)):
        counts = function_word_counts(texts[index])
        hits[index] = [counts[lang] for lang in LANGUAGES]
    if not fast:
        return hits
    # one byte a character in cp1252: text j starts after the texts (and newlines) before it
    sizes = np.array([len(texts[index]) + 1 for index in fast], dtype=np.int64)
    text_starts = np.cumsum(sizes) - sizes
    padded = np.frombuffer(blob.translate(_LOWERED_LETTERS) + b" " * 9, dtype=np.uint8)
    edges = np.diff((padded != 0x20).view(np.int8), prepend=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    lengths = np.flatnonzero(edges == -1) - starts
    short = lengths <= 8
    starts, lengths = starts[short], lengths[short]
    # the 8 bytes from each start as one integer, cut to the token's length
    windows = np.lib.stride_tricks.as_strided(padded, shape=(len(padded) - 7, 8), strides=(1, 1))
    keys = np.ascontiguousarray(windows[starts]).view("<u8").reshape(-1) & _LENGTH_MASKS[lengths]
    places = np.minimum(np.searchsorted(_KEYS, keys), len(_KEYS) - 1)
    found = _KEYS[places] == keys
    rows, words = np.searchsorted(text_starts, starts[found], side="right") - 1, places[found]
    spans = _COLUMN_STARTS[words + 1] - _COLUMN_STARTS[words]
    columns = _COLUMNS[np.repeat(_COLUMN_STARTS[words] - np.cumsum(spans) + spans, spans) + np.arange(spans.sum())]
    counted = np.bincount(np.repeat(rows, spans) * len(LANGUAGES) + columns, minlength=len(fast) * len(LANGUAGES))
    hits[fast] = counted.reshape(len(fast), len(LANGUAGES))
    return hits


#: the bytes latin-1 gives U+0080 to U+009F, which cp1252 writes otherwise (or cannot write)
_C1 = bytes(range(0x80, 0xA0))


def _cp1252(text: str) -> bytes | None:
    """``text`` in cp1252, or None where it cannot be.  An ASCII or latin-1 text without C1
    controls is the same in latin-1, whose encoder copies (cp1252's looks up every character)."""
    if text.isascii():
        return text.encode("ascii")
    try:
        encoded = text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    else:
        if len(encoded.translate(None, _C1)) == len(encoded):
            return encoded
    try:
        return text.encode("cp1252")
    except UnicodeEncodeError:
        return None


def function_word_hits(text: str, languages: tuple[str, ...]) -> Counter[str]:
    """How many tokens of ``text`` are function words of each of ``languages`` (a word of two
    lists counts for both; languages without a list get nothing).  For Russian and Ukrainian, a
    word with a letter only that language has (ы э ъ ё; і ї є ґ) counts too."""
    hits: Counter[str] = Counter()
    lists = [(lang, FUNCTION_WORDS[lang]) for lang in languages if lang in FUNCTION_WORDS]
    for token in _TOKEN.findall(text.lower()):
        if _ELISION.match(token):
            hits["fr"] += int("fr" in languages)
            token = _ELISION.sub("", token)
        for lang, words in lists:
            if token in words or (lang in _LETTERS and _LETTERS[lang].search(token)):
                hits[lang] += 1
    return hits
