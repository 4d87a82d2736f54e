"""RuMedBench (Blinov et al. 2022): the two Russian medical QA tasks, RuMedDaNet and RuMedTest.

Upstream ``sb-ai-lab/MedBench`` (formerly ``pavel-blinov/RuMedBench``) ships ``data/<Task>/<split>_v1.jsonl``.

* RuMedDaNet is yes/no reading comprehension: ``context``, ``question``, ``answer`` (the Russian
  words ``да``/``нет``) and ``pairID`` (32-hex).  It becomes a two-option MC question,
  A = "да", B = "нет", with the passage as ``context``.  ``private_test_v1.jsonl`` has no
  ``answer``: its labels are hidden on the leaderboard, so those records are ``missing_answer``.
* RuMedTest is a 4-option exam whose options sit under the top-level keys ``"1"``..``"4"`` beside
  ``idx`` and ``question``.  Only a private test exists and it has no answer field either, so
  today every record is a ``missing_answer`` reject; an ``answer`` key, should one appear, is used.

The other RuMedBench tasks (NLI, NER, symptom recommendation) are not QA and are not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import MCQuestion
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_jsonl, letter_keys, require_str

LANG = "ru"
DANET = "RuMedDaNet"
MEDTEST = "RuMedTest"
#: RuMedDaNet's two answers, in the option order we give them
YES_NO: dict[str, str] = {"да": "A", "нет": "B"}
HIDDEN_LABELS = "labels of the private test are hidden on the RuMedBench/MedBench leaderboard"

_SPLIT_BY_STEM: tuple[tuple[str, str], ...] = (
    ("private_test", "test"),
    ("train", "train"),
    ("dev", "validation"),
    ("test", "test"),
)


def split_from_name(name: str) -> str:
    """``dev_v1.jsonl`` -> ``validation``; ``private_test_v1.jsonl`` -> ``test`` (labels hidden)."""
    stem = name.rsplit(".", 1)[0].lower()
    for marker, split in _SPLIT_BY_STEM:
        if stem.startswith(marker):
            return split
    raise SourceFormatError(name, "cannot tell the split (train/dev/test/private_test) from the file name")


def task_from_path(path: Path) -> str:
    """The RuMedBench task is the file's folder: ``RuMedDaNet`` or ``RuMedTest``."""
    for task in (DANET, MEDTEST):
        if task in path.parts:
            return task
    raise SourceFormatError(path.name, f"file is neither under a {DANET}/ nor a {MEDTEST}/ folder")


def numbered_options(record: dict[str, Any], where: str) -> dict[str, str]:
    """RuMedTest's ``"1".."4"`` top-level keys, in numeric order, re-keyed ``A``.."""
    numbers = sorted((key for key in record if key.isascii() and key.isdigit()), key=int)
    if len(numbers) < 2:
        raise SourceFormatError(where, f"expected option keys '1'..'4', found {sorted(record)}")
    texts = [require_str(record, key, where).strip() for key in numbers]
    return dict(zip(letter_keys(len(texts)), texts, strict=True))


def option_key(raw: object, count: int) -> str | None:
    """An option number (``"3"`` or ``3``) as its letter key, or None when it names no option."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    number = str(raw).strip()
    if not (number.isascii() and number.isdigit()) or not 0 < int(number) <= count:
        return None
    return letter_keys(count)[int(number) - 1]


@register
class RuMedBench(SourceAdapter):
    spec = SourceSpec(
        name="rumedbench",
        title="RuMedBench: RuMedDaNet (yes/no QA) and RuMedTest (MCQ)",
        languages=(LANG,),
        kinds=("mc",),
        license="Apache-2.0",
        url="https://github.com/sb-ai-lab/MedBench",
        hub_id=None,
        expected_files=("**/RuMedDaNet/*_v1.jsonl", "**/RuMedTest/*_v1.jsonl"),
        citation=(
            "Blinov, P. et al. RuMedBench: A Russian Medical Language Understanding Benchmark."
            " AIME 2022, LNCS 13263. arXiv:2201.06499."
        ),
        notes=(
            "RuMedDaNet yes/no items become 2-option questions (A = да, B = нет) with the passage as"
            " context. The private test files (RuMedDaNet private_test, all of RuMedTest) have no"
            " answers and are rejected as missing_answer. RuMedNLI/NER/Top3/SymptomRec are not read."
        ),
        extra={"published_counts": {"RuMedDaNet": {"train": 1052, "dev": 256, "test": 256, "private_test": 512}}},
    )

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        """As the base class, but a pairID/idx met twice becomes a ``duplicate_id`` reject."""
        yield from unique_ids(self, super().read_files(root, files))

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        task = task_from_path(path)
        split = split_from_name(path.name)
        for where, record in iter_jsonl(path, root):
            if isinstance(record, SourceFormatError):
                yield self.reject(where, record.reason or "bad_format", record.problem, lang=LANG, split=split)
                continue
            raw_id = record.get("pairID" if task == DANET else "idx")
            source_id = raw_id if isinstance(raw_id, str) else None
            build = self._danet if task == DANET else self._medtest
            yield from self.guarded(
                where,
                lambda: [build(record, where, split)],
                source_id=source_id,
                lang=LANG,
                split=split,
            )

    def _danet(self, record: dict[str, Any], where: str, split: str) -> ReadResult:
        ids = {"source_id": require_str(record, "pairID", where).strip(), "lang": LANG, "split": split}
        context = require_str(record, "context", where)
        question = require_str(record, "question", where)
        if "answer" not in record:
            return self.reject(where, "missing_answer", f"no 'answer' field: {HIDDEN_LABELS}", **ids)
        answer = require_str(record, "answer", where).strip().lower()
        if answer not in YES_NO:
            detail = f"answer {record['answer']!r} is neither 'да' nor 'нет'"
            return self.reject(where, "answer_not_in_options", detail, **ids)
        return self.make(
            MCQuestion,
            where,
            **ids,
            question=question.strip(),
            options={key: word for word, key in YES_NO.items()},
            answer=[YES_NO[answer]],
            context=context.strip(),
            exam=DANET,
        )

    def _medtest(self, record: dict[str, Any], where: str, split: str) -> ReadResult:
        ids = {"source_id": require_str(record, "idx", where).strip(), "lang": LANG, "split": split}
        question = require_str(record, "question", where)
        options = numbered_options(record, where)
        if "answer" not in record:
            return self.reject(where, "missing_answer", f"no 'answer' field: {HIDDEN_LABELS}", **ids)
        key = option_key(record["answer"], len(options))
        if key is None:
            detail = f"answer {record['answer']!r} is not one of the option numbers 1..{len(options)}"
            return self.reject(where, "answer_not_in_options", detail, **ids)
        return self.make(
            MCQuestion, where, **ids, question=question.strip(), options=options, answer=[key], exam=MEDTEST
        )
