"""What can be evaluated, as plain data: the benchmarks (which source, which splits, which items)
and the prompt choices.  Kept free of heavy imports so the command line can offer them at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from mmed_ift.schemas import MCQuestion

ItemFilter = Callable[["MCQuestion"], bool]
PromptStyle = Literal["lmeval", "recipe"]
ContinuationKind = Literal["letter", "text"]
PROMPT_STYLES: tuple[PromptStyle, ...] = ("lmeval", "recipe")
CONTINUATIONS: tuple[ContinuationKind, ...] = ("letter", "text")


def _any_item(item: MCQuestion) -> bool:
    return True


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: a source adapter, the splits evaluated and an optional item filter."""

    name: str
    source: str
    title: str
    #: splits evaluated; ``None`` means every item the adapter yields (evaluation-only sources)
    splits: tuple[str, ...] | None
    keep: ItemFilter = _any_item
    description: str = ""


BENCHMARKS: dict[str, Benchmark] = {
    bench.name: bench
    for bench in (
        Benchmark("mmedbench", "mmedbench", "MMedBench", ("test",), description="Test/<Language>.jsonl, 6 languages"),
        Benchmark(
            "medqa",
            "medqa",
            "MedQA (USMLE, 4 options)",
            ("test",),
            keep=lambda item: item.exam == "MedQA-US",
            description="US 4-option test split (1,273 items)",
        ),
        Benchmark("medmcqa", "medmcqa", "MedMCQA", ("validation",), description="the dev split everyone reports"),
        Benchmark("pubmedqa", "pubmedqa", "PubMedQA (PQA-L)", ("test",), description="the 500 test_ground_truth ids"),
        Benchmark("headqa", "headqa", "HEAD-QA", ("test",), description="2016-17 exams; es and the en translation"),
        Benchmark("frenchmedmcqa", "frenchmedmcqa", "FrenchMedMCQA", ("test",), description="test.json"),
        Benchmark("igakuqa", "igakuqa", "IgakuQA", ("test",), description="the 2022 exam (116th)"),
        Benchmark(
            "rumeddanet",
            "rumedbench",
            "RuMedDaNet",
            ("test",),
            keep=lambda item: item.exam == "RuMedDaNet",
            description="RuMedDaNet test_v1 (the private test has no labels)",
        ),
        Benchmark(
            "medexpqa",
            "medexpqa",
            "MedExpQA",
            ("test",),
            description="MIR exams with doctors' explanations; en, es, fr",
        ),
        Benchmark("xmedbench", "xmedbench", "XMedBench", None, description="every item (evaluation-only source)"),
    )
}
