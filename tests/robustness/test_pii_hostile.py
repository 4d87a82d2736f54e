"""PII disguised by Unicode: full-width forms, zero-width characters, URLs without a scheme.

Matching runs on the NFKC view of the text with invisible characters left out; the span of the
original text is replaced.  Doses, dates and lab values, full-width ones included, survive.
"""

from __future__ import annotations

from collections import Counter

import pytest

from mmed_ift.filters.pii import PIIScrub, normalised_view, scrub
from mmed_ift.schemas import QAPair


def _scrubbed(text: str) -> tuple[str, dict[str, int]]:
    counts: Counter[str] = Counter()
    return scrub(text, counts), dict(counts)


def test_full_width_mobile_number() -> None:
    assert _scrubbed("我的手机号是１３８１２３４５６７８，请联系") == ("我的手机号是[PHONE]，请联系", {"phone": 1})


def test_full_width_at_sign_in_email() -> None:
    assert _scrubbed("邮箱 zhang.san＠qq.com 谢谢") == ("邮箱 [EMAIL] 谢谢", {"email": 1})


def test_email_split_by_zero_width_characters() -> None:
    assert _scrubbed("Write to john\u200b.doe@exa\u200dmple.com now") == ("Write to [EMAIL] now", {"email": 1})


def test_phone_split_by_zero_width_and_bidi_characters() -> None:
    assert _scrubbed("Call 138\u200b1234\u202e5678 today") == ("Call [PHONE] today", {"phone": 1})
    assert _scrubbed("Call +1 555\u2060-014-2298 tomorrow") == ("Call [PHONE] tomorrow", {"phone": 1})


def test_full_width_url_with_www() -> None:
    assert _scrubbed("Ｖｉｓｉｔ ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ ｎｏｗ") == ("Ｖｉｓｉｔ [URL] ｎｏｗ", {"url": 1})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see example.com/path/to?x=1 for info", "see [URL] for info"),
        ("read healthline.com.", "read [URL]."),
        ("访问clinic.example.co.jp获取信息", "访问[URL]获取信息"),
        ("посмотрите zdorovie.ru/article", "посмотрите [URL]"),
    ],
)
def test_urls_without_a_scheme(text: str, expected: str) -> None:
    assert _scrubbed(text) == (expected, {"url": 1})


def test_email_domain_is_not_also_a_url() -> None:
    assert _scrubbed("email me at john@example.com please") == ("email me at [EMAIL] please", {"email": 1})


@pytest.mark.parametrize(
    "text",
    [
        "e.g. take 500 mg, i.e. twice daily; see Fig.1 and report.pdf",
        "血压１４０/９０mmHg，空腹血糖７.０mmol/L，每日５００mg。",
        "２０１９年３月７日に受診、HbA1c ７.２%。",
        "Platelets 150 x 10⁹/L on ２０１９-０３-０７ １４:３０",
        "Smith & Co. in the U.S.A. vs. the U.K.; Dr.Med. results.in",
        "ICD-10 E11.9; node.js and config.yaml; 0.5 mg/kg; NaCl 0.9%",
        "Ｄｏｓｅ：５００ ｍｇ ｂ．ｉ．ｄ． for ７ days",
    ],
)
def test_full_width_and_dotted_medical_text_survives(text: str) -> None:
    assert _scrubbed(text) == (text, {})


def test_text_without_pii_is_returned_unchanged_not_normalised() -> None:
    text = "Ｄｏｓｅ\u200b ５００ ｍｇ"
    assert scrub(text, Counter()) is text


def test_normalised_view_maps_back_to_the_original() -> None:
    view, origin = normalised_view("a\u200b１＠")
    assert view == "a1@" and origin == [0, 2, 3]


def test_filter_step_scrubs_disguised_pii_and_keeps_the_item() -> None:
    question = "Reach me at ＋１ ５５５-０１４-２２９８ or jane\u200b@example.org"
    item = QAPair(source="alpaca", source_id="1", lang="en", split="train", question=question, answer="Call your GP.")
    result = PIIScrub(sources=["alpaca"]).process([item])
    assert result.rejected == [] and isinstance(result.kept[0], QAPair)
    assert result.kept[0].question == "Reach me at [PHONE] or [EMAIL]"
