"""MedExpQA adapter: the bundled sample (counts, a named record, its reject), the upstream traps
(null fifth option, NaN, the light and .rag releases side by side) and damaged files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources.medexpqa import numbered_options, split_and_lang
from tests.sources.corrupt import corrupt_bytes, corrupt_json, read_all, split_results

ADAPTER = get_source("medexpqa")
ROOT = bundled_samples_root() / "medexpqa"
SAMPLE = ROOT / "data" / "es" / "train.es.casimedicos.rag.jsonl"


def _record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "correct_option": 2,
        "explanations": {"2": {"char_ranges": [[0, 10]], "text": "Explicación corta."}},
        "full_answer": "La opción 2 es la correcta porque el cuadro es típico.",
        "full_answer_no_ref": "La opción [HIDDEN] es la correcta.",
        "full_question": "Paciente con fiebre y tos productiva. ¿Diagnóstico más probable?",
        "id": 7,
        "lang": "es",
        "options": {"1": "Asma.", "2": "Neumonía.", "3": "Gripe.", "4": "Bronquitis.", "5": None},
        "question_id_specific": 3,
        "type": "NEUMOLOGÍA",
        "year": 2018,
        "rag": {},
    }
    record.update(changes)
    return record


def _read(tmp_path: Path, lines: list[str], name: str = "train.es.casimedicos.rag.jsonl") -> list[Any]:
    (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return list(ADAPTER.read(tmp_path))


def test_bundled_counts_splits_and_reject() -> None:
    kept, rejected = split_results(list(ADAPTER.read(ROOT)))
    assert Counter((item.lang, item.split) for item in kept) == {
        (lang, split): count
        for lang in ("en", "es", "fr")
        for split, count in (("train", 2), ("validation", 1), ("test", 1))
    }
    assert [(r.reason, r.source_id) for r in rejected] == [("answer_not_in_options", "es/103")]
    assert all(isinstance(item, MCQuestion) and item.rationale for item in kept)
    assert all(item.license == "CC-BY-4.0" for item in kept)


def test_named_record() -> None:
    by_id = {item.source_id: item for item in ADAPTER.read(ROOT) if isinstance(item, MCQuestion)}
    item = by_id["es/101"]
    assert item.answer == ["B"] and item.options["B"] == "Arteria coronaria derecha."
    assert list(item.options) == ["A", "B", "C", "D"]  # the null fifth option is left out
    assert item.rationale is not None and item.rationale.startswith("La elevación del ST")
    assert item.subject == "CARDIOLOGÍA" and item.year == "2020" and item.exam == "MedExpQA/MIR"
    assert item.location == "data/es/train.es.casimedicos.rag.jsonl:2"


def test_test_split_is_held_out() -> None:
    assert ADAPTER.spec.eval_splits == ("test",)
    assert {item.source_id for item in ADAPTER.read(ROOT) if item.split == "test"} == {"en/900", "es/900", "fr/900"}


def test_nan_fifth_option_and_string_answer(tmp_path: Path) -> None:
    line = json.dumps(
        _record(options={"1": "A.", "2": "B.", "3": "C.", "4": "D.", "5": float("nan")}, correct_option="3")
    )
    [item] = _read(tmp_path, [line])
    assert isinstance(item, MCQuestion) and item.answer == ["C"] and len(item.options) == 4


def test_explanation_fallback_when_full_answer_empty(tmp_path: Path) -> None:
    [item] = _read(tmp_path, [json.dumps(_record(full_answer=""), ensure_ascii=False)])
    assert isinstance(item, MCQuestion) and item.rationale == "Explicación corta."


def test_language_mismatch_is_rejected(tmp_path: Path) -> None:
    [reject] = _read(tmp_path, [json.dumps(_record(lang="fr"))])
    assert isinstance(reject, Reject) and reject.reason == "language_mismatch"


def test_light_release_beside_rag_release_is_read_once(tmp_path: Path) -> None:
    line = json.dumps(_record())
    (tmp_path / "train.es.casimedicos.jsonl").write_text(line + "\n", encoding="utf-8")
    results = _read(tmp_path, [line])
    assert [type(result).__name__ for result in results] == ["MCQuestion"]


def test_file_name_parsing() -> None:
    assert split_and_lang("dev.fr.casimedicos.rag.jsonl") == ("validation", "fr")
    assert split_and_lang("test.en.casimedicos.jsonl") == ("test", "en")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(["1", "2", "3", "4", "5"]), st.one_of(st.none(), st.text(min_size=1, max_size=8)))
)
def test_numbered_options_property(raw: dict[str, str | None]) -> None:
    """Keys become A.. in number order; blank options vanish; the number map agrees with the texts."""
    options, letter_of = numbered_options({"options": raw}, "x")
    kept = sorted(int(key) for key, text in raw.items() if text is not None and text.strip())
    assert list(letter_of) == kept
    assert list(options) == [chr(ord("A") + index) for index in range(len(kept))]
    for number, letter in letter_of.items():
        assert options[letter] == str(raw[str(number)]).strip()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_corrupted_record(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    lines[index] = json.dumps(data.draw(corrupt_json(json.loads(lines[index]))), ensure_ascii=False)
    root = tmp_path_factory.mktemp("medexpqa")
    (root / SAMPLE.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    kept, rejected = split_results(read_all(ADAPTER, root))
    assert len(kept) + len(rejected) >= 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_corrupted_bytes(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    root = tmp_path_factory.mktemp("medexpqa")
    (root / SAMPLE.name).write_bytes(data.draw(corrupt_bytes(SAMPLE.read_bytes())))
    split_results(read_all(ADAPTER, root))


def test_headqa_test_question_repeated_in_medexpqa_train_is_decontaminated(tmp_path: Path) -> None:
    """MedExpQA and HEAD-QA share MIR exams: a HEAD-QA benchmark question in MedExpQA's train
    split must not reach training (decontamination sees every held-out split)."""
    from mmed_ift.pipeline import BuildConfig, build

    question = (
        "Mujer de 58 años con disnea progresiva, crepitantes bibasales y acropaquias. La TC muestra un patrón"
        " en panal de abejas de predominio subpleural y basal. ¿Cuál es el diagnóstico más probable?"
    )
    sources = tmp_path / "src"
    head = sources / "headqa" / "HEAD"
    head.mkdir(parents=True)
    exam = {"name": "Cuaderno_2016_1_B", "category": "medicine", "year": "2016", "data": [{
        "qid": "1", "qtext": question, "ra": "2", "image": "",
        "answers": [{"aid": 1, "atext": "Sarcoidosis."}, {"aid": 2, "atext": "Fibrosis pulmonar idiopática."},
                    {"aid": 3, "atext": "Asma."}, {"aid": 4, "atext": "Neumonía eosinófila."}],
    }]}  # fmt: skip
    (head / "test_HEAD.json").write_text(
        json.dumps({"version": "1.0", "language": "es", "exams": {"cuaderno_2016_1_B": exam}}, ensure_ascii=False),
        encoding="utf-8",
    )
    medexp = sources / "medexpqa" / "data" / "es"
    medexp.mkdir(parents=True)
    options = {"1": "Sarcoidosis.", "2": "Fibrosis pulmonar idiopática.", "3": "Asma.", "4": "Neumonía eosinófila."}
    lines = [json.dumps(_record(id=1, full_question=question, options=options), ensure_ascii=False),
             json.dumps(_record(id=2), ensure_ascii=False)]  # fmt: skip
    (medexp / "train.es.casimedicos.rag.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = build(BuildConfig(languages=("es",), out_dir=tmp_path / "out", sources_dir=sources, progress=False))
    rejects = [json.loads(line) for line in (result.out_dir / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["source"], r["source_id"], r["reason"]) for r in rejects] == [("medexpqa", "es/1", "contaminated")]
