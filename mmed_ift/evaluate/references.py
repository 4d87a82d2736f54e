"""Published accuracies to read our numbers against: data, labelled with where each figure comes from.

These were **not run here**.  They are copied from the cited pages (checked on 2026-11-25); the
settings differ from ours (prompt, shots, fine-tuning on the benchmark's train split for the open
models on MMedBench, full test sets), so they place a result, they do not validate it.  A report
prints them in their own table under the heading "published, not run here".

Only figures that could be checked against the source are listed: the MMedBench leaderboard
publishes the 6-language average, so there are no per-language MMedBench rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

MMEDBENCH_LEADERBOARD = (
    "MMedBench leaderboard, https://henrychur.github.io/MultilingualMedQA (Qiu et al., Towards Building"
    " Multilingual Language Model for Medicine, Nat. Commun. 15, 8384, 2024; arXiv:2402.13963)"
)
MMEDLM_TABLE3 = (
    "Qiu et al., Nat. Commun. 15, 8384 (2024), Table 3 (English MC benchmarks),"
    " https://www.nature.com/articles/s41467-024-52417-z/tables/3"
)
LABEL = "published, not run here"


@dataclass(frozen=True)
class ReferenceRow:
    benchmark: str
    lang: str
    model: str
    accuracy: float
    source: str
    note: str = ""
    label: str = LABEL

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _mmedbench(model: str, accuracy: float) -> ReferenceRow:
    return ReferenceRow("mmedbench", "all", model, accuracy, MMEDBENCH_LEADERBOARD, "average over the 6 languages")


def _table3(model: str, medqa: float, medmcqa: float, pubmedqa: float) -> list[ReferenceRow]:
    return [
        ReferenceRow("medqa", "en", model, medqa, MMEDLM_TABLE3, "MedQA USMLE 4-option test"),
        ReferenceRow("medmcqa", "en", model, medmcqa, MMEDLM_TABLE3, "MedMCQA dev"),
        ReferenceRow("pubmedqa", "en", model, pubmedqa, MMEDLM_TABLE3, "PubMedQA test"),
    ]


REFERENCES: tuple[ReferenceRow, ...] = (
    _mmedbench("GPT-4", 74.27),
    _mmedbench("MMed-Llama 3 (8B)", 67.75),
    _mmedbench("MMedLM 2 (7B)", 67.30),
    _mmedbench("Llama 3 (8B)", 62.79),
    _mmedbench("Mistral (7B)", 60.73),
    _mmedbench("Gemini-1.0 pro", 55.20),
    _mmedbench("GPT-3.5", 51.82),
    *_table3("GPT-4", 85.8, 72.3, 70.0),
    *_table3("GPT-3.5", 57.7, 72.7, 53.8),
    *_table3("Llama 3 (8B)", 60.9, 50.7, 73.0),
    *_table3("MMed-Llama 3 (8B)", 65.4, 63.5, 80.1),
)


def references_for(benchmarks: set[str]) -> list[ReferenceRow]:
    """The published rows for the benchmarks of a run, in table order."""
    return [row for row in REFERENCES if row.benchmark in benchmarks]
