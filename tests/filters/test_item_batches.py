"""An item filter judges the corpus in batches (bounded working memory) with the same outcome."""

from __future__ import annotations

import pytest

from mmed_ift.filters.base import Outcome, Rejection
from mmed_ift.filters.decontam import Decontaminate, question_text
from mmed_ift.filters.langid import LanguageIDFilter
from mmed_ift.schemas import Item
from tests.filters.test_decontam import DRUGS, mc

QUESTIONS = [
    "¿Cuál es el mecanismo de acción de {drug} en el tratamiento de la insuficiencia cardiaca crónica?",
    "¿Qué efecto adverso es más frecuente con {drug} en pacientes ancianos con función renal reducida?",
    "¿Con qué fármaco interacciona {drug} de forma clínicamente relevante en la práctica habitual?",
]
SYMPTOMS = ("fiebre y tos", "dolor torácico", "cefalea intensa", "disnea súbita", "dolor abdominal")
PLACES = ("atención primaria", "urgencias", "la consulta de cardiología")


def corpus() -> tuple[list[Item], list[Item]]:
    """Benchmark items and a training corpus that copies a few of them (the leaks)."""
    benchmark = [mc(f"b{index}", QUESTIONS[index % 3].format(drug=drug), DRUGS[:4]) for index, drug in enumerate(DRUGS)]
    training = [
        mc(f"t{index}", f"Un paciente de {20 + index} años acude por {SYMPTOMS[index % 5]} desde hace {index + 2}"
           f" días; ¿cuál es la prueba inicial más adecuada en {PLACES[index % 3]}?", DRUGS[4:8], split="train")
        for index in range(30)
    ]  # fmt: skip
    training[3:24:7] = [
        mc(f"leak{index}", question_text(item), DRUGS[:4], split="train") for index, item in enumerate(benchmark[3::7])
    ]
    return benchmark, training


def summary(outcomes: list[Outcome]) -> list[tuple[str, str]]:
    return [
        ("rejected", outcome.reject.source_id or "") if isinstance(outcome, Rejection) else ("kept", outcome.source_id)
        for outcome in outcomes
    ]


@pytest.mark.parametrize("batch_size", [1, 4, 7, 1000])
def test_decontamination_in_batches_is_the_whole_call(batch_size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    benchmark, training = corpus()
    step = Decontaminate(benchmark)
    whole = summary(step.judge(training, step.new_stats()))
    assert ("rejected", "leak0") in whole and ("kept", "t0") in whole  # the corpus does exercise both
    monkeypatch.setattr(Decontaminate, "batch_size", batch_size)
    result = step.process(training)
    batched = [("kept", item.source_id) for item in result.kept] + [
        ("rejected", reject.source_id or "") for reject in result.rejected
    ]
    assert sorted(batched) == sorted(whole)
    assert [item.source_id for item in result.kept] == [sid for verdict, sid in whole if verdict == "kept"]


def test_language_id_statistics_add_up_over_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    _, training = corpus()
    step = LanguageIDFilter()
    whole_stats = step.new_stats()
    whole = summary(step.judge(training, whole_stats))
    monkeypatch.setattr(LanguageIDFilter, "batch_size", 4)
    result = step.process(training)
    assert result.stats.to_dict() == whole_stats.to_dict()
    assert [("kept", item.source_id) for item in result.kept] == [entry for entry in whole if entry[0] == "kept"]
