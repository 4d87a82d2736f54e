"""ApolloCorpus (Wang et al. 2024): the medical training corpus of the Apollo models.

The Hub dataset ``FreedomIntelligence/ApolloCorpus`` (Apache-2.0) ships ``train/pretrain`` and
``train/sft`` (and the same tree in ``ApolloCorpus.zip``), every file one JSON array:

* ``train/pretrain/{source}_{lang}_{qa|text}.json`` with ``source`` one of ``medicalBook``,
  ``medicalGuideline``, ``medicalPaper``, ``medicalWeb``, ``medicalWiki``: a ``text`` file is a
  list of strings (passages), a ``qa`` file a list of conversations, each a flat list of strings
  ``[q1, a1, q2, a2, ...]`` (questions generated from the text).  Each (question, answer) pair is
  one record here (``file[i][j]``) and becomes a :class:`QAPair`; a passage becomes a
  :class:`Passage` whose title is its first line when that line is short, else its first words.
* ``train/sft/medicalExam_{lang}.json`` (also ``_clean`` and ``_dup`` variants): the same
  conversation lists.  Exam items are written ``...Question: <stem>\\nOptions:\\n(A). ...`` with the
  answer ``The correct answer is (B). ...`` (``问题:``/``选项:``/``正确答案是`` in Chinese); those
  become :class:`MCQuestion`, other pairs of the file (open questions) :class:`QAPair`.  Where
  ``medicalExam_<lang>_clean.json`` sits beside ``medicalExam_<lang>.json`` only the clean file is
  read, and ``_dup`` files (exam questions found in the benchmarks by the release's
  ``question_dup.py``) are never read.
* Not read: ``code_*``, ``general_*``, ``math_*`` (not medical), ``medicalPatient_*`` (patient
  dialogues, which would need the PII scrub this source is not flagged for), and the ar/hi files.

Everything is ``train``.  Published size (Apollo paper, tokens): books en 296.7M / zh 117.1M;
papers en 252.9M / zh 45.6M / es 46.0M / fr 4.5M; encyclopedias en 221.1M / fr 4.6M; exams en
42.1M / zh 35.3M / fr 0.1M / es 0.5M; guidelines en 29.6M; the release gives no record counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion, Passage, QAPair
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import display_path, load_json

LANGUAGES = ("en", "zh", "es", "fr")
PRETRAIN_SOURCES = ("medicalBook", "medicalGuideline", "medicalPaper", "medicalWeb", "medicalWiki")
SPLIT = "train"
HUB_ID = "FreedomIntelligence/ApolloCorpus"
#: a title is a passage's first line when it is at most this long, else its first words
MAX_TITLE_CHARS = 120
_OPTION = re.compile(r"^\(([A-H])\)\.?\s*(.*)$")
_QUESTION_LABEL = re.compile(r"^(?:Question|Pregunta|问题|問題)\s*[:：]\s*", re.IGNORECASE)
_OPTIONS_LABEL = re.compile(r"^(?:Options|Opciones|Choix|选项|選択肢)\s*[:：]\s*$", re.IGNORECASE)
_ANSWER = re.compile(r"\(([A-H])\)")


def file_kind(name: str) -> tuple[str, str, str] | None:
    """``medicalPaper_es_qa.json`` -> ``("medicalPaper", "es", "qa")``; ``medicalExam_zh_clean.json``
    -> ``("medicalExam", "zh", "exam")``; anything this adapter does not read -> None."""
    stem = name.removesuffix(".json")
    parts = stem.split("_")
    if len(parts) == 3 and parts[0] in PRETRAIN_SOURCES and parts[1] in LANGUAGES and parts[2] in ("qa", "text"):
        return parts[0], parts[1], parts[2]
    if parts[0] == "medicalExam" and parts[1:2] and parts[1] in LANGUAGES and parts[2:] in ([], ["clean"]):
        return parts[0], parts[1], "exam"
    return None


def parse_exam(prompt: str, answer: str) -> tuple[str, dict[str, str], str] | None:
    """``(stem, options, letter)`` of an exam item, or None when the pair is not one."""
    lines = prompt.splitlines()
    start = next((i for i, line in enumerate(lines) if _QUESTION_LABEL.match(line.strip())), None)
    if start is None:
        return None
    stem_lines = [_QUESTION_LABEL.sub("", lines[start].strip(), count=1)]
    options: dict[str, str] = {}
    for line in lines[start + 1 :]:
        text = line.strip()
        match = _OPTION.match(text)
        if match:
            options[match.group(1)] = match.group(2).strip()
        elif _OPTIONS_LABEL.match(text):
            continue
        elif options:
            return None  # text after the options: not the exam layout
        else:
            stem_lines.append(text)
    found = _ANSWER.search(answer)
    stem = "\n".join(stem_lines).strip()
    if len(options) < 2 or found is None or not stem:
        return None
    letter = found.group(1)
    kept = {key: text for key, text in options.items() if text or key == letter}
    return stem, kept, letter


def passage_title(text: str) -> tuple[str, str]:
    """``(title, body)``: the first line when short and followed by more text, else the first words."""
    first, _, rest = text.strip().partition("\n")
    if rest.strip() and len(first.strip()) <= MAX_TITLE_CHARS:
        return first.strip(), rest.strip()
    words = text.split()
    title = " ".join(words[:8]) if len(words) > 1 else text.strip()[:30]
    return title[:MAX_TITLE_CHARS], text.strip()


@register
class ApolloCorpus(SourceAdapter):
    spec = SourceSpec(
        name="apollocorpus",
        title="ApolloCorpus: medical books, papers, guidelines, wikis and exams (en/zh/es/fr)",
        languages=LANGUAGES,
        kinds=("qa", "passage", "mc"),
        license="Apache-2.0",
        url="https://huggingface.co/datasets/FreedomIntelligence/ApolloCorpus",
        hub_id=HUB_ID,
        expected_files=(
            *(
                f"**/{source}_{lang}_{kind}.json"
                for source in PRETRAIN_SOURCES
                for lang in LANGUAGES
                for kind in ("qa", "text")
            ),
            *(f"**/medicalExam_{lang}{suffix}.json" for lang in LANGUAGES for suffix in ("", "_clean")),
        ),
        splits=(SPLIT,),
        extra={
            "hub_zips": False,  # ApolloCorpus.zip repeats the JSON files the repository holds unpacked
            "published_counts": (
                "tokens (paper): books en 296.7M zh 117.1M; papers en 252.9M zh 45.6M es 46.0M fr 4.5M;"
                " encyclopedias en 221.1M fr 4.6M; exams en 42.1M zh 35.3M fr 0.1M es 0.5M; guidelines en 29.6M"
            )
        },
        citation=(
            "Wang, X. et al. Apollo: A Lightweight Multilingual Medical LLM towards Democratizing Medical AI to"
            " 6B People. arXiv:2403.03640, 2024."
        ),
        notes=(
            "QA pairs and passages become MMed-IFT rows; exam items MC where the (A). layout parses."
            " Published sizes are in tokens (no record counts): see the module docstring."
        ),
    )

    def find_files(self, root: Path) -> list[Path]:
        files = super().find_files(root)
        clean = {
            (path.parent, path.name.replace("_clean.json", ".json"))
            for path in files
            if path.name.endswith("_clean.json")
        }
        return [path for path in files if (path.parent, path.name) not in clean]

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        yield from unique_ids(self, super().read_files(root, files))

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        kind = file_kind(path.name)
        shown = display_path(path, root)
        if kind is None:
            raise SourceFormatError(shown, "not an ApolloCorpus medical file name")
        source, lang, shape = kind
        data = load_json(path, root)
        if not isinstance(data, list):
            raise SourceFormatError(shown, f"expected a JSON array, got {type(data).__name__}")
        stem = path.name.removesuffix(".json")
        for index, entry in enumerate(data):
            where = f"{shown}[{index}]"
            if shape == "text":
                yield from self.guarded(
                    where, lambda: [self._passage(entry, where, f"{stem}/{index}", lang, source)],
                    source_id=f"{stem}/{index}", lang=lang, split=SPLIT,
                )  # fmt: skip
            else:
                yield from self._conversation(entry, where, f"{stem}/{index}", lang, shape == "exam")

    def _passage(self, entry: Any, where: str, source_id: str, lang: str, source: str) -> ReadResult:
        if not isinstance(entry, str):
            raise SourceFormatError(where, f"a text file holds strings, got {type(entry).__name__}")
        if not entry.strip():
            return self.reject(where, "empty_text", "the passage is empty", source_id=source_id, lang=lang, split=SPLIT)
        title, body = passage_title(entry)
        return self.make(Passage, where, source_id=source_id, lang=lang, split=SPLIT, title=title, text=body)

    def _conversation(self, entry: Any, where: str, base_id: str, lang: str, exam: bool) -> Iterator[ReadResult]:
        ids = {"lang": lang, "split": SPLIT}
        if not isinstance(entry, list) or not entry or not all(isinstance(turn, str) for turn in entry):
            yield self.reject(
                where, "bad_format", "expected a list of strings [q1, a1, q2, a2, ...]", source_id=base_id, **ids
            )
            return
        for pair in range(0, len(entry), 2):
            pair_where, source_id = f"{where}[{pair}]", f"{base_id}/{pair // 2}"
            if pair + 1 >= len(entry):
                yield self.reject(
                    pair_where, "missing_answer", "the last question has no answer", source_id=source_id, **ids
                )
                continue
            question, answer = entry[pair].strip(), entry[pair + 1].strip()
            if not question or not answer:
                reason = "missing_question" if not question else "missing_answer"
                yield self.reject(pair_where, reason, "empty turn", source_id=source_id, **ids)
                continue
            parsed = parse_exam(question, answer) if exam else None
            if parsed is None:
                yield self.make(QAPair, pair_where, source_id=source_id, **ids, question=question, answer=answer)
                continue
            stem, options, letter = parsed
            if letter not in options:
                detail = f"the answer names ({letter}), not among the options {sorted(options)}"
                yield self.reject(pair_where, "answer_not_in_options", detail, source_id=source_id, **ids)
                continue
            yield self.make(
                MCQuestion, pair_where, source_id=source_id, **ids, question=stem, options=options, answer=[letter],
                exam="ApolloCorpus/medicalExam",
            )  # fmt: skip
