"""The LLM generator against the fake OpenAI-compatible server: every fault, cache, concurrency.

The real ``openai`` client sends real HTTP to ``tests/generate/fake_openai_server.py`` on
127.0.0.1; nothing in the request path is mocked.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from mmed_ift.errors import BuildError
from mmed_ift.generate import template
from mmed_ift.generate.llm import LLMConfig, generate_llm_samples, usage_details
from mmed_ift.pipeline.report import BuildReport
from mmed_ift.schemas import Item, MCQuestion, Passage, QAPair, Reject, Sample
from tests.generate.fake_openai_server import FakeOpenAI

QUESTION = (
    "A 55-year-old man with type 2 diabetes has an HbA1c of 8.5% after three months of diet and exercise."
    " Which drug is the usual first choice?"
)
OPTIONS = {"A": "Metformin", "B": "Insulin glargine", "C": "Glipizide", "D": "Acarbose"}
JA_QUESTION = "55歳の男性。食事療法と運動療法を3か月続けたが、HbA1cは8.5%である。第一選択薬として最も適切なのはどれか。"
JA_OPTIONS = {"A": "メトホルミン", "B": "インスリン", "C": "スルホニル尿素薬", "D": "α-グルコシダーゼ阻害薬"}
QA_QUESTION = "What is hypertension?"
QA_ANSWER = "Hypertension is a blood pressure of 140/90 mmHg or higher, measured on two separate occasions."
QA_ANSWER_JA = "高血圧とは、別々の2回の機会に測定した血圧が140/90 mmHg以上であることをいいます。"
QA_QUESTION_JA = "高血圧とはどのような状態のことですか？"


def _licensed(item: Any) -> Any:
    """The item as an adapter stamps it (tests build items by hand)."""
    return item.model_copy(update={"license": "CC-BY-4.0"})


def _licensed_all(items: Any) -> Any:
    return [_licensed(item) for item in items]


def _license(_: str) -> str:
    return "MIT"


def mc(marker: str = "", source_id: str = "q1") -> MCQuestion:
    return MCQuestion(
        source="medqa",
        source_id=source_id,
        lang="en",
        split="train",
        question=f"{QUESTION} {marker}".strip(),
        options=OPTIONS,
        answer=["A"],
    )


def ja_mc(marker: str = "") -> MCQuestion:
    return MCQuestion(
        source="igakuqa",
        source_id="ja1",
        lang="ja",
        split="train",
        question=f"{JA_QUESTION} {marker}".strip(),
        options=JA_OPTIONS,
        answer=["A"],
    )


def qa(marker: str = "") -> QAPair:
    return QAPair(
        source="medquad",
        source_id="qa1",
        lang="en",
        split="train",
        question=QA_QUESTION,
        answer=f"{QA_ANSWER} {marker}".strip(),
    )


def run(
    fake: FakeOpenAI,
    items: list[Item],
    tmp_path: Path,
    languages: tuple[str, ...] = ("en",),
    **options: Any,
) -> tuple[list[Sample], list[Reject], dict[str, Any]]:
    settings: dict[str, Any] = {
        "base_url": fake.base_url,
        "model": "fake-model",
        "cache_path": str(tmp_path / "cache.sqlite"),
        "tasks": ("rationale", "knowledge"),
        "knowledge_styles": ("explain",),
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.05,
        "timeout_s": 5.0,
    }
    settings.update(options)
    config = LLMConfig(**settings)
    report = BuildReport()
    samples_in = [sample for item in items for sample in template.generate(_licensed(item))]
    _result = generate_llm_samples(_licensed_all(items), samples_in, config, languages)
    samples, rejects = _result.samples, _result.rejects
    report.step("generate").extra["openai"] = usage_details(_result.stats, config, _result.elapsed_s)
    return samples, rejects, report.step("generate").extra["openai"]


def test_rationale_sample_is_valid_and_goes_to_the_mc_dataset(fake: FakeOpenAI, tmp_path: Path) -> None:
    samples, rejects, details = run(fake, [mc(), ja_mc()], tmp_path)
    assert rejects == []
    assert [(s.task, s.lang, s.dataset) for s in samples] == [("rationale", "en", "mc"), ("rationale", "ja", "mc")]
    english = samples[0].messages[1].content
    assert english.startswith("Answer: A\n\nExplanation: Metformin")
    assert "B. Insulin glargine: " in english and "D. Acarbose: " in english
    assert samples[1].messages[1].content.startswith("答え：A")
    own = template.generate(_licensed(mc()))[0].messages[0].content
    llm_prompt = samples[0].messages[0].content
    assert llm_prompt != own, "the LLM rationale never shares the template sample's prompt"
    assert llm_prompt.split("\n", 1)[1] == own.split("\n", 1)[1], "only the instruction differs"
    assert "解説：" in samples[1].messages[1].content and "解説： " not in samples[1].messages[1].content
    provenance = samples[0].provenance
    assert (provenance.generator, provenance.model, provenance.prompt_version) == (
        "openai",
        "fake-model",
        "rationale-v1",
    )
    assert details["requests_sent"] == 2 and details["cache_hits"] == 0
    assert details["usage"]["prompt_tokens"] > 0 and details["usage"]["completion_tokens"] > 0


def test_rerun_is_served_from_cache_and_sends_nothing(fake: FakeOpenAI, tmp_path: Path) -> None:
    first, _, details1 = run(fake, [mc(), qa()], tmp_path)
    sent = len(fake.requests)
    assert sent == details1["requests_sent"] == 2
    second, _, details2 = run(fake, [mc(), qa()], tmp_path)
    assert len(fake.requests) == sent, "a rerun must not send any request"
    assert details2["requests_sent"] == 0 and details2["cache_hits"] == 2
    assert [s.model_dump_json() for s in second] == [s.model_dump_json() for s in first]
    assert details2["usage"]["cached_prompt_tokens"] == details1["usage"]["prompt_tokens"]


@pytest.mark.parametrize(
    ("fault", "cause"), [("429", "rate_limited"), ("500", "server_error"), ("503", "server_error")]
)
def test_http_errors_are_retried(fake: FakeOpenAI, tmp_path: Path, fault: str, cause: str) -> None:
    samples, rejects, details = run(fake, [mc(f"[[fault:{fault}*2]]")], tmp_path)
    assert rejects == [] and len(samples) == 1
    assert fake.count(status=int(fault)) == 2
    assert details["retries_by_cause"] == {cause: 2}
    assert details["requests_sent"] == 3


def test_retry_after_is_honoured(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.retry_after_s = 0.4
    started = time.perf_counter()
    samples, _, _ = run(fake, [mc("[[fault:429*1]]")], tmp_path)
    assert len(samples) == 1
    assert time.perf_counter() - started >= 0.4


def test_timeouts_are_retried(fake: FakeOpenAI, tmp_path: Path) -> None:
    samples, rejects, details = run(fake, [mc("[[fault:delay=1.5*1]]")], tmp_path, timeout_s=0.5)
    assert rejects == [] and len(samples) == 1
    assert details["retries_by_cause"] == {"timeout": 1}


@pytest.mark.parametrize("fault", ["drop", "badbody"])
def test_dropped_connections_and_cut_bodies_are_retried(fake: FakeOpenAI, tmp_path: Path, fault: str) -> None:
    samples, rejects, details = run(fake, [mc(f"[[fault:{fault}*2]]")], tmp_path)
    assert rejects == [] and len(samples) == 1
    assert fake.count(fault=fault) == 2
    assert details["retries_by_cause"] == {"connection": 2}


def test_truncated_json_is_retried_with_the_problem_shown(fake: FakeOpenAI, tmp_path: Path) -> None:
    samples, rejects, details = run(fake, [mc("[[fault:truncate*1]]")], tmp_path)
    assert rejects == [] and len(samples) == 1
    assert details["output_retries"] == 1
    repair = fake.requests[-1].body["messages"]
    assert [m["role"] for m in repair] == ["system", "user", "assistant", "user"]
    assert "never closes" in repair[-1]["content"] or "cut off" in repair[-1]["content"]


def test_persistently_malformed_output_is_rejected_with_reason(fake: FakeOpenAI, tmp_path: Path) -> None:
    samples, rejects, details = run(fake, [mc("[[fault:truncate*9]]")], tmp_path, max_output_retries=2)
    assert samples == []
    assert [(r.stage, r.reason, r.source_id) for r in rejects] == [("generate", "rationale:truncated_json", "q1")]
    assert "after 3 attempts" in rejects[0].detail
    assert details["requests_sent"] == 3


def test_wrong_answer_and_wrong_language_are_retried_then_accepted(fake: FakeOpenAI, tmp_path: Path) -> None:
    samples, rejects, details = run(fake, [mc("[[fault:wrong_answer*1]]"), ja_mc("[[fault:wrong_lang*1]]")], tmp_path)
    assert rejects == [] and len(samples) == 2
    assert details["output_retries"] == 2
    shown = [r.body["messages"][-1]["content"] for r in fake.requests if len(r.body["messages"]) == 4]
    assert any("key is ['A']" in text for text in shown)
    assert any("expected ja" in text for text in shown)


def test_retries_exhausted_reject_instead_of_failing_the_build(fake: FakeOpenAI, tmp_path: Path) -> None:
    samples, rejects, details = run(fake, [mc("[[fault:500*99]]"), qa()], tmp_path, max_retries=2)
    assert [r.reason for r in rejects] == ["rationale:request_failed"]
    assert "server_error" in rejects[0].detail
    assert [s.task for s in samples] == ["knowledge_explain"]
    assert details["failures_by_cause"] == {"server_error": 1}


def test_unsupported_json_schema_falls_back_and_is_remembered(fake: FakeOpenAI, tmp_path: Path) -> None:
    samples, rejects, details = run(fake, [mc("[[fault:schema400*1]]")], tmp_path)
    assert rejects == [] and len(samples) == 1
    assert details["response_format"] == "json_object"
    assert [r.status for r in fake.requests] == [400, 400, 200]
    assert fake.requests[1].body["response_format"]["type"] == "json_object"
    assert "schema" in fake.requests[1].body["response_format"]
    assert fake.requests[2].body["response_format"] == {"type": "json_object"}
    assert details["retries_by_cause"] == {}
    # The rerun starts from what the cache learnt, so it sends nothing at all.
    _, _, again = run(fake, [mc("[[fault:schema400*1]]")], tmp_path)
    assert again["requests_sent"] == 0 and len(fake.requests) == 3


def test_llama_cpp_style_500_on_json_schema_steps_down_to_json_object_with_schema(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    items: list[Item] = [mc(f"[[fault:llamacpp500*1]] [[n{index}]]", source_id=f"q{index}") for index in range(6)]
    samples, rejects, details = run(fake, items, tmp_path, concurrency=6)
    assert rejects == [] and len(samples) == 6
    # Six requests were refused at once; the mode stepped down once, not three times.
    assert details["response_format"] == "json_object_schema"
    accepted = [r for r in fake.requests if r.status == 200]
    assert all(r.body["response_format"]["type"] == "json_object" and "schema" in r.body["response_format"]
               for r in accepted)  # fmt: skip
    assert details["retries_by_cause"] == {}, "a refused format is not a transient server error"


def test_concurrency_is_bounded(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.delay_s = 0.15
    items: list[Item] = [mc(source_id=f"q{index}", marker=f"[[n{index}]]") for index in range(16)]
    samples, _, details = run(fake, items, tmp_path, concurrency=4)
    assert len(samples) == 16
    assert fake.max_in_flight == 4, "4 requests at a time: never more, and really concurrent"
    assert details["max_in_flight"] == 4


def test_max_requests_caps_what_is_sent(fake: FakeOpenAI, tmp_path: Path) -> None:
    items: list[Item] = [mc(source_id=f"q{index}", marker=f"[[n{index}]]") for index in range(5)]
    samples, rejects, details = run(fake, items, tmp_path, max_requests=3, concurrency=1)
    assert len(fake.requests) == 3 and len(samples) == 3
    assert details["refused_by_max_requests"] == 2
    assert [r.reason for r in rejects] == ["rationale:max_requests_reached"] * 2
    # A second run with a fresh budget sends only the two that are missing.
    samples2, rejects2, details2 = run(fake, items, tmp_path, max_requests=3, concurrency=1)
    assert len(samples2) == 5 and rejects2 == []
    assert details2["requests_sent"] == 2 and details2["cache_hits"] == 3


def test_request_rate_limit_spaces_requests(fake: FakeOpenAI, tmp_path: Path) -> None:
    items: list[Item] = [mc(source_id=f"q{index}", marker=f"[[n{index}]]") for index in range(4)]
    started = time.perf_counter()
    # 300 per minute = one every 0.2 s, with a burst of one request: 4 requests need >= 0.6 s.
    samples, _, details = run(fake, items, tmp_path, requests_per_minute=300.0, rate_burst_s=0.2)
    assert len(samples) == 4
    assert time.perf_counter() - started >= 0.6
    assert details["rate_limit_wait_s"] >= 0.5


def test_token_rate_limit_spaces_requests(fake: FakeOpenAI, tmp_path: Path) -> None:
    items: list[Item] = [mc(source_id=f"q{index}", marker=f"[[n{index}]]") for index in range(3)]
    started = time.perf_counter()
    # Each request reserves its prompt estimate + max_tokens (about 500 + 100); 60k tokens per
    # minute is 1k per second, and a burst of 0.5 s lets only one request out at a time.
    samples, _, details = run(fake, items, tmp_path, tokens_per_minute=60_000.0, rate_burst_s=0.5, max_tokens=100)
    assert len(samples) == 3
    assert details["rate_limit_wait_s"] > 0.2
    assert time.perf_counter() - started >= 0.3


def test_identical_requests_in_flight_are_sent_once(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.delay_s = 0.2
    twin = mc()
    samples, _, details = run(fake, [twin, twin.model_copy(update={"source_id": "q2"})], tmp_path)
    # Same question, options and key: the same request; its reply serves both items.
    assert len(fake.requests) == 1
    assert details["coalesced"] + details["cache_hits"] == 1
    assert len({s.id for s in samples}) == 2


def test_wrong_api_key_stops_the_build_naming_the_variable(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.require_key = "sk-right"
    monkeypatch.setenv("MY_KEY", "sk-wrong-0123456789")
    with pytest.raises(BuildError) as error:
        run(fake, [mc()], tmp_path, api_key_env="MY_KEY")
    assert "$MY_KEY" in str(error.value)
    assert "sk-wrong" not in str(error.value)
    assert fake.requests[0].authorization == "Bearer sk-wrong-0123456789"


def test_wrong_base_url_is_a_clear_error(fake: FakeOpenAI, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="404"):
        run(fake, [mc()], tmp_path, base_url=fake.base_url.removesuffix("/v1") + "/nope")


def test_knowledge_and_translate_with_checks(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.translations = {
        QA_QUESTION: {"ja": QA_QUESTION_JA},
        QA_ANSWER: {"ja": QA_ANSWER_JA, "fr": "L'hypertension est une pression de 140/90 mmHg ou plus."},
    }
    passage = Passage(
        source="wikipedia",
        source_id="en/1",
        lang="en",
        split="train",
        title="Hypertension",
        text=QA_ANSWER,
    )
    samples, rejects, details = run(
        fake,
        [qa(), passage],
        tmp_path,
        languages=("en", "ja", "fr"),
        tasks=("knowledge", "translate"),
        knowledge_styles=("explain", "differential_diagnosis"),
    )
    tasks = sorted((s.task, s.lang) for s in samples)
    # The template QA sample translates into ja (both turns known); fr lacks the question:
    # the fake returns English, so language ID rejects it.  Knowledge samples have no known
    # translation either.
    assert ("translate_qa", "ja") in tasks
    assert ("knowledge_explain", "en") in tasks
    translated = next(s for s in samples if s.task == "translate_qa")
    assert translated.dataset == "ift" and translated.messages[1].content == QA_ANSWER_JA
    assert translated.provenance.prompt_version == "translate-v1"
    reasons = {r.reason for r in rejects}
    assert "knowledge:not_applicable" in reasons
    assert "translate:wrong_language" in reasons
    assert details["tasks"]["translate"]["accepted"] >= 1


def test_translation_that_changes_a_number_is_rejected(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.translations = {
        QA_QUESTION: {"ja": QA_QUESTION_JA},
        QA_ANSWER: {"ja": QA_ANSWER_JA.replace("140/90", "150/90")},
    }
    samples, rejects, _ = run(fake, [qa()], tmp_path, languages=("en", "ja"), tasks=("translate",))
    assert samples == []
    assert [r.reason for r in rejects] == ["translate:number_mismatch"]
    assert "140" in rejects[0].detail and rejects[0].lang == "ja"


def test_judge_rejects_unfaithful_samples_with_its_reason(fake: FakeOpenAI, tmp_path: Path) -> None:
    samples, rejects, details = run(
        fake, [mc(), mc("[[unfaithful]]", source_id="q2")], tmp_path, tasks=("rationale", "judge")
    )
    assert [s.provenance.source_id for s in samples] == ["q1"]
    assert [r.reason for r in rejects] == ["judge:low_score"]
    assert "invented dose" in rejects[0].detail and rejects[0].source_id == "q2"
    assert details["tasks"]["judge"]["jobs"] == 2


def test_price_table_gives_cost(fake: FakeOpenAI, tmp_path: Path) -> None:
    config = LLMConfig(
        base_url=fake.base_url,
        model="fake-model",
        cache_path=str(tmp_path / "c.sqlite"),
        tasks=("rationale",),
        prices={"fake-model": {"prompt": 1.0, "completion": 2.0}},
    )
    report = BuildReport()
    result = generate_llm_samples(_licensed_all([mc()]), [], config, ("en",))
    report.step("generate").extra["openai"] = usage_details(result.stats, config, result.elapsed_s)
    details = report.step("generate").extra["openai"]
    usage = details["usage"]
    expected = (usage["prompt_tokens"] * 1.0 + usage["completion_tokens"] * 2.0) / 1e6
    assert details["cost"]["this_run_usd"] == pytest.approx(expected, abs=1e-6)
