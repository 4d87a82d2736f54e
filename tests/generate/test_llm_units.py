"""Unit tests of the LLM generator's pure parts: parsing, checks, cache, rate limits, prompts."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sqlite3
import time
from pathlib import Path

import pytest

from mmed_ift.generate import checks
from mmed_ift.generate.cache import CachedResponse, RequestCache, encode, key_of, request_key, request_text
from mmed_ift.generate.parsing import OutputError, extract_json, parse_output
from mmed_ift.generate.prompts import knowledge, output_schema, rationale, translate
from mmed_ift.generate.ratelimit import TokenBucket, backoff_delay
from mmed_ift.generate.replies import estimate_tokens
from mmed_ift.generate.transport import request_body
from mmed_ift.languages import LANGUAGE_CODES

# -- tolerant parsing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        '{"answer": ["A"], "explanation": "x", "distractors": []}',
        'Sure! Here it is:\n```json\n{"answer": ["A"], "explanation": "x", "distractors": []}\n```',
        'Result: {"answer": ["A"], "explanation": "x", "distractors": [],} Hope that helps.',
        '```\n{"answer": "a", "explanation": "x", "distractors": []}\n```',
    ],
)
def test_parse_output_accepts_fenced_embedded_and_sloppy_json(reply: str) -> None:
    output = parse_output(reply, rationale.RationaleOutput)
    assert output.answer == ["A"]
    assert output.explanation == "x"


def test_braces_inside_strings_do_not_confuse_extraction() -> None:
    assert extract_json('note {"a": "curly } inside", "b": 1} tail') == {"a": "curly } inside", "b": 1}


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ('{"answer": ["A"], "explanation": "cut', "truncated_json"),
        ("no json here at all", "malformed_json"),
        ("", "empty_output"),
        ('{"answer": ["A"]}', "schema_mismatch"),
        ('{"answer": ["A"], "explanation": "x", "distractors": [], "extra": 1}', "schema_mismatch"),
        ("[1, 2]", "malformed_json"),
    ],
)
def test_unusable_replies_raise_with_countable_reason(reply: str, reason: str) -> None:
    with pytest.raises(OutputError) as error:
        parse_output(reply, rationale.RationaleOutput)
    assert error.value.reason == reason
    assert error.value.detail


@pytest.mark.parametrize(
    ("answer", "keys"),
    [
        ("c, a", ["A", "C"]),
        ("A", ["A"]),
        (["A. Metformin"], ["A"]),
        (["(b)"], ["B"]),
        ("A、C", ["A", "C"]),
        ("A C", ["A", "C"]),
        (["Metformin"], ["METFORMIN"]),
    ],
)
def test_answer_keys_are_normalised(answer: object, keys: list[str]) -> None:
    output = rationale.RationaleOutput.model_validate(
        {"answer": answer, "explanation": "x", "distractors": [{"option": "b.", "why_wrong": "y"}]}
    )
    assert output.answer == keys
    assert output.distractors[0].option == "B"


# -- numbers, units, language ------------------------------------------------------------------


def test_numbers_are_canonicalised_across_conventions() -> None:
    assert checks.numbers("5,000 IU and 0.5 mg") == checks.numbers("5 000 UI et 0,5 mg".replace(" ", "\u00a0", 1))
    assert checks.numbers("２５ mg") == checks.numbers("25 mg")


def test_quantities_recognise_units_in_every_language() -> None:
    expected = {("500", "mg"): 1}
    for text in ("500 mg", "500 мг", "500毫克", "500mg", "５００ｍｇ"):
        assert dict(checks.quantities(text)) == expected, text
    assert dict(checks.quantities("38.5℃, 120/80 mmHg, 10 %")) == {("38.5", "°C"): 1, ("80", "mmHg"): 1, ("10", "%"): 1}


def test_translation_keeping_numbers_and_units_passes() -> None:
    checks.check_numbers_kept("Take 500 mg of metformin twice daily.", "メトホルミン500 mgを1日2回服用する。")
    checks.check_numbers_kept("Take 500 mg twice daily.", "Принимать 500 мг два раза в день.")


@pytest.mark.parametrize(
    ("translation", "reason"),
    [
        ("Prendre 50 mg de metformine.", "number_mismatch"),
        ("Prendre 500 g de metformine.", "unit_mismatch"),
        ("Prendre 500 mg de metformine avec 10 mg de sucre.", "unit_mismatch"),
    ],
)
def test_changed_numbers_or_units_are_caught(translation: str, reason: str) -> None:
    with pytest.raises(OutputError) as error:
        checks.check_numbers_kept("Take 500 mg of metformin.", translation)
    assert error.value.reason == reason


def test_repeating_a_stated_dose_is_not_inventing_one() -> None:
    source = "Glucose above 180 mg/dL is high."
    checks.check_no_invented_quantities(source, f"Is 180 mg/dL high?\n{source}")
    checks.check_numbers_kept("Give 5 mg, then 5 mg again.", "Donner 5 mg deux fois.")


def test_han_only_text_is_not_called_the_wrong_one_of_ja_and_zh() -> None:
    # A kanji-only Japanese title reads as Chinese to any detector; it is not evidence.
    checks.check_language("explain: 急性心筋梗塞 慢性心不全 糖尿病性腎症", "ja")
    with pytest.raises(OutputError, match="wrong_language"):
        checks.check_language("这个病人有严重的高血压，需要立即住院治疗并监测血压。", "ja")


def test_invented_quantities_are_caught() -> None:
    checks.check_no_invented_quantities("Give 5 mg of drug X.", "Patients get 5 mg.")
    with pytest.raises(OutputError, match="unsupported_quantity"):
        checks.check_no_invented_quantities("Give drug X.", "Patients get 50 mg.")


def test_language_check_rejects_confidently_wrong_language_only() -> None:
    checks.check_language("患者は毎日メトホルミンを内服しており、血糖値は安定している。", "ja")
    checks.check_language("Short.", "ja")  # too short to judge
    with pytest.raises(OutputError, match="wrong_language"):
        checks.check_language("The patient takes metformin every day and the glucose level is stable.", "ja")
    with pytest.raises(OutputError, match="wrong_language"):
        checks.check_language("Le patient prend de la metformine tous les jours depuis trois ans.", "es")


# -- cache -------------------------------------------------------------------------------------


def test_request_key_depends_on_every_part_and_not_on_dict_order() -> None:
    messages = [{"role": "user", "content": "hi"}]
    base = request_key("m", messages, {"temperature": 0, "max_tokens": 5}, "v1")
    assert base == request_key("m", messages, {"max_tokens": 5, "temperature": 0}, "v1")
    assert base != request_key("m2", messages, {"temperature": 0, "max_tokens": 5}, "v1")
    assert base != request_key("m", [{"role": "user", "content": "hi!"}], {"temperature": 0, "max_tokens": 5}, "v1")
    assert base != request_key("m", messages, {"temperature": 0.5, "max_tokens": 5}, "v1")
    assert base != request_key("m", messages, {"temperature": 0, "max_tokens": 5}, "v2")


def test_cache_survives_reopening_and_is_readable_by_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = RequestCache(path)
    response = CachedResponse('{"a": 1}', "stop", 10, 3)
    cache.put("k1", model="m", prompt_version="v", request={"messages": []}, response=response)
    cache.set_meta("response_format:m", "json_object")
    # Another connection sees the row at once: it was committed by put().
    rows = sqlite3.connect(path).execute("SELECT key, content FROM responses").fetchall()
    assert rows == [("k1", '{"a": 1}')]
    cache.close()
    reopened = RequestCache(path)
    assert reopened.get("k1") == response
    assert "k1" in reopened and "k2" not in reopened
    assert reopened.get_meta("response_format:m") == "json_object"
    assert len(reopened) == 1
    reopened.close()


def _whole_payload_key(model: str, messages: list[dict[str, str]], params: dict[str, object], version: str) -> str:
    """How keys were computed before the client encoded messages and parameters apart: every
    cache written then must still answer."""
    payload = json.dumps(
        {"model": model, "messages": messages, "params": params, "prompt_version": version},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def test_request_key_is_the_hash_of_the_whole_payload() -> None:
    messages = [
        {"role": "system", "content": 'Réponds en JSON « strict » "quoted" \n 中文'},
        {"role": "user", "content": "ß"},
    ]
    schema = output_schema(rationale.RationaleOutput)
    params: dict[str, object] = {
        "temperature": 0.0,
        "max_tokens": 7,
        "seed": 0,
        "response_format": {"type": "json_schema", "json_schema": {"name": "R", "schema": schema}},
    }
    extras: list[tuple[str, str, dict[str, object]]] = [
        ("m", "v1", {}),
        ("模型", "r2", {"attempt": 2}),
        ("m", "", {"top_p": 1.0}),
    ]
    for model, version, extra in extras:
        both = {**params, **extra}
        assert request_key(model, messages, both, version) == _whole_payload_key(model, messages, both, version)
        assert key_of(model, encode(messages), encode(both), version) == _whole_payload_key(
            model, messages, both, version
        )
    assert json.loads(request_text(encode(messages), encode(params))) == {"messages": messages, "params": params}


def test_request_body_is_the_messages_the_model_and_the_parameters() -> None:
    messages = [{"role": "user", "content": 'é " }'}]
    params = {"temperature": 0.0, "response_format": {"type": "json_object"}}
    body = request_body("m", encode(messages), encode(params))
    assert json.loads(body.decode("utf-8")) == {"messages": messages, "model": "m", **params}
    assert json.loads(request_body("m", encode(messages), encode({}))) == {"messages": messages, "model": "m"}


def test_cache_commits_the_puts_of_one_loop_turn_together(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    response = CachedResponse('{"a": 1}', "stop", 10, 3)

    def committed() -> list[str]:
        with sqlite3.connect(path) as other:
            return [row[0] for row in other.execute("SELECT key FROM responses ORDER BY key")]

    async def main() -> tuple[list[str], list[str], bool]:
        cache = RequestCache(path)
        cache.put("k1", model="m", prompt_version="v", request={"messages": []}, response=response)
        cache.put("k2", model="m", prompt_version="v", request='{"messages":[],"params":{}}', response=response)
        seen_here = cache.get("k2") == response  # this connection sees its own puts at once
        during = committed()  # another connection does not, until the loop turns
        await asyncio.sleep(0)
        after = committed()
        cache.put("k3", model="m", prompt_version="v", request={"messages": []}, response=response)
        cache.close()  # commits what is left
        return during, after, seen_here

    during, after, seen_here = asyncio.run(main())
    assert seen_here and during == [] and after == ["k1", "k2"]
    assert committed() == ["k1", "k2", "k3"]
    with sqlite3.connect(path) as other:
        assert (
            other.execute("SELECT request FROM responses WHERE key = 'k2'").fetchone()[0]
            == '{"messages":[],"params":{}}'
        )


@pytest.mark.parametrize(
    "text", ["", "plain ascii text", "中文和English混合", "日本語のテキスト", "émigré ß", "😀 emoji ⺀"]
)
def test_token_estimate_counts_wide_characters_as_one_token(text: str) -> None:
    wide = sum(1 for char in text if ord(char) >= 0x2E80)
    assert estimate_tokens(text) == wide + (len(text) - wide + 3) // 4


@pytest.mark.parametrize("text", ["", "short", "a" * 19, "a" * 20, "1234567890 " * 5 + "abc", "中" * 25, "x1" * 30])
def test_language_check_skips_exactly_the_texts_with_too_few_letters(text: str) -> None:
    letters = sum(1 for char in text if char.isalpha())
    assert checks._has_letters(text, checks.MIN_LANGID_CHARS) == (letters >= checks.MIN_LANGID_CHARS)


# -- rate limits and backoff -------------------------------------------------------------------


def test_token_bucket_waits_for_refill() -> None:
    bucket = TokenBucket(rate_per_minute=60)  # one per second, burst 60
    now = time.monotonic()
    assert bucket.wait_time(60, now) == 0
    bucket.take(60)
    assert bucket.wait_time(1, now) == pytest.approx(1.0, rel=0.01)
    assert bucket.wait_time(1, now + 1.0) == pytest.approx(0.0, abs=1e-6)
    # a request bigger than the whole bucket is allowed once the bucket is full again
    assert bucket.wait_time(1000, now + 61) == 0


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    rng = random.Random(0)
    delays = [backoff_delay(attempt, base_s=1.0, max_s=8.0, rng=rng) for attempt in range(6)]
    for attempt, delay in enumerate(delays):
        step = min(8.0, 2.0**attempt)
        assert step / 2 <= delay <= step
    assert len({round(delay, 6) for delay in delays}) == len(delays)  # jitter: no two equal
    assert backoff_delay(0, base_s=1.0, max_s=8.0, rng=rng, retry_after_s=5.0) >= 5.0
    assert backoff_delay(0, base_s=1.0, max_s=8.0, rng=rng, retry_after_s=20.0) == 20.0
    assert backoff_delay(0, base_s=1.0, max_s=8.0, rng=rng, retry_after_s=5000.0) == 300.0


# -- prompts -----------------------------------------------------------------------------------


def test_every_task_has_a_template_per_language_and_a_version() -> None:
    assert set(rationale.TEMPLATES) == set(LANGUAGE_CODES)
    assert set(knowledge.TEMPLATES) == set(LANGUAGE_CODES)
    assert all(set(styles) == set(knowledge.STYLES) for styles in knowledge.TEMPLATES.values())
    assert set(translate.TEMPLATES) == set(LANGUAGE_CODES) - {"en"}
    for version in (rationale.VERSION, knowledge.VERSION, translate.VERSION):
        assert version.endswith("-v1")


def test_rendered_prompt_carries_the_output_schema() -> None:
    messages = rationale.TEMPLATES["ja"].render(
        rationale.RationaleOutput, question="Q", options="A. a\nB. b", key_label="正解", keys="A"
    )
    assert [message["role"] for message in messages] == ["system", "user"]
    schema = json.loads(messages[0]["content"].split("\n")[-1])
    assert schema["title"] == "RationaleOutput"
    assert messages[1]["content"].endswith("正解: A")
