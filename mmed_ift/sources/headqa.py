"""HEAD-QA (Vilares & Gómez-Rodríguez 2019): Spanish healthcare specialisation exams (MIR, EIR, FIR, ...).

The release has ``HEAD/`` (Spanish) and ``HEAD_EN/`` (Google-translated English).  Each holds
``train_HEAD[_EN].json``, ``dev_...``, ``test_...`` and ``HEAD[_EN].json`` (all exams), each a
single JSON object ``{"version", "language", "exams": {exam_id: {name, data, category, year}}}``,
plus one ``<exam_id>.gold`` TSV (``qid<TAB>ra``) per exam.

* Questions: ``qid`` (str), ``qtext``, ``ra`` (str aid of the right answer), ``answers``
  (``[{aid: int, atext}]``, 4 or 5), ``image`` (a path, or ``""``).  ``ra`` is a string while
  ``aid`` is an int; options are re-keyed A.. in aid order.
* Image questions are rejected (``image_required``): the images are not in the release.
* Where a ``.gold`` file sits next to the JSON, its answer must agree with ``ra``.
* ``HEAD.json`` repeats the split files, so it is read only when a folder has no split files;
  its split then comes from the exam year, as in the official split (2013-14 train, 2015 dev,
  2016-17 test).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources._answers import option_letter
from mmed_ift.sources._json_counted import load_json_counted
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import (
    JSONObject,
    display_path,
    first_duplicate_key,
    iter_csv,
    letter_keys,
    require_list,
    require_str,
)

SPLIT_PREFIXES = {"train_": "train", "dev_": "validation", "test_": "test"}
SPLIT_BY_YEAR = {"2013": "train", "2014": "train", "2015": "validation", "2016": "test", "2017": "test"}
LANGUAGES = ("es", "en")


def split_of_file(path: Path) -> str | None:
    """``train_HEAD_EN.json`` -> ``train``; ``HEAD.json`` (the union) -> None."""
    for prefix, split in SPLIT_PREFIXES.items():
        if path.name.startswith(prefix):
            return split
    return None


def read_gold(path: Path, root: Path) -> dict[str, str]:
    """``qid -> ra`` from a ``.gold`` file; a malformed line is a format error naming it."""
    gold: dict[str, str] = {}
    for where, row in iter_csv(path, root, delimiter="\t", header=False):
        if isinstance(row, SourceFormatError):
            raise row
        if not isinstance(row, list) or len(row) != 2:
            raise SourceFormatError(where, f"expected 'qid<TAB>answer', got {row!r}")
        gold[row[0].strip()] = row[1].strip()
    return gold


def options_by_aid(question: dict[str, Any], where: str) -> tuple[dict[str, str], dict[int, str]]:
    """Options keyed A.. in aid order, and the aid -> letter map used to read ``ra``.

    Each answer's usual shape (an object with an int ``aid`` and a non-blank string ``atext``)
    is checked in line; anything else goes through the checks that name the problem."""
    answers = require_list(question, "answers", where)
    pairs: list[tuple[int, str]] = []
    append = pairs.append
    for answer in answers:
        if not isinstance(answer, dict):
            raise SourceFormatError(where, f"an entry of 'answers' is {type(answer).__name__}, not an object")
        aid = answer.get("aid")
        if aid.__class__ is not int and (not isinstance(aid, int) or isinstance(aid, bool)):
            raise SourceFormatError(where, f"answer id {aid!r} should be an integer")
        text = answer.get("atext")
        if text.__class__ is not str or text.isspace() or not text:
            text = require_str(answer, "atext", where)
        append((aid, text))
    pairs.sort()
    aids, texts = zip(*pairs, strict=True) if pairs else ((), ())  # in C: two tuples, in aid order
    if len(set(aids)) != len(aids):
        raise SourceFormatError(where, "two answers share an aid")
    keys = _KEYS[len(pairs)] if len(pairs) < len(_KEYS) else letter_keys(len(pairs))
    return dict(zip(keys, texts, strict=True)), dict(zip(aids, keys, strict=True))


#: letter_keys(count) for the usual counts, as the schema's own strings where they are option
#: letters (``chr`` makes other string objects: each item's options dict would be rebuilt later)
_KEYS = [[option_letter(key) for key in letter_keys(count)] for count in range(11)]


@register
class HeadQA(SourceAdapter):
    spec = SourceSpec(
        name="headqa",
        title="HEAD-QA (Spanish healthcare exams, with English translation)",
        languages=LANGUAGES,
        kinds=("mc",),
        license="other (data: Spanish Ministerio de Sanidad terms, unaltered redistribution with credit; code: MIT)",
        url="https://github.com/aghie/head-qa",
        hub_id="dvilares/head_qa",
        expected_files=(
            "**/train_HEAD*.json",
            "**/dev_HEAD*.json",
            "**/test_HEAD*.json",
            "**/HEAD.json",
            "**/HEAD_EN.json",
        ),
        citation=("Vilares, D. and Gómez-Rodríguez, C. HEAD-QA: A Healthcare Dataset for Complex Reasoning. ACL 2019."),
        extra={"archive_files": ("**/*.gold",)},
        notes="Image questions are rejected; HEAD[_EN].json is read only where the split files are absent.",
    )

    def find_files(self, root: Path) -> list[Path]:
        files = super().find_files(root)
        split_folders = {path.parent for path in files if split_of_file(path) is not None}
        return [path for path in files if split_of_file(path) is not None or path.parent not in split_folders]

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        shown = display_path(path, root)
        data, proven_unique = load_json_counted(path, root)
        if not isinstance(data, dict) or not isinstance(data.get("exams"), dict):
            raise SourceFormatError(shown, "expected an object with an 'exams' object, as in the HEAD-QA release")
        lang = data.get("language")
        if lang not in LANGUAGES:
            raise SourceFormatError(shown, f"'language' is {lang!r}; HEAD-QA files are 'es' or 'en'")
        file_split = split_of_file(path)
        results: list[ReadResult] = []
        if isinstance(data["exams"], JSONObject) and data["exams"].duplicate_keys:
            repeated = data["exams"].duplicate_keys[0]
            results.append(
                self.reject(
                    f"{shown}#{repeated}", "duplicate_key", f"exam {repeated!r} appears twice; one copy is read",
                    lang=lang,
                )
            )  # fmt: skip
        for exam_id, exam in data["exams"].items():
            where = f"{shown}#{exam_id}"
            if not isinstance(exam, dict) or not isinstance(exam.get("data"), list):
                results.append(self.reject(where, "bad_format", "exam is not an object with a 'data' list", lang=lang))
                continue
            year = str(exam.get("year", ""))
            split = file_split or SPLIT_BY_YEAR.get(year)
            gold_path = path.parent / f"{exam_id}.gold"
            gold = read_gold(gold_path, root) if gold_path.is_file() else None
            for index, question in enumerate(exam["data"]):
                results.append(
                    self._question(question, f"{where}[{index}]", exam_id, exam, lang, split, gold, not proven_unique)
                )
        yield from unique_ids(self, results)

    def _question(
        self,
        question: Any,
        where: str,
        exam_id: str,
        exam: dict[str, Any],
        lang: str,
        split: str | None,
        gold: dict[str, str] | None,
        check_repeats: bool = True,
    ) -> ReadResult:
        """The one result of one question (a function, not a generator: it runs once per record)."""
        if not isinstance(question, dict):
            return self.reject(where, "bad_format", f"question is {type(question).__name__}, not an object", lang=lang)
        duplicate = first_duplicate_key(question) if check_repeats else None
        if duplicate is not None:
            return self.reject(
                where, "duplicate_key", f"key {duplicate!r} appears twice with different values", lang=lang
            )
        qid = question.get("qid")
        source_id = f"{lang}/{exam_id}/{qid}"
        if split is None:
            return self.reject(
                where, "unknown_split", f"exam year {exam.get('year')!r} is not in the official split", lang=lang
            )
        return self.guarded_one(
            where,
            lambda row, at: self._item(row, at, source_id, exam, lang, split, gold),
            question,
            source_id=source_id,
            lang=lang,
            split=split,
        )

    def _item(
        self,
        question: dict[str, Any],
        where: str,
        source_id: str,
        exam: dict[str, Any],
        lang: str,
        split: str,
        gold: dict[str, str] | None,
    ) -> ReadResult:
        qid = require_str(question, "qid", where).strip()
        right = require_str(question, "ra", where).strip()
        if question.get("image"):
            return self.reject(
                where,
                "image_required",
                f"refers to image {question['image']!r}, not in the release",
                source_id=source_id,
                lang=lang,
                split=split,
            )
        if gold is not None and gold.get(qid) != right:
            return self.reject(
                where,
                "answer_mismatch",
                f"ra is {right!r} but the .gold file says {gold.get(qid)!r}",
                source_id=source_id,
                lang=lang,
                split=split,
            )
        options, letter_of = options_by_aid(question, where)
        if not right.isdigit() or int(right) not in letter_of:
            return self.reject(
                where,
                "answer_not_in_options",
                f"ra {right!r} is not one of the answer ids {sorted(letter_of)}",
                source_id=source_id,
                lang=lang,
                split=split,
            )
        category = exam.get("category")
        year = exam.get("year")
        return self.make(
            MCQuestion,
            where,
            source_id=source_id,
            lang=lang,
            split=split,
            question=require_str(question, "qtext", where),
            options=options,
            answer=[letter_of[int(right)]],
            exam=f"HEAD-QA/{exam.get('name') or source_id.split('/')[1]}",
            subject=category if isinstance(category, str) else None,
            year=str(year) if isinstance(year, str | int) else None,
        )
