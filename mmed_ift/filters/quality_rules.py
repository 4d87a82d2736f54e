"""The detectors of the quality step: pure functions of one text, no filter machinery.

They were written against the real MedQuAD answer shapes (``docs/quality.md`` shows one of each):

* **link lists** - GHR "treatment" answers are bulleted *Publisher: Title* links (``These
  resources address the diagnosis or management of X: - Genetic Testing Registry: X - MedlinePlus
  Encyclopedia: X ...``), and NIHSeniorHealth ends topics with a directory of organisations
  (names, street addresses, phone numbers, e-mails, URLs) with no sentence in it;
* **flattened tables** - GARD "symptoms" answers hold the Human Phenotype Ontology table flattened
  into one line: ``Signs and Symptoms Approximate number of patients (when available) Dilated
  cardiomyopathy 7.5% Ventricular septal defect 7.5% Akinesia - Edema - ...``: a run of short
  capitalised cells, each followed by its value cell (a percentage, a fraction, or ``-`` for an
  empty one).  A bulleted list (``include - Fever - Cough - Rash``) has the same dashes but in
  front of each item, so the run's last dash is followed by one more short item; a table's last
  dash is followed by the end of the answer or by a long sentence.  Tables flattened with one
  cell per line (IgakuQA's ``problem_text``, other dumps) are a run of very short lines;
* **boilerplate** - answers whose every sentence is a pointer elsewhere ("See ... for more
  information", "Learn more about ...", "This page is under construction") or that hold no
  letter or digit at all;
* **question forms** - MedQuAD's generated questions ``What is (are) X ?``, ``Who is at risk for
  X? ?``, lower-case NINDS questions, questions without a question mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"\w+(?:[-'’.,]\w+)*")  # "6.4", "1,084" and "Alpha-1" are one word each
_URL = re.compile(r"(?:https?://|www\.)[^\s,;]+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\d)(?:1-)?\(?\d{3}\)?[-.\s]\d{3}[-.]\d{4}(?!\d)")
#: what a lead-in of a list of links says ("These resources address ...:")
_RESOURCES = re.compile(r"\b(?:resources?|websites?|web sites?|links?|organi[sz]ations?)\b[^:]*:", re.IGNORECASE)
#: a bullet of a flattened HTML list: a dash with white space on both sides (or at the start)
_BULLET = re.compile(r"(?:^|\s)-\s+")
#: "MedlinePlus Encyclopedia: Gastroschisis Repair" - a link's publisher and page title
_SOURCE_TITLE = re.compile(r"^[A-Z][^.!?:]{1,60}:\s*\S[^.!?]*$")
#: the value cell of a flattened table: empty (``-``), a percentage or a fraction
_VALUE = re.compile(r"(?<=\s)(-|\d+(?:\.\d+)?%|\d+/\d+)(?=\s|$)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
#: at most this many words in one table cell (HPO cells are 1-6 words)
CELL_WORDS = 8


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def has_content(text: str) -> bool:
    """Whether the text holds any letter or digit (an answer of dashes and spaces does not)."""
    return any(char.isalnum() for char in text)


# -- link lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkList:
    """Why an answer is a list of links: its shape, how many link items, how many prose words."""

    shape: str  # "bullets" (Publisher: Title items) or "directory" (addresses, phones, URLs)
    links: int
    prose_words: int


def _is_link_item(item: str) -> bool:
    return bool(_URL.search(item)) or (bool(_SOURCE_TITLE.match(item)) and len(words(item)) <= 25)


def _is_title_item(item: str) -> bool:
    """A bare page title such as "Drug Therapy": short, no sentence, mostly capitalised words."""
    found = words(item)
    if not 1 <= len(found) <= 6 or any(mark in item for mark in ".!?"):
        return False
    return sum(word[0].isupper() or word[0].isdigit() for word in found) * 2 >= len(found)


def link_list(answer: str) -> LinkList | None:
    """The evidence that ``answer`` is only a list of links or contacts, else None.

    Bullets: at least two items are links (a URL or *Publisher: Title*), some item is a URL or a
    lead-in names resources / websites / links / organisations before its ``:`` (so ``Take as
    follows: - Dose: 5 mg - Timing: at night`` is not a link list), and what is not a link, a page
    title or a lead-in ending in ``:`` is at most 8 words (and under 15% of the answer).
    Directory: at least two URLs / e-mails / phone numbers and under a quarter of the words in
    lower case (a sentence has mostly lower-case words; a list of organisations has few).
    """
    segments = [segment.strip() for segment in _BULLET.split(answer)]
    lead, items = segments[0], [item for item in segments[1:] if item]
    total = len(words(answer))
    if items:
        links = sum(_is_link_item(item.rstrip(":")) for item in items)
        prose = 0 if not lead or lead.endswith(":") else len(words(lead))
        for item in items:
            if not (item.endswith(":") or _is_link_item(item) or _is_title_item(item)):
                prose += len(words(item))
        pointed = any(_URL.search(item) for item in items) or _RESOURCES.search(" ".join([lead, *items]))
        if links >= 2 and pointed and prose <= max(8, total * 0.15):
            return LinkList("bullets", links, prose)
    contacts = len(_URL.findall(answer)) + len(_PHONE.findall(answer))
    alpha = [word for word in words(answer) if word[0].isalpha()]
    if contacts >= 2 and alpha:
        lower = sum(word[0].islower() for word in alpha)
        if lower * 4 < len(alpha):
            return LinkList("directory", contacts, lower)
    return None


# -- flattened tables ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A flattened table found in an answer: its shape, number of cells and the first few."""

    shape: str  # "inline" (label value label value ...) or "lines" (one short cell per line)
    cells: int
    sample: str


def _is_cell(label: str) -> bool:
    found = words(label)
    if not 1 <= len(found) <= CELL_WORDS or any(mark in label for mark in ".!?;:"):
        return False
    first = label.lstrip("(\"'")
    return bool(first) and (first[0].isupper() or first[0].isdigit())


def _ends_table(rest: str) -> bool:
    """After a run's last value: the end of the text or a long sentence ends a table; one more
    short item means the dashes were bullets in front of list items."""
    sentence = _SENTENCE_END.split(rest.strip(), maxsplit=1)[0]
    return not sentence or len(words(sentence)) > CELL_WORDS


def inline_table(text: str, min_cells: int) -> Table | None:
    """The longest run of ``label value`` cells, if it has ``min_cells`` cells and is a table."""
    best: Table | None = None
    run: list[str] = []
    numeric = False
    start = 0
    matches = list(_VALUE.finditer(text))
    for index, match in enumerate(matches):
        label = text[start : match.start()].strip()
        start = match.end()
        if _is_cell(label):
            run.append(f"{label} {match.group(1)}")
            numeric = numeric or match.group(1) != "-"
            last = index + 1 == len(matches) or not _is_cell(text[start : matches[index + 1].start()].strip())
            if not last:
                continue
            table = len(run) >= min_cells and (numeric or _ends_table(text[start:]))
            if table and (best is None or len(run) > best.cells):
                best = Table("inline", len(run), " | ".join(run[:4]))
        run, numeric = [], False
    return best


def line_table(text: str, min_cells: int) -> Table | None:
    """A run of ``min_cells`` or more consecutive non-blank lines of at most 4 words and 40
    characters, none ending a sentence: the cells of a table written one per line."""
    run: list[str] = []
    best: Table | None = None
    for line in [*text.split("\n"), ""]:
        cell = line.strip()
        if cell and len(cell) <= 40 and len(words(cell)) <= 4 and not cell.endswith((".", "。", ":", "：")):
            run.append(cell)
            continue
        if len(run) >= min_cells and (best is None or len(run) > best.cells):
            best = Table("lines", len(run), " | ".join(run[:4]))
        run = []
    return best


#: column headers of real flattened tables: after one of these, any run of cells is a table
#: (GARD: the Human Phenotype Ontology table, even with a single symptom row)
TABLE_HEADERS = (re.compile(r"Signs and Symptoms Approximate number of patients \(when available\)"),)


def header_table(text: str) -> Table | None:
    for header in TABLE_HEADERS:
        found = header.search(text)
        if found:
            rest = text[found.end() :]
            cells = len(_VALUE.findall(rest.split(". ")[0] + " "))
            return Table("header", cells, found.group(0))
    return None


def flattened_table(text: str, min_cells: int) -> Table | None:
    """A flattened table in ``text``: a known column header, a run of ``label value`` cells, or
    a run of one-cell lines (``min_cells`` or more for the last two)."""
    return header_table(text) or inline_table(text, min_cells) or line_table(text, min_cells)


# -- boilerplate ---------------------------------------------------------------------------------

#: sentences that point elsewhere or say there is nothing here; an answer made only of these
#: (and fewer than three other words) has nothing to learn from
BOILERPLATE: dict[str, re.Pattern[str]] = {
    "under_construction": re.compile(r"\b(?:is|are) (?:currently )?under construction\b", re.IGNORECASE),
    "see_elsewhere": re.compile(
        r"^(?:please )?(?:see|visit|go to|refer to|read more(?: about| under| at)?|learn more(?: about)?|"
        r"click (?:here|on)|check out)\b",
        re.IGNORECASE,
    ),
    "for_more_information": re.compile(
        r"\b(?:for (?:more|further|additional) information|more information (?:about|on) .{0,120}"
        r"(?:can be (?:found|located)|is available))\b",
        re.IGNORECASE,
    ),
    "no_information": re.compile(
        r"^(?:there is )?no (?:information|content|answer) (?:is )?(?:currently )?available", re.IGNORECASE
    ),
}


def boilerplate(answer: str) -> tuple[list[str], int] | None:
    """``(matched pattern names, words left)`` when the answer is empty or only boilerplate."""
    if not has_content(answer):
        return ["empty"], 0
    matched: list[str] = []
    left = 0
    for sentence in _SENTENCE_END.split(answer.strip()):
        names = [name for name, pattern in BOILERPLATE.items() if pattern.search(sentence)]
        if names and len(words(sentence)) <= 30:
            matched.extend(name for name in names if name not in matched)
        else:
            left += len(words(sentence))
    return (matched, left) if matched and left < 3 else None


# -- question forms ------------------------------------------------------------------------------

_WHAT_IS_ARE = re.compile(r"^what is \(are\)\s+(?P<subject>.+?)\s*\?*\s*$", re.IGNORECASE)
_SPACE_BEFORE_MARK = re.compile(r"\s+([?!.,;:])")
_REPEATED_MARKS = re.compile(r"\?(?:\s*\?)+")
_INTERROGATIVE = re.compile(
    r"^(?:what|who|whom|whose|which|when|where|why|how|is|are|was|were|do|does|did|can|could|should|"
    r"will|would|may|might|has|have)\b",
    re.IGNORECASE,
)
#: disease names that end in -s but take a singular verb ("What is measles?")
_SINGULAR_S = frozenset(
    ("diabetes", "measles", "mumps", "rabies", "scabies", "herpes", "rickets", "shingles", "tetanus", "lupus")
)


_HEAD_END = re.compile(r"\s(?:in|of|for|with|during|after|from|on|at|to|caused|due|related)\s.*$", re.IGNORECASE)


def plural_subject(subject: str) -> bool:
    """Whether "What are X?" reads better than "What is X?": the head noun is a regular plural
    (Kidney Stones, Varicose Veins) or X joins two things ("A and B").

    The head is the last word before a preposition, after the last " - " ("Acinetobacter in
    Healthcare Settings" -> Acinetobacter; "Parasites - Taeniasis" -> Taeniasis).
    """
    head = _HEAD_END.sub("", subject.split(" - ")[-1])
    if re.search(r"\band\b", head, re.IGNORECASE):
        return True
    last = head.split()[-1].strip("()'\"") if head.split() else ""
    if not last or last.isupper() or last.lower() in _SINGULAR_S:
        return False  # acronyms (AIDS, ALS) and the -s diseases are singular
    lower = last.lower()
    return lower.endswith("s") and not lower.endswith(("ss", "us", "is", "ys", "'s", "’s"))


def normalize_question(question: str) -> tuple[str, list[str]]:
    """The English question tidied, and the names of the rules that changed it.

    ``What is (are) X ?`` becomes ``What are X?`` when X is plural (:func:`plural_subject`), else
    ``What is X?``; a space before punctuation and repeated question marks go (``Who is at risk
    for X? ?`` -> ``... X?``); the first letter is capitalised; a question that starts with an
    interrogative word gets its missing ``?``.  Applying it twice changes nothing.
    """
    rules: list[str] = []
    text = " ".join(question.split())
    match = _WHAT_IS_ARE.match(text)
    if match:
        subject = match.group("subject").rstrip("? ")
        verb = "are" if plural_subject(subject) else "is"
        text = f"What {verb} {subject}?"
        rules.append("what_is_are")
    tidied = _REPEATED_MARKS.sub("?", _SPACE_BEFORE_MARK.sub(r"\1", text))
    if tidied != text:
        text = tidied
        rules.append("punctuation")
    if text[:1].islower():
        text = text[0].upper() + text[1:]
        rules.append("capital")
    if _INTERROGATIVE.match(text) and not text.endswith(("?", ".", "!")):
        text += "?"
        rules.append("question_mark")
    return text, rules


def mentions(question: str, title: str) -> bool:
    """Whether the question names its document title (case, punctuation and spacing aside)."""

    def squeeze(text: str) -> str:
        return " ".join(word.lower() for word in words(text))

    return squeeze(title) in squeeze(question)
