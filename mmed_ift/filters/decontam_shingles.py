"""How :mod:`~mmed_ift.filters.decontam_index` cuts items into segments and hashes them into
weighted character shingles, once per record; kept apart from the index so that each module has
one job (the index joins and scores, this module prepares what it joins)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from mmed_ift.filters.base import normalized_item_text
from mmed_ift.filters.decontam_order import grouped_item_order as grouped_item_order
from mmed_ift.filters.decontam_order import item_major_order as item_major_order
from mmed_ift.filters.decontam_order import item_major_sorted
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair
from mmed_ift.text.normalize import normalize_text
from mmed_ift.text.scripts import CHARACTER_LANGUAGES
from mmed_ift.text.shingles import mix64

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

#: shingle length in characters: space-delimited languages, and zh/ja (no spaces)
WORD_SCRIPT_N = 5
CHARACTER_SCRIPT_N = 3
_SALT = np.uint64(0x6D6D6564DEC0)


@dataclass(frozen=True)
class Segments:
    """The parts of a record compared separately; ``stem`` is the question (or the only text)."""

    stem: str
    rest: tuple[str, ...] = ()
    #: ``normalize_text`` of the stem and of each of ``rest``, when the caller already has them
    #: (:func:`normalized_training_segments`); None: normalised when shingled
    normalized: tuple[str, tuple[str, ...]] | None = field(default=None, compare=False, repr=False)

    def all(self) -> tuple[str, ...]:
        return (self.stem, *self.rest)


def training_segments(item: Item) -> Segments:
    """What a training record is checked with: an MC stem and its option texts (letters dropped,
    order irrelevant), a QA pair's question and answer, a passage's title and text."""
    if isinstance(item, MCQuestion):
        return Segments(item.question, tuple(item.options.values()))
    if isinstance(item, QAPair):
        return Segments(item.question, (item.answer,))
    if isinstance(item, Passage):
        return Segments(item.text, (item.title,))
    raise TypeError(f"not a source item: {type(item).__name__}")


def join_words(parts: Iterable[str]) -> str:
    """Normalised texts joined as :func:`normalize_text` joins them: the empty ones vanish."""
    return " ".join([part for part in parts if part])


def middle_of(whole: str, before: str, after: str) -> str | None:
    """The normalised text ``m`` with ``join_words([before, m, after]) == whole`` (unique: each
    part is a run of words), or None when ``whole`` is not of that form."""
    low = len(before) + 1 if before else 0
    high = len(whole) - len(after) - 1 if after else len(whole)
    middle = whole[low:high] if high > low else ""
    return middle if join_words((before, middle, after)) == whole else None


def normalized_training_segments(item: Item) -> Segments:
    """:func:`training_segments` with their normalised texts, the stem's taken from the item's
    normalised text (:func:`~mmed_ift.filters.base.normalized_item_text`, which the earlier filters
    of a build already computed once): normalising ``a + "\n" + b`` gives ``normalize_text(a)`` and
    ``normalize_text(b)`` joined by one space (NFKC, casefolding and the punctuation table act on
    each character alone and nothing composes across a line break; the break is white space, so
    the words split there), so once the (short) option texts are normalised, the (long) stem is
    what lies between them - checked, and normalised directly if not."""
    if isinstance(item, MCQuestion):
        return _normalized_mc_segments(item)
    segments = training_segments(item)
    if isinstance(item, QAPair):
        rest = (normalize_text(item.answer),)
        before, after = "", rest[0]
    else:
        rest = (normalize_text(segments.rest[0]),)
        before, after = rest[0], ""
    stem = middle_of(normalized_item_text(item), before, after)
    if stem is None:
        stem = normalize_text(segments.stem)
    return Segments(segments.stem, segments.rest, (stem, rest))


def normalized_training_segments_of(items: Sequence[Item]) -> list[Segments]:
    """:func:`normalized_training_segments` of each item, the option texts of the MC items each
    normalised once for the batch: an exam's options repeat from question to question ("Todas
    son correctas", drug names, numbers), and a batch of records has several times more option
    texts than distinct ones (the normalisation memo already answers a repeat, but through a
    call per option; a dict of the batch's distinct texts answers in C)."""
    options = dict.fromkeys([text for item in items if isinstance(item, MCQuestion) for text in item.options.values()])
    normal = dict(zip(options, map(normalize_text, options), strict=True))
    return [
        _normalized_mc_segments(item, normal.__getitem__) if isinstance(item, MCQuestion)
        else normalized_training_segments(item)
        for item in items
    ]  # fmt: skip


def _normalized_mc_segments(item: MCQuestion, normal: Callable[[str], str] = normalize_text) -> Segments:
    """:func:`normalized_training_segments` of an MC item, the cheap way for the common case: the
    item's normalised text ends with a space and its options' normalised texts (in key order),
    so the stem is what comes before them, taken without building and comparing the joined text
    again (:func:`middle_of` does, for the other cases).  ``normal``: :func:`normalize_text`, or
    what answers it for the option texts."""
    options = tuple(item.options.values())
    rest = tuple(map(normal, options))
    keys = list(item.options)
    ordered = rest if keys == sorted(keys) else tuple(normal(item.options[key]) for key in sorted(keys))
    after = join_words(ordered)
    whole = normalized_item_text(item)
    cut = len(whole) - len(after) - 1
    stem: str | None
    if after and cut > 0 and whole[cut] == " " and whole.endswith(after):
        stem = whole[:cut]  # non-empty, and ``stem + " " + after == whole``: middle_of's answer
    else:
        stem = middle_of(whole, "", after)
    if stem is None:
        stem = normalize_text(item.question)
    return Segments(item.question, options, (stem, rest))


def benchmark_segments(item: Item) -> Segments:
    """What a benchmark item is recognised by: its question and options (a QA pair: its question;
    a passage: its text)."""
    if isinstance(item, MCQuestion):
        return Segments(item.question, tuple(item.options.values()))
    if isinstance(item, QAPair):
        return Segments(item.question)
    if isinstance(item, Passage):
        return Segments(item.text)
    raise TypeError(f"not a source item: {type(item).__name__}")


#: where a sentence ends: CJK full stops and question marks, Latin ones before a space, new lines
_BOUNDARY = re.compile(r"[。？！?!；]|[.:;](?=\s)|\n")
_COMMA = re.compile(r"[，,]")
#: the characters that may end a sentence: one class, scanned several times faster than the
#: alternatives of ``_BOUNDARY``; a Latin stop is then kept only before white space
_BOUNDARY_CHAR = re.compile(r"[。？！?!；.:;\n]")


def sentence_ends(text: str) -> list[int]:
    """Where ``_BOUNDARY`` matches end in ``text``, those with text after them: the end of each
    one-character match (its lookahead's white space is what ``str.isspace`` calls so)."""
    last = len(text)
    # most stems hold no boundary before their last character (one sentence, or a question mark
    # at the end): one scan in C says so, without a match object per boundary
    if last <= 1 or _BOUNDARY_CHAR.search(text, 0, last - 1) is None:
        return []
    return [
        found.end()
        for found in _BOUNDARY_CHAR.finditer(text)
        if found.end() < last and (text[found.start()] not in ".:;" or text[found.end()].isspace())
    ]


#: a question part shorter than this (characters; zh/ja: 5) takes the sentence before it too ("Why?")
MIN_ASK_CHARS = 12


def split_question(stem: str, lang: str) -> tuple[str, str]:
    """``(case, question)``: the question is the stem's last sentence (with the ones before it
    while it is shorter than MIN_ASK_CHARS); a one-sentence zh/ja stem splits at its last comma
    ("患者男性，62岁，…，最可能的诊断是")."""
    text = stem.strip()
    # a boundary with text after it: one before the last non-space character (``text[end:]``
    # holds something besides white space exactly when ``end`` is before the stripped end)
    last = len(text)
    ends = sentence_ends(text)
    if not ends and lang in CHARACTER_LANGUAGES:
        ends = [found.end() for found in _COMMA.finditer(text) if found.end() < last]
    least = 5 if lang in CHARACTER_LANGUAGES else MIN_ASK_CHARS
    for at in reversed(ends):
        if len(text[at:].strip()) >= least:
            return text[:at].strip(), text[at:].strip()
    return "", text


def shingle_text(normalized: str, lang: str) -> str:
    """The string shingled: normalised text, without spaces for zh/ja."""
    return normalized.replace(" ", "") if lang in CHARACTER_LANGUAGES else normalized


def segment_shingles(
    texts: Sequence[str], langs: Sequence[str], tail_from: Sequence[int] | None = None
) -> tuple[U64, I64, npt.NDArray[np.bool_]]:
    """Shingle hashes of each text (one normalisation and one hashing pass), the text owning each,
    and whether it starts at or after ``tail_from[text]`` (in the prepared text; default: all).
    A text shorter than n is one shingle; empty: none."""
    prepared = [shingle_text(normalize_text(text), lang) for text, lang in zip(texts, langs, strict=True)]
    return prepared_shingles(prepared, langs, tail_from)


def prepared_shingles(
    prepared: Sequence[str],
    langs: Sequence[str],
    tail_from: Sequence[int] | None = None,
    n: int | None = None,
) -> tuple[U64, I64, npt.NDArray[np.bool_]]:
    """:func:`segment_shingles` of texts already prepared (``n``: one shingle length for all)."""
    ns = np.full(len(prepared), n, dtype=np.int64) if n is not None else _lang_ns(langs)
    hashes, counts, local = _text_shingles(prepared, ns)
    owner = np.repeat(np.arange(len(prepared), dtype=np.int64), counts)
    if tail_from is None:
        return hashes, owner, np.ones(len(owner), dtype=bool)
    return hashes, owner, local >= np.repeat(np.asarray(tail_from, dtype=np.int64), counts)


def _lang_ns(langs: Iterable[str]) -> I64:
    """The shingle length of each language's texts (zh/ja: shorter, no spaces to skip)."""
    return np.array(
        [CHARACTER_SCRIPT_N if lang in CHARACTER_LANGUAGES else WORD_SCRIPT_N for lang in langs], dtype=np.int64
    )


def _text_shingles(prepared: Sequence[str], ns: I64) -> tuple[U64, I64, I64]:
    """The shingle hashes of prepared texts (``ns[text]`` characters each), how many each text has
    (a text shorter than its n: one; empty: none) and each shingle's start in its text.  Why the
    counts rather than each shingle's text: a caller's per-text values reach the shingles by one
    ``np.repeat`` (a copy of runs) instead of a gather per shingle."""
    lengths = np.fromiter(map(len, prepared), dtype=np.int64, count=len(prepared))
    counts = np.where(lengths >= ns, lengths - ns + 1, np.minimum(lengths, 1))
    if not prepared or lengths.sum() == 0:
        return np.zeros(0, dtype=np.uint64), counts, np.zeros(0, dtype=np.int64)
    codes = np.frombuffer("".join(prepared).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.zeros(len(prepared) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    first_shingle = np.cumsum(counts) - counts
    every_shingle = np.arange(int(counts.sum()), dtype=np.int64)
    local = every_shingle - np.repeat(first_shingle, counts)
    # ``starts[owner] + local``, one repeat instead of a gather
    begin = every_shingle + np.repeat(starts[:-1] - first_shingle, counts)
    longest = int(ns.max())
    # the shingles of a text shorter than the longest n, or of a shorter n, are that short
    text_size = np.minimum(ns, lengths)
    short_text = text_size < longest
    # the padding keeps ``begin + k`` inside ``codes`` for every shingle
    codes = np.concatenate([codes, np.zeros(longest, dtype=np.uint64)])
    # every shingle of the longest n is the window at its start: the windows at every position of
    # the joined text are combined over contiguous slices (no gather per term), the starts kept
    combined = window_hashes(codes, longest)[begin]
    # a shingle shorter than the longest n (a short text, or a zh/ja text beside en ones) is
    # combined over its own characters only: those few term by term
    if short_text.any():
        short = np.flatnonzero(np.repeat(short_text, counts))
        size = np.repeat(text_size, counts)[short]
        combined[short] = masked_hashes(codes, begin[short], size, longest)
    return mix64(combined ^ _SALT), counts, local


def _term_factor(k: int) -> int:
    """The factor of the ``k``-th character's term of a shingle (its multiplier, mod 2**64)."""
    return 0x9E3779B97F4A7C15 ^ (k * 0x1F)


def masked_hashes(codes: U64, begin: I64, size: I64, longest: int) -> U64:
    """The combined value of each shingle (``size`` characters from ``begin`` in ``codes``, at
    most ``longest``), term by term: ``value = 31 * value + (char + k + 1) * factor(k)`` for
    ``k < size``.  The steps stop at the shingle's own end, so its value is that of its own
    characters (:func:`window_hashes` of its length), whatever the longest shingle of the call:
    a zh/ja 3-gram hashed beside en text (5-grams) is the same number as in a call of zh/ja
    text only, and a benchmark item indexed among other languages is found from a batch of
    its own language."""
    combined = np.zeros(len(begin), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(longest):
            inside = k < size
            if not inside.any():  # every shingle has ended
                break
            term = (codes[begin + k] + np.uint64(k + 1)) * np.uint64(_term_factor(k))
            if inside.all():
                combined = combined * np.uint64(31) + term
            else:
                combined[inside] = combined[inside] * np.uint64(31) + term[inside]
    return combined


def window_hashes(codes: U64, n: int) -> U64:
    """:func:`masked_hashes` of the ``n``-character window at every position ``p`` of ``codes``
    with ``p + n <= len(codes)``, none masked, in ``n`` multiply-adds over contiguous slices: the
    term-by-term recurrence unrolled, ``sum_k (char_k + k + 1) * factor(k) * 31**(n-1-k)``, is
    ``sum_k char_k * a_k + c`` with ``a_k = factor(k) * 31**(n-1-k)`` and ``c = sum_k (k + 1) * a_k``,
    the same number mod 2**64 (a ring: the order of the operations does not change it)."""
    every = len(codes) - n
    factors = [_term_factor(k) * 31 ** (n - 1 - k) % 2**64 for k in range(n)]
    constant = sum((k + 1) * factor for k, factor in enumerate(factors)) % 2**64
    combined = codes[:every] * np.uint64(factors[0])
    term = np.empty_like(combined)
    for k in range(1, n):
        np.multiply(codes[k : k + every], np.uint64(factors[k]), out=term)
        combined += term
    combined += np.uint64(constant)
    return combined


def _prepare_stem(stem: str, normalized: str, lang: str) -> tuple[str, int]:
    """The stem's prepared text (``normalized``: its normalised text) and where its question part
    starts in it."""
    prepared = shingle_text(normalized, lang)
    case, question = split_question(stem, lang)
    if not case:
        return prepared, 0
    tail = shingle_text(normalize_text(question), lang)
    if prepared.endswith(tail):
        return prepared, len(prepared) - len(tail)
    head = shingle_text(normalize_text(case), lang)
    joint = "" if lang in CHARACTER_LANGUAGES or not head else " "
    return f"{head}{joint}{tail}", len(head) + len(joint)


#: the code points of ``_BOUNDARY_CHAR``
_BOUNDARY_CODES = np.array([ord(char) for char in "。？！?!；.:;\n"], dtype=np.uint32)
#: whether each code point of the Basic Multilingual Plane is one of ``_BOUNDARY_CODES`` (all are
#: in it; a code point above it reads the last entry, U+FFFF, a noncharacter: False): one gather
#: per character, where ``np.isin`` sorted or tabled the codes anew at every call (ten times the CPU)
_IS_BOUNDARY = np.zeros(0x10000, dtype=bool)
_IS_BOUNDARY[_BOUNDARY_CODES] = True


def _prepared_stems(stems: Sequence[str], normalized: Sequence[str], langs: Sequence[str]) -> list[tuple[str, int]]:
    """:func:`_prepare_stem` of each stem.  A stem of a space-delimited language with no
    sentence boundary before its last character (stripped: most exam questions are one
    sentence) has no case part (:func:`split_question`), so it is its normalised text with the
    question part from 0; those are found for the whole batch in one pass over the stems'
    characters, and only the others are split one by one."""
    stripped = list(map(str.strip, stems))
    lengths = np.fromiter(map(len, stripped), dtype=np.int64, count=len(stripped))
    codes = np.frombuffer("".join(stripped).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    inner = _IS_BOUNDARY.take(codes, mode="clip")
    ends = np.cumsum(lengths)
    inner[ends[lengths > 0] - 1] = False  # a stem's last character ends no sentence with text after it
    split = np.zeros(len(stems), dtype=bool)
    split[np.searchsorted(ends, np.flatnonzero(inner), side="right")] = True
    split |= np.fromiter((lang in CHARACTER_LANGUAGES for lang in langs), dtype=bool, count=len(langs))
    prepared = [(text, 0) for text in normalized]
    for at in np.flatnonzero(split).tolist():
        prepared[at] = _prepare_stem(stems[at], normalized[at], langs[at])
    return prepared


def item_shingles(
    segments: Sequence[Segments], langs: Sequence[str], n: int | None = None
) -> tuple[U64, I64, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Unique (hash, item) pairs of whole items, sorted by item then hash; whether each hash
    occurs in the item's stem, and whether it occurs in its question part (the stem's question
    sentence or an option: see :func:`split_question`).

    The texts are an item's prepared stem, then its options; the per-text values (item, shingle
    length, where the question part starts, stem or not) are arrays made once per batch and
    reach the shingles by ``np.repeat``, the Python work per item being the stem's preparation
    and one extension of the list of texts."""
    normals = [
        parts.normalized or (normalize_text(parts.stem), tuple([normalize_text(text) for text in parts.rest]))
        for parts in segments
    ]
    stems = _prepared_stems([parts.stem for parts in segments], [stem for stem, _ in normals], langs)
    rests = [rest for _, rest in normals]
    texts: list[str] = []
    for (prepared, _), rest, lang in zip(stems, rests, langs, strict=True):
        texts.append(prepared)
        texts += [text.replace(" ", "") for text in rest] if lang in CHARACTER_LANGUAGES else rest
    per_item = np.fromiter(map(len, rests), dtype=np.int64, count=len(rests)) + 1
    first_text = np.cumsum(per_item) - per_item
    tail_from = np.zeros(len(texts), dtype=np.int64)
    tail_from[first_text] = np.fromiter((start for _, start in stems), dtype=np.int64, count=len(stems))
    ns = np.full(len(texts), n, dtype=np.int64) if n is not None else np.repeat(_lang_ns(langs), per_item)
    hashes, counts, local = _text_shingles(texts, ns)
    # each item's shingles (its texts' are consecutive): a run of the item's number, sorted or not
    item_counts = np.add.reduceat(counts, first_text) if len(texts) else per_item
    items = np.repeat(np.arange(len(per_item), dtype=np.int64), item_counts)
    # both flags of a shingle in one byte (bit 0: in the stem, bit 1: in the question part),
    # or-ed over each run once
    is_stem = np.zeros(len(texts), dtype=np.uint8)
    is_stem[first_text] = 1
    tail = local >= np.repeat(tail_from, counts)
    flags = np.repeat(is_stem, counts) | (tail.view(np.uint8) << np.uint8(1))
    # a hash in the stem and in an option counts once, as a stem hash; in the question part if one is
    order, items, hashes = item_major_sorted(items, hashes)
    flags = flags[order]
    # a pair's first occurrence: a new hash, or a new item (each item's run keeps its place and
    # length in the sorted order, so its start is known from the counts)
    first = np.ones(len(hashes), dtype=bool)
    np.not_equal(hashes[1:], hashes[:-1], out=first[1:])
    item_starts = np.cumsum(item_counts) - item_counts
    first[item_starts[item_counts > 0]] = True
    starts = np.flatnonzero(first)
    any_flags = np.bitwise_or.reduceat(flags, starts) if len(starts) else flags
    return hashes[first], items[first], (any_flags & np.uint8(1)) > 0, (any_flags & np.uint8(2)) > 0
