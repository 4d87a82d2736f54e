"""The language-ID filter's rules, each reached at the length where it decides (at least
``min_chars`` characters), and each shown to matter: the model alone would decide otherwise, so
removing the rule fails the test.  Also: one model call per batch, the 1,000 characters the
filter promises, the hard labelled set and the real upstream text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmed_ift.filters.base import item_text
from mmed_ift.filters.langid import LanguageIDFilter, Verdict
from mmed_ift.filters.langid_eval import audit_real, audit_rows, load_eval_set
from mmed_ift.schemas import Item, Reject
from mmed_ift.sources.base import get_source
from mmed_ift.text.langdetect import MAX_CHARS, Detector, FastTextDetector, detector
from tests.conftest import NOT_VENDORED

HARD_SET = Path(__file__).parent / "langid_hard"
JUSTIFIED = json.loads((Path(__file__).parent / "langid_real_rejections.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def step() -> LanguageIDFilter:
    return LanguageIDFilter()


@pytest.fixture(scope="module")
def model_step() -> LanguageIDFilter:
    """The filter that asks the model of every open text (no function-words-first shortcut)."""
    return LanguageIDFilter(function_words_first=False)


def model_alone(text: str) -> dict[str, float]:
    """lid.176's own probabilities, no script rule."""
    return dict(detector("fasttext").scores(text))


def judged(step: LanguageIDFilter, text: str, declared: str) -> Verdict:
    assert len(text.replace(" ", "")) >= step.min_chars, "the rule must be reached: text long enough to judge"
    [verdict] = step.verdicts([text], [declared])
    return verdict


def test_kana_rule_rejects_japanese_filed_as_chinese(step: LanguageIDFilter) -> None:
    text = "肝機能異常原因待査、建議肝機能再検の事。"  # one kana among kanji: lid.176 says Chinese
    assert max(model_alone(text).items(), key=lambda pair: pair[1])[0] == "zh"
    verdict = judged(step, text, "zh")
    assert (verdict.keep, verdict.why) == (False, "declared zh, detected ja (1.00)")
    assert judged(step, text, "ja") == Verdict(True, "script")


def test_han_rule_keeps_chinese_that_the_model_calls_japanese(step: LanguageIDFilter) -> None:
    text = "头痛、发热三天，伴有咳嗽和咽痛急性胆囊炎术后护理"
    alone = model_alone(text)
    assert alone["ja"] >= step.min_confidence and alone.get("zh", 0.0) < step.max_declared_score
    assert judged(step, text, "zh") == Verdict(True, "script")


def test_kanji_only_japanese_of_judged_length_is_kept(step: LanguageIDFilter) -> None:
    text = "経皮的冠動脈形成術施行後抗血小板薬二剤併用療法継続"  # 25 kanji, no kana: the Han rule says zh
    assert judged(step, text, "ja") == Verdict(True, "kanji_only")
    rejected = judged(step, "慢性腎臓病患者の腎性貧血治療について述べよ。", "zh")
    assert not rejected.keep  # the same script rules still reject Japanese with kana filed as Chinese


def test_katakana_middle_dot_is_not_kana(step: LanguageIDFilter) -> None:
    """Chinese writes foreign names with ・ (U+30FB, in the katakana block)."""
    assert judged(step, "唐・吉诃德综合征与彼得・潘综合征的鉴别诊断要点", "zh") == Verdict(True, "script")


def test_latin_words_are_removed_from_japanese(step: LanguageIDFilter) -> None:
    text = "Metformin, atorvastatin, amlodipine, losartan を内服中"
    assert judged(step, text, "ja").keep


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        ("Astragalus (黄芪, huang qi) is an herb used in traditional Chinese medicine to support immunity.", "en"),
        ("Le ginseng (人参) est utilisé en médecine traditionnelle chinoise contre la fatigue.", "fr"),
        ("La medicina tradicional china usa el ginseng (人参) contra el cansancio.", "es"),
    ],
)
def test_a_gloss_in_another_script_does_not_change_the_language(
    step: LanguageIDFilter, model_step: LanguageIDFilter, text: str, declared: str
) -> None:
    assert judged(step, text, declared).keep
    verdict = judged(model_step, text, declared)
    assert verdict == Verdict(True, "match"), verdict


@pytest.mark.parametrize(
    "text",
    [
        "Myositis ossificans progressiva",  # lid.176: Italian 0.8
        "Porokeratosis plantaris, palmaris et disseminata",  # French 0.5
        "Acrodermatitis enteropathica, incontinentia pigmenti, pemphigus vulgaris, lichen planus",
    ],
)
def test_a_list_of_disease_names_is_not_another_language(step: LanguageIDFilter, text: str) -> None:
    assert max(model_alone(text).items(), key=lambda pair: pair[1])[0] != "en"
    assert judged(step, text, "en").keep


def test_function_words_decide_between_latin_script_languages(
    step: LanguageIDFilter, model_step: LanguageIDFilter
) -> None:
    one_word = "Ectopia lentis et pupillae"  # lid.176: French 0.85, on one 'et'
    assert judged(model_step, one_word, "en") == Verdict(True, "function_words")
    assert judged(step, one_word, "en") == Verdict(True, "function_words_first")  # one 'et' cannot reject it
    italian = "Sindrome di Crigler-Najjar: una malattia rara del fegato che causa ittero nei neonati."
    assert not judged(step, italian, "en").keep
    hesitant = "The patient complains of crushing chest pain radiating to the left arm for two hours."
    assert model_alone(hesitant)["en"] < step.min_confidence  # the model alone would keep it as Spanish
    assert not judged(step, hesitant, "es").keep


def test_ukrainian_filed_as_russian_is_rejected_by_its_letters(step: LanguageIDFilter) -> None:
    text = "Пацієнт скаржиться на біль у грудях, який віддає в ліву руку, протягом двох годин."
    assert not judged(step, text, "ru").keep
    assert judged(step, "Пациент жалуется на боль в груди, отдающую в левую руку, в течение двух часов.", "ru").keep


def test_the_model_sees_the_length_the_filter_promises(step: LanguageIDFilter, model_step: LanguageIDFilter) -> None:
    """A text whose first 80 characters are Spanish and whose next 900 are French is French."""
    spanish = "El paciente refiere dolor torácico y disnea. "
    french = "Le patient présente une fièvre élevée depuis trois jours et une toux productive. " * 11
    text = (spanish * 2 + french)[:MAX_CHARS]
    assert judged(model_step, text, "fr") == Verdict(True, "match")
    assert judged(step, text, "fr").keep
    assert not judged(step, text, "es").keep


class CountingDetector:
    """The real model, counting its calls."""

    def __init__(self, inner: Detector) -> None:
        self.inner = inner
        self.batch_calls = 0
        self.single_calls = 0
        self.texts_seen = 0

    def labels(self, texts: list[str], k: int = 5) -> list[list[str]]:
        self.batch_calls += 1
        self.texts_seen += len(texts)
        return self.inner.labels(texts, k)

    def scores(self, text: str) -> list[tuple[str, float]]:
        self.single_calls += 1
        return self.inner.scores(text)


def test_a_batch_is_one_model_call(monkeypatch: pytest.MonkeyPatch, step: LanguageIDFilter) -> None:
    counting = CountingDetector(FastTextDetector())
    monkeypatch.setattr("mmed_ift.filters.langid.detector", lambda backend: counting)
    texts = ["The patient was admitted with fever and cough for three days."] * 50
    texts += ["Le patient présente une fièvre élevée depuis trois jours."] * 50
    verdicts = step.verdicts(texts, ["en"] * 50 + ["fr"] * 50)
    assert all(verdict.keep for verdict in verdicts)
    assert (counting.batch_calls, counting.single_calls) == (1, 0)
    step.verdicts(texts, ["en"] * 100)  # 50 French texts filed as English get a second look each
    assert (counting.batch_calls, counting.single_calls) == (2, 50)


def test_hard_set_has_no_wrong_verdict(step: LanguageIDFilter) -> None:
    rows = load_eval_set(HARD_SET)
    kinds = {row.kind for row in rows}
    assert {"name_dense", "term_list", "kanji_only", "kana_sparse", "mixed_script", "wrong_language"} <= kinds
    found = audit_rows(rows, step)
    assert found.wrong == [], "\n".join(found.lines())
    assert sum(row.expect == "reject" for row in rows) >= 10
    assert all(entry.why for entry in found.rejections)  # every rejection says why it is right


#: sample folders whose adapter has another name
ADAPTER_OF = {"medqa_us": "medqa"}


def _real_items(roots: list[tuple[Path, list[str]]]) -> list[Item]:
    items: list[Item] = []
    for root, folders in roots:
        for folder in folders:
            source = get_source(ADAPTER_OF.get(folder, folder))
            items += [result for result in source.read(root / folder) if not isinstance(result, Reject)]
    return items


@pytest.mark.slow
def test_real_text_has_only_justified_rejections(
    step: LanguageIDFilter, realdata: Path, shared_realdata: Path, realdata_full: Path
) -> None:
    vendored = sorted(path.name for path in realdata.iterdir() if path.is_dir())
    items = _real_items(
        [
            (realdata, vendored),
            (shared_realdata, sorted(NOT_VENDORED)),
            (realdata_full, ["headqa", "frenchmedmcqa", "rumedbench"]),
        ]
    )
    texts = {f"{item.source}:{item.source_id}": (item_text(item), item.lang) for item in items}
    assert len(texts) > 15_000 and {lang for _text, lang in texts.values()} == {"en", "es", "fr", "ru", "zh", "ja"}
    found = audit_real(texts, step, JUSTIFIED)
    assert found.wrong == [], "\n".join(found.lines())
    assert {entry.name for entry in found.rejections} == set(JUSTIFIED)


def test_min_function_words_changes_the_verdict() -> None:
    """One French 'et' is not evidence at the default of two; at one it is."""
    text = "Ectopia lentis et pupillae"
    assert LanguageIDFilter().verdicts([text], ["en"])[0].keep
    assert not LanguageIDFilter(min_function_words=1).verdicts([text], ["en"])[0].keep
