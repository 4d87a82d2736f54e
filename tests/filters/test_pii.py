"""PII scrub: placeholders per kind, medical numbers untouched, only the named sources."""

from __future__ import annotations

from collections import Counter

import pytest

from mmed_ift.filters.pii import PLACEHOLDERS, PIIScrub, PIIStats, scrub
from mmed_ift.pipeline.stages import patient_dialogue_sources
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair

CASES = [
    # (text, expected, counts)
    ("Write to john.doe@example.com for results.", "Write to [EMAIL] for results.", {"email": 1}),
    ("请发邮件到 zhang.san+med@qq.com 谢谢", "请发邮件到 [EMAIL] 谢谢", {"email": 1}),
    ("メールはtaro_yamada@mail.example.co.jpまで", "メールは[EMAIL]まで", {"email": 1}),
    ("Écrivez à marie-curie@hopital.fr.", "Écrivez à [EMAIL].", {"email": 1}),
    ("See https://example.com/clinic?id=42 for details", "See [URL] for details", {"url": 1}),
    ("Visita www.clinica-ejemplo.es para más información", "Visita [URL] para más información", {"url": 1}),
    ("详见 http://www.example.cn/a/b，谢谢", "详见 [URL]，谢谢", {"url": 1}),
    ("Call me at +1 555-014-2298 tomorrow.", "Call me at [PHONE] tomorrow.", {"phone": 1}),
    ("我的手机号是13812345678，请联系", "我的手机号是[PHONE]，请联系", {"phone": 1}),
    ("电话：13912345678", "电话：[PHONE]", {"phone": 1}),
    ("電話番号は 03-1234-5678 です。", "電話番号は [PHONE] です。", {"phone": 1}),
    ("Позвоните по номеру 8 (495) 123-45-67.", "Позвоните по номеру [PHONE].", {"phone": 1}),
    ("Mi teléfono es 912 345 678.", "Mi teléfono es [PHONE].", {"phone": 1}),
    ("Appelez le 06 12 34 56 78 svp", "Appelez le [PHONE] svp", {"phone": 1}),
    ("身份证号110101199003074514，请保密", "身份证号[ID]，请保密", {"national_id": 1}),
    ("ID 11010119900307451X end", "ID [ID] end", {"national_id": 1}),
    ("My SSN is 123-45-6789.", "My SSN is [ID].", {"national_id": 1}),
    ("Mi DNI es 12345678Z y mi NIE X1234567L.", "Mi DNI es [ID] y mi NIE [ID].", {"national_id": 2}),
    (
        "Email a@b.io or b@c.org, call +1 555-014-2298, SSN 123-45-6789",
        "Email [EMAIL] or [EMAIL], call [PHONE], SSN [ID]",
        {"email": 2, "phone": 1, "national_id": 1},
    ),
]

MEDICAL = [
    "Take 500 mg twice daily.",
    "BP 140/90 mmHg, HR 72 bpm.",
    "Seen on 2019-03-07 in clinic.",
    "HbA1c 7.2%, fasting glucose 7.0 mmol/L.",
    "Platelets 1 200 000 cells per microliter.",
    "WBC 12.5 x 10^9/L; Hb 13.2 g/dL; creatinine 88 µmol/L.",
    "血压140/90mmHg，空腹血糖7.0mmol/L，每日500mg。",
    "2019年3月7日に受診、HbA1c 7.2%。",
    "АД 140/90 мм рт. ст., доза 500 мг.",
    "Dosis de 1000 mg cada 8 h en 2019 y 2020.",
    "ICD-10 E11.9; 12-lead ECG; T2DM since 2010.",
]


@pytest.mark.parametrize(("text", "expected", "counts"), CASES)
def test_scrub_cases(text: str, expected: str, counts: dict[str, int]) -> None:
    found: Counter[str] = Counter()
    assert scrub(text, found) == expected
    assert dict(found) == counts


@pytest.mark.parametrize("text", MEDICAL)
def test_medical_numbers_untouched(text: str) -> None:
    found: Counter[str] = Counter()
    assert scrub(text, found) == text
    assert not found


def test_placeholders() -> None:
    assert PLACEHOLDERS == {"email": "[EMAIL]", "url": "[URL]", "national_id": "[ID]", "phone": "[PHONE]"}
    found: Counter[str] = Counter()
    # scrubbing a scrubbed text changes nothing more
    once = scrub(CASES[-1][0], found)
    again: Counter[str] = Counter()
    assert scrub(once, again) == once
    assert not again


@pytest.mark.parametrize(
    "text",
    ["電話03-1234-5678までご連絡ください", "请拨打010-12345678联系我"],
)
def test_phone_inside_cjk_text(text: str) -> None:
    found: Counter[str] = Counter()
    assert "[PHONE]" in scrub(text, found)
    assert found["phone"] == 1


def test_url_followed_by_cjk_text() -> None:
    found: Counter[str] = Counter()
    assert scrub("访问www.example.com获取更多信息，谢谢", found) == "访问[URL]获取更多信息，谢谢"


def test_date_with_time_untouched() -> None:
    found: Counter[str] = Counter()
    assert scrub("Admitted 2019-03-07 14:30 with chest pain.", found) == "Admitted 2019-03-07 14:30 with chest pain."


# -- the step -------------------------------------------------------------------------------


def _qa(source: str, source_id: str, question: str, answer: str, lang: str = "en") -> QAPair:
    return QAPair(source=source, source_id=source_id, lang=lang, split="train", question=question, answer=answer)


def test_only_named_sources_are_scrubbed_and_nothing_is_rejected() -> None:
    items: list[Item] = [
        _qa("alpaca", "1", "My email is pat@example.com, what now?", "Call +1 555-014-2298."),
        _qa("medquad", "2", "Contact nih@example.gov?", "See https://example.gov/info."),
        _qa("alpaca", "3", "What is a normal BP?", "Below 120/80 mmHg."),
    ]
    step = PIIScrub(sources={"alpaca"})
    result = step.process(items)
    assert result.rejected == []
    assert [item.source_id for item in result.kept] == ["1", "2", "3"]
    first = result.kept[0]
    assert isinstance(first, QAPair)
    assert first.question == "My email is [EMAIL], what now?"
    assert first.answer == "Call [PHONE]."
    assert result.kept[1] == items[1]  # medquad is not in the scrubbed set
    assert result.kept[2] == items[2]
    assert dict(result.stats.replaced) == {"email": 1, "phone": 1}  # type: ignore[attr-defined]
    details = step.details(result.stats, result.rejections)  # type: ignore[arg-type]
    assert details == {"sources": ["alpaca"], "replaced": {"email": 1, "phone": 1}, "items_changed": 1}


def test_all_text_fields_are_scrubbed() -> None:
    mc = MCQuestion(
        source="alpaca",
        source_id="m",
        lang="en",
        split="train",
        question="Patient (SSN 123-45-6789) asks:",
        options={"A": "email a@b.com", "B": "call 03-1234-5678", "C": "nothing"},
        answer=["C"],
        rationale="See www.example.org",
        context="ID 110101199003074514",
    )
    qa = QAPair(
        source="alpaca",
        source_id="q",
        lang="zh",
        split="train",
        question="我的电话13812345678",
        answer="请发邮件至doc@hospital.cn",
        context="身份证110101199003074514",
    )
    passage = Passage(source="alpaca", source_id="p", lang="es", split="train", title="Caso", text="DNI 12345678Z")
    step = PIIScrub(sources={"alpaca"})
    result = step.process([mc, qa, passage])
    mc_out, qa_out, passage_out = result.kept
    assert isinstance(mc_out, MCQuestion) and isinstance(qa_out, QAPair) and isinstance(passage_out, Passage)
    assert mc_out.question == "Patient (SSN [ID]) asks:"
    assert mc_out.options == {"A": "email [EMAIL]", "B": "call [PHONE]", "C": "nothing"}
    assert mc_out.rationale == "See [URL]"
    assert mc_out.context == "ID [ID]"
    assert mc_out.answer == ["C"]
    assert qa_out.question == "我的电话[PHONE]"
    assert qa_out.answer == "请发邮件至[EMAIL]"
    assert qa_out.context == "身份证[ID]"
    assert passage_out.text == "DNI [ID]"
    assert passage_out.title == "Caso"
    assert dict(result.stats.replaced) == {"national_id": 4, "email": 2, "phone": 2, "url": 1}  # type: ignore[attr-defined]
    assert result.stats.items_changed == 3  # type: ignore[attr-defined]
    # the originals are untouched (items are frozen; scrubbing makes copies)
    assert mc.question == "Patient (SSN 123-45-6789) asks:"


def test_title_fields_are_scrubbed() -> None:
    passage = Passage(source="alpaca", source_id="p", lang="en", split="train", title="Mail me: a@b.com", text="x")
    qa = QAPair(
        source="alpaca", source_id="q", lang="en", split="train", question="q", answer="a", title="+1 555-014-2298"
    )
    kept = PIIScrub(sources={"alpaca"}).process([passage, qa]).kept
    assert isinstance(kept[0], Passage) and isinstance(kept[1], QAPair)
    assert kept[0].title == "Mail me: [EMAIL]"
    assert kept[1].title == "[PHONE]"


def test_counts_of_batches_merge() -> None:
    step = PIIScrub(sources=["cmedqa2"])
    total = step.new_stats()
    total.merge(step.process([_qa("cmedqa2", "1", "电话13812345678", "好的", lang="zh")]).stats)
    total.merge(step.process([_qa("cmedqa2", "2", "邮箱a@b.cn", "电话13912345678", lang="zh")]).stats)
    assert PIIStats.from_dict(total.to_dict()) == total
    assert step.details(total, []) == {
        "sources": ["cmedqa2"],
        "replaced": {"phone": 2, "email": 1},
        "items_changed": 2,
    }
    assert step.name == "pii"


def test_empty_source_set_scrubs_nothing() -> None:
    item = _qa("alpaca", "1", "pat@example.com", "ok")
    step = PIIScrub(sources=set())
    result = step.process([item])
    assert result.kept == [item]
    assert step.details(result.stats, []) == {"sources": [], "replaced": {}, "items_changed": 0}  # type: ignore[arg-type]


def test_default_sources_are_patient_dialogue() -> None:
    defaults = patient_dialogue_sources()
    assert {"alpaca", "cmedqa2", "huatuo26m_lite"} <= defaults
    assert "medqa" not in defaults
    step = PIIScrub()  # no names: the items' patient_dialogue stamp decides
    dialogue = _qa("huatuo26m_lite", "1", "电话13812345678", "好", lang="zh")
    dialogue = dialogue.model_copy(update={"patient_dialogue": True})
    scrubbed = step.process([dialogue]).kept[0]
    untouched = step.process([_qa("medqa", "2", "SSN 123-45-6789", "ok")]).kept[0]
    assert isinstance(scrubbed, QAPair) and scrubbed.question == "电话[PHONE]"
    assert isinstance(untouched, QAPair) and untouched.question == "SSN 123-45-6789"
