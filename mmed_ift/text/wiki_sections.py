"""Wikipedia articles into sections: where the headings are, which sections to drop, what each is about.

Both download formats flatten wiki markup to plain text, and both keep a section heading as a
line of its own (no ``==`` markup left):

* ``wikimedia/wikipedia`` (Hub parquet): ``"Signs and symptoms"`` on its own line, blank lines
  around paragraphs;
* WikiExtractor ``--json``: the heading line with a full stop appended (``"Signs and symptoms."``;
  it adds one unless the heading ends in ``!``/``?``), emitted only when the section has text.

So one detector serves both, told which layout it reads (the file format says): a heading is a
short line -- with WikiExtractor's full stop, without one in wikimedia's -- that has no other
sentence punctuation, no clause dash or brackets, and opens a paragraph (the next line is a longer
text line, or, for a very short heading, a sub-heading that does).  The first line (the lead) is
never a heading, short lines in a run (list items) are not, and a navigation heading
(References, 参考文献, Литература...) counts whatever follows it (a list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: headings of the sections that are navigation, references or lists: never turned into samples
NAVIGATION: frozenset[str] = frozenset(
    word.casefold()
    for word in (
        # en
        "References", "See also", "External links", "Further reading", "Notes", "Bibliography",
        "Sources", "Gallery", "Footnotes", "Citations", "Notes and references",
        # zh
        "参考文献", "参考资料", "外部链接", "参见", "延伸阅读", "注释", "相关条目", "外部連結", "參考文獻", "參見",
        # ja
        "関連項目", "外部リンク", "脚注", "出典", "注釈", "参考資料", "関連文献",
        # fr
        "Notes et références", "Voir aussi", "Liens externes", "Références", "Bibliographie",
        "Articles connexes", "Sources",
        # ru
        "Примечания", "Литература", "Ссылки", "См. также", "Источники", "Галерея",
        # es
        "Véase también", "Referencias", "Enlaces externos", "Bibliografía", "Notas", "Fuentes",
    )
)  # fmt: skip

#: what a section is about, from words of its heading (matched case-folded, as substrings)
SECTION_KINDS: dict[str, tuple[str, ...]] = {
    "symptoms": ("symptom", "signs", "clinical presentation", "presentation", "症状", "临床表现", "臨床像",
                 "symptôme", "signes cliniques", "manifestations", "симптом", "клиническ", "проявлен",
                 "síntoma", "signos", "cuadro clínico"),
    "causes": ("cause", "etiology", "aetiology", "risk factor", "病因", "原因", "危险因素", "étiologie",
               "facteurs de risque", "причин", "этиолог", "факторы риска", "causa", "etiología",
               "factores de riesgo"),
    "diagnosis": ("diagnos", "诊断", "診断", "検査", "диагност", "diagnóstico"),
    "treatment": ("treatment", "management", "therapy", "治疗", "治療", "traitement", "prise en charge",
                  "лечени", "терапи", "tratamiento", "terapia"),
    "prevention": ("prevent", "预防", "予防", "prévention", "профилакт", "prevención"),
    "epidemiology": ("epidemiolog", "流行病学", "疫学", "épidémiologie", "эпидемиолог", "epidemiología"),
    "prognosis": ("prognos", "outcome", "预后", "予後", "pronostic", "прогноз", "pronóstico"),
    "complications": ("complication", "并发症", "合併症", "осложнен", "complicacion"),
    "adverse_effects": ("side effect", "adverse", "副作用", "不良反应", "effets indésirables",
                        "effets secondaires", "побочн", "efectos adversos", "efectos secundarios"),
    "mechanism": ("pathophysiology", "mechanism", "pharmacolog", "pathogenesis", "病理", "机制", "药理",
                  "病態", "機序", "薬理", "physiopathologie", "mécanisme", "pharmacologie", "патогенез",
                  "механизм", "фармаколог", "fisiopatología", "mecanismo", "farmacología"),
}  # fmt: skip

#: kind of the lead (the text before the first heading)
LEAD = "overview"
#: kind of a section whose heading names none of the above
GENERAL = "general"

_SENTENCE_PUNCTUATION = re.compile(r"[.!?;。！？；]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
#: longest heading, in characters (CJK) and words (other scripts)
MAX_HEADING_CHARS = 40
MAX_HEADING_WORDS = 7
#: a heading followed directly by a sub-heading is at most this long (a short sentence is longer)
MAX_NESTED_CHARS = 12
MAX_NESTED_WORDS = 4
#: what a sentence has and a heading does not: a dash between clauses, brackets, quotes
_NOT_IN_HEADINGS = re.compile(r"\s[—–-]\s|[(（«»“”\"]")
#: the two layouts: ``wikimedia/wikipedia`` (headings bare) and WikiExtractor (headings with ".")
WIKIMEDIA = "wikimedia"
WIKIEXTRACTOR = "wikiextractor"


@dataclass(frozen=True)
class Section:
    """One section: its heading ("" for the lead), what it is about, and its paragraphs."""

    heading: str
    kind: str
    text: str


def heading_text(line: str) -> str:
    """The heading a line would be: stripped, one trailing full stop (WikiExtractor's) removed."""
    core = line.strip()
    if core.endswith(".") and not core.endswith(".."):
        core = core[:-1].rstrip()
    return core


def is_navigation(heading: str) -> bool:
    return heading_text(heading).casefold() in NAVIGATION


def section_kind(heading: str) -> str:
    """``symptoms``, ``causes``... from the heading's words; ``general`` when none match."""
    folded = heading_text(heading).casefold()
    if not folded:
        return LEAD
    for kind, words in SECTION_KINDS.items():
        if any(word in folded for word in words):
            return kind
    return GENERAL


def _heading_shaped(line: str, layout: str) -> bool:
    raw = line.strip()
    if layout == WIKIEXTRACTOR and not raw.endswith((".", "!", "?")):
        return False  # WikiExtractor ends every heading with one
    if layout == WIKIMEDIA and raw.endswith("."):
        return False  # wikimedia/wikipedia never does
    core = heading_text(line)
    if not core or len(core) > 2 * MAX_HEADING_CHARS or _SENTENCE_PUNCTUATION.search(core):
        return False
    if core.endswith((":", "：", ",", "，", "、")) or _NOT_IN_HEADINGS.search(core):
        return False
    if _CJK.search(core):
        return len(core) <= MAX_HEADING_CHARS
    return len(core.split()) <= MAX_HEADING_WORDS and (core[0].isupper() or core[0].isdigit())


def _short(line: str) -> bool:
    """Short enough to be a heading directly followed by its first sub-heading."""
    core = heading_text(line)
    return len(core) <= MAX_NESTED_CHARS if _CJK.search(core) else len(core.split()) <= MAX_NESTED_WORDS


def _is_paragraph(line: str, heading: str) -> bool:
    text = line.strip()
    return len(text) > max(2 * len(heading_text(heading)), 20 if not _CJK.search(text) else 8)


def heading_lines(lines: list[str], layout: str) -> set[int]:
    """Indexes of the heading lines among ``lines`` (see the module docstring); ``layout`` is
    :data:`WIKIMEDIA` or :data:`WIKIEXTRACTOR`.  The first text line (the lead) is never one."""
    if layout not in (WIKIMEDIA, WIKIEXTRACTOR):
        raise ValueError(f"layout must be {WIKIMEDIA!r} or {WIKIEXTRACTOR!r}, got {layout!r}")
    blank_separated = any(not line.strip() for line in lines)
    first = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    found: set[int] = set()
    next_text: int | None = None  # index of the next non-blank line, walking backwards
    for index in range(len(lines) - 1, first, -1):
        line = lines[index]
        if not line.strip():
            continue
        if _heading_shaped(line, layout):
            if is_navigation(line):
                found.add(index)
            elif next_text is not None:
                opens = (next_text in found and _short(line)) or _is_paragraph(lines[next_text], line)
                previous = index - 1
                in_run = (
                    blank_separated
                    and previous >= 0
                    and lines[previous].strip() != ""
                    and not _is_paragraph(lines[previous], lines[previous])
                )
                if opens and not in_run:
                    found.add(index)
        next_text = index
    return found


def split_sections(title: str, text: str, layout: str = WIKIMEDIA) -> list[Section]:
    """The article's sections in order, the lead first; the title line that both formats may
    repeat at the top is dropped; empty sections vanish."""
    lines = text.replace("\r\n", "\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and heading_text(lines[first]) == title.strip():
        lines = lines[first + 1 :]
    headings = heading_lines(lines, layout)
    sections: list[Section] = []
    heading, body = "", list[str]()
    for index, line in enumerate(lines):
        if index in headings:
            if body:
                sections.append(Section(heading, section_kind(heading), _join(body)))
            heading, body = heading_text(line), []
        elif line.strip():
            body.append(line.strip())
    if body:
        sections.append(Section(heading, section_kind(heading), _join(body)))
    return sections


def _join(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def kept_sections(sections: list[Section], min_chars: int = 1) -> list[Section]:
    """Sections that are content: not navigation, not shorter than ``min_chars`` (half that for
    Chinese and Japanese, which say as much in fewer characters)."""
    return [
        section
        for section in sections
        if not is_navigation(section.heading)
        and len(section.text) >= (min_chars // 2 if _CJK.search(section.text) else min_chars)
    ]


_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")


def chunks(text: str, max_chars: int) -> list[str]:
    """``text`` in pieces of at most ``max_chars`` characters, cut between paragraphs, else
    between sentences; a single sentence longer than the budget is cut at the budget."""
    if len(text) <= max_chars:
        return [text]
    pieces: list[tuple[str, str]] = []  # (separator before it, piece)
    for paragraph in text.split("\n\n"):
        if len(paragraph) <= max_chars:
            pieces.append(("\n\n", paragraph))
            continue
        joiner = "" if _CJK.search(paragraph) else " "
        for number, sentence in enumerate(part for part in _SENTENCE_END.split(paragraph) if part):
            for start in range(0, len(sentence), max_chars):
                first = number == 0 and start == 0
                pieces.append(("\n\n" if first else joiner, sentence[start : start + max_chars]))
    out: list[str] = []
    for separator, piece in pieces:
        if out and len(out[-1]) + len(separator) + len(piece) <= max_chars:
            out[-1] = f"{out[-1]}{separator}{piece}"
        else:
            out.append(piece)
    return out
