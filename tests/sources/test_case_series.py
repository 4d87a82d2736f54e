"""Question series of the Japanese exams: follow-ups carry the case of the series' first question.

The upstream layout (IgakuQA ``112C51``-``112C53``): the first row holds ``次の文を読み、51〜53の
問いに答えよ。`` + case + stem, the next rows only their own stem (sometimes new findings first).
The cases below are written for these tests in that layout.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmed_ift.schemas import MCQuestion, Reject
from mmed_ift.sources import bundled_samples_root, get_source
from mmed_ift.sources._case_series import MISSING_CASE, SeriesReader, members, split_stem
from tests.conftest import shared_source
from tests.sources.corrupt import split_results

CASE = (
    "73歳の女性。意識障害のため家人とともに受診した。現病歴：6か月前に肝硬変と診断され利尿薬を処方されていた。"
    "今朝から呼びかけに対する反応が鈍くなった。現　症：傾眠状態だが呼びかけには開眼する。"
    "両上肢に固定姿勢保持困難〈asterixis〉を認める。検査所見：アンモニア170μg/dL（基準18〜48）。"
)
FINDINGS = "検査所見（来院時）：総ビリルビン6.3mg/dL、アルブミン3.0g/dL。腹部造影CTを別に示す。"


def problem(number: int, text: str, answer: str = "a", block: str = "112C") -> dict[str, Any]:
    return {
        "problem_id": f"{block}{number}",
        "problem_text": text,
        "choices": ["けいれん", "頭痛", "動悸", "腹痛", "便秘"],
        "text_only": True,
        "answer": [answer],
        "points": "1",
    }


def series_rows() -> list[dict[str, Any]]:
    return [
        problem(50, "妊婦への説明として適切なのはどれか。2つ選べ。"),
        problem(51, f"次の文を読み、51〜53の問いに答えよ。{CASE}確認すべき症状として最も重要なのはどれか。"),
        problem(52, f"{FINDINGS}次に行うべき検査はどれか。"),
        problem(53, "来院時の血液検査所見から治療適応はないと判断した。その根拠として最も重要なのはどれか。"),
        problem(54, "次の文を読み、54、55の問いに答えよ。84歳の女性。ふらつきがある。最も考えられるのはどれか。"),
        problem(55, "まず減量を検討すべきなのはどれか。"),
        problem(56, "発熱を伴う咳嗽の原因として最も多いのはどれか。"),
    ]


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")


def _read_igakuqa(root: Path) -> dict[str | None, Any]:
    return {result.source_id: result for result in get_source("igakuqa").read(root)}


def test_follow_ups_carry_the_case_in_the_upstream_layout(tmp_path: Path) -> None:
    _write_jsonl(tmp_path / "2018" / "112-C.jsonl", series_rows())
    found = _read_igakuqa(tmp_path)
    assert found["112C51"].question == f"{CASE}\n確認すべき症状として最も重要なのはどれか。"  # declaration dropped
    assert found["112C52"].question == f"{CASE}\n{FINDINGS}次に行うべき検査はどれか。"
    # the third question reads the case and the findings the second question added
    assert found["112C53"].question.startswith(f"{CASE}\n検査所見（来院時）：")
    assert found["112C53"].question.endswith("その根拠として最も重要なのはどれか。")
    assert found["112C55"].question == "84歳の女性。ふらつきがある。\nまず減量を検討すべきなのはどれか。"
    # outside a series nothing changes
    assert found["112C50"].question == "妊婦への説明として適切なのはどれか。2つ選べ。"
    assert found["112C56"].question == "発熱を伴う咳嗽の原因として最も多いのはどれか。"


def test_real_sample_file_with_a_series_appended(tmp_path: Path) -> None:
    """The shared real 2018 C block (30 first rows, no series in them) plus a series: the real
    rows are unchanged, the series' follow-ups get their case."""
    real = shared_source("igakuqa") / "2018"
    target = tmp_path / "2018"
    target.mkdir()
    shutil.copy(real / "112-C_metadata.jsonl", target)
    rows = [json.loads(line) for line in (real / "112-C.jsonl").read_text(encoding="utf-8").splitlines()]
    _write_jsonl(target / "112-C.jsonl", rows + series_rows()[1:4])
    found = _read_igakuqa(tmp_path)
    for row in rows:
        result = found[row["problem_id"]]
        if isinstance(result, MCQuestion):
            assert result.question == row["problem_text"]
    assert found["112C53"].question.startswith(CASE)


def test_a_declaration_without_case_text_is_rejected(tmp_path: Path) -> None:
    rows = [
        problem(60, "次の文を読み、以下の問いに答えよ。診断はどれか。", block="112F"),
        problem(61, "治療はどれか。", block="112F"),
    ]
    _write_jsonl(tmp_path / "2018" / "112-F.jsonl", rows)
    found = _read_igakuqa(tmp_path)
    reject = found["112F60"]
    assert isinstance(reject, Reject) and reject.reason == "missing_case_text"
    assert "112F60" in reject.detail and reject.location == "2018/112-F.jsonl:1"
    assert found["112F61"].question == "治療はどれか。"


def test_igakuqa119_layout(tmp_path: Path) -> None:
    choices = ["a. 経過観察", "b. 抗菌薬", "c. 手術", "d. 輸血", "e. 透析"]
    questions = [
        {"number": "119C61", "question": f"次の文を読み、61、62の問いに答えよ。{CASE}診断はどれか。 ",
         "choices": choices, "has_image": False},
        {"number": "119C62", "question": "治療として適切なのはどれか。", "choices": choices, "has_image": False},
    ]  # fmt: skip
    (tmp_path / "questions").mkdir()
    (tmp_path / "results").mkdir()
    (tmp_path / "questions" / "119C_json.json").write_text(json.dumps(questions, ensure_ascii=False, indent=2))
    (tmp_path / "results" / "correct_answers.csv").write_text("問題番号,解答\n119C61,c\n119C62,b\n", encoding="utf-8")
    found: dict[str | None, Any] = {result.source_id: result for result in get_source("igakuqa119").read(tmp_path)}
    assert found["119C61"].question == f"{CASE}\n診断はどれか。"
    assert found["119C62"].question == f"{CASE}\n治療として適切なのはどれか。"


def test_bundled_sample_series() -> None:
    kept, _ = split_results(list(get_source("igakuqa").read(bundled_samples_root() / "igakuqa")))
    found = {item.source_id: item for item in kept}
    case = found["113A57"].question.split("\n")[0]
    assert case.startswith("58歳の男性。") and "次の文を読み" not in found["113A57"].question
    finding = "腹部超音波検査で総胆管の拡張と総胆管内に音響陰影を伴う高エコー像を認めた。"
    assert found["113A58"].question == f"{case}\n{finding}まず行うべき治療はどれか。"
    assert found["113A59"].question.startswith(f"{case}\n腹部超音波検査で")  # the findings of 58 come along
    assert found["113A59"].question.endswith("再発予防として適切なのはどれか。")


@pytest.mark.parametrize(
    ("span", "expected"),
    [("51〜53", {51, 52, 53}), ("40、41", {40, 41}), ("40 と41", {40, 41}), ("63～65", {63, 64, 65}), ("以下", None)],
)
def test_members(span: str, expected: set[int] | None) -> None:
    assert members(span) == (frozenset(expected) if expected is not None else None)


def test_split_stem_keeps_the_choose_two_sentence() -> None:
    assert split_stem("所見A。所見B。適切なのはどれか。2つ選べ。") == ("所見A。所見B。", "適切なのはどれか。2つ選べ。")
    assert split_stem("解答：①②Torr") == ("", "解答：①②Torr")


_TEXT = st.text(
    alphabet=st.sampled_from(list("次の文を読み、以下問いに答えよ。どれか求めよ0123456789〜症例所見")), max_size=60
)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(_TEXT, max_size=8))
def test_series_reader_never_loses_a_row(texts: list[str]) -> None:
    rows = [(f"f:{index}", {"problem_id": f"112C{index}", "problem_text": text}) for index, text in enumerate(texts)]
    out = list(SeriesReader("problem_text", "problem_id").rows(rows))
    assert [where for where, _ in out] == [where for where, _ in rows]
    for (_, before), (_, after) in zip(rows, out, strict=True):
        assert isinstance(after, dict) and after["problem_id"] == before["problem_id"]
        assert isinstance(after["problem_text"], str)
        if MISSING_CASE not in after and not before["problem_text"].lstrip().startswith("次の文を読み"):
            assert after["problem_text"].endswith(before["problem_text"].strip())
