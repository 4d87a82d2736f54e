"""One evaluation run: read benchmarks, build prompts, score or generate, aggregate.

Kept apart from the CLI so tests, notebooks and the training stages can call :func:`evaluate`
with a model already in memory (``model=...``) instead of a path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mmed_ift.evaluate.backends import GenerationBackend, HFGenerator, OpenAIGenerator
from mmed_ift.evaluate.benchmarks import LoadedBenchmark, load_benchmark, restrict
from mmed_ift.evaluate.catalog import ContinuationKind, PromptStyle
from mmed_ift.evaluate.errors import EvaluationError
from mmed_ift.evaluate.extract import extract_answer
from mmed_ift.evaluate.loglik import LoglikScorer
from mmed_ift.evaluate.prompts import (
    PromptOptions,
    generation_prompt,
    loglik_request,
)
from mmed_ift.evaluate.references import references_for
from mmed_ift.evaluate.results import EvaluationReport, ItemResult, aggregate
from mmed_ift.evaluate.scoring import judge_generation, judge_loglik

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

Method = Literal["loglik", "generate"]
ChatSetting = Literal["auto", "on", "off"]


@dataclass(frozen=True)
class EvalConfig:
    """Everything that decides a result; written into results.json so a run can be repeated."""

    model: str
    benchmarks: tuple[tuple[str, str | None], ...]
    adapter: str | None = None
    languages: tuple[str, ...] = ()
    shots: int = 0
    method: Method = "loglik"
    limit: int | None = None
    data_dir: Path | None = None
    #: None: ``lmeval`` for log-likelihood (harness-comparable), ``recipe`` for generation
    prompt_style: PromptStyle | None = None
    continuation: ContinuationKind = "letter"
    chat_template: ChatSetting = "auto"
    batch_size: int = 8
    max_new_tokens: int = 32
    max_length: int | None = None
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)
    concurrency: int = 4
    seed: int = 0
    dtype: str = "float32"

    @property
    def style(self) -> PromptStyle:
        if self.prompt_style is not None:
            return self.prompt_style
        return "lmeval" if self.method == "loglik" else "recipe"

    def settings(self, chat: bool) -> dict[str, object]:
        shown = {key: value for key, value in asdict(self).items() if key not in {"api_key", "model", "benchmarks"}}
        shown.update(prompt_style=self.style, chat_template=chat)
        shown["data_dir"] = str(self.data_dir) if self.data_dir else None
        return {key: value for key, value in shown.items() if value not in (None, ())}


def load_benchmarks(config: EvalConfig) -> list[LoadedBenchmark]:
    loaded = []
    for name, location in config.benchmarks:
        selected = restrict(load_benchmark(name, location, config.data_dir), config.languages, config.limit)
        if not selected.items:
            log.warning("%s: no items to evaluate in %s for %s", name, selected.location, config.languages or "all")
        loaded.append(selected)
    if not any(bench.items for bench in loaded):
        raise EvaluationError(
            "no benchmark item to evaluate: the files hold no test items for the languages asked"
            " (the bundled samples have few; point --data at real downloads)"
        )
    return loaded


def load_local_model(config: EvalConfig) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The model (``smollm2``, a folder or a Hub id) with its LoRA adapter applied, in eval mode."""
    from mmed_ift.pretrained import load_model

    try:
        model, tokenizer = load_model(config.model, dtype=config.dtype)
    except OSError as error:
        raise EvaluationError(f"cannot load model {config.model!r}: {error}") from None
    if config.adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, config.adapter).merge_and_unload()  # type: ignore[assignment]
    model.eval()  # type: ignore[no-untyped-call]
    return model, tokenizer


def _use_chat(config: EvalConfig, tokenizer: PreTrainedTokenizerBase | None) -> bool:
    if config.chat_template != "auto":
        return config.chat_template == "on"
    if config.method == "loglik":
        return False
    return tokenizer is None or bool(tokenizer.chat_template)


def score_loglik(loaded: Sequence[LoadedBenchmark], scorer: LoglikScorer, options: PromptOptions) -> list[ItemResult]:
    """Every option of every item in one batched pass, then one verdict per item."""
    requests = [
        (bench, item, loglik_request(item, bench.pool, options, scorer.tokenizer))
        for bench in loaded
        for item in bench.items
    ]
    scored = scorer.score_groups([(request.context, request.continuations) for _, _, request in requests])
    results = []
    for (bench, item, request), option_scores in zip(requests, scored, strict=True):
        logprobs = [score.logprob for score in option_scores]
        verdict = judge_loglik(request.keys, request.choices, logprobs, item.answer)
        results.append(
            ItemResult(
                benchmark=bench.benchmark.name,
                lang=item.lang,
                source_id=item.source_id,
                split=item.split,
                location=item.location,
                gold=list(item.answer),
                pred=[verdict.pred],
                correct=verdict.acc,
                prompt=request.context,
                logprobs=dict(zip(request.keys, logprobs, strict=True)),
                pred_norm=verdict.pred_norm,
                correct_norm=verdict.acc_norm,
                pred_bytes=verdict.pred_bytes,
                correct_bytes=verdict.acc_bytes,
            )
        )
    return results


def score_generation(
    loaded: Sequence[LoadedBenchmark], backend: GenerationBackend, options: PromptOptions
) -> list[ItemResult]:
    """Generate for every item, extract the chosen keys, compare with the gold set."""
    prompts = [(bench, item, generation_prompt(item, bench.pool, options)) for bench in loaded for item in bench.items]
    outputs = backend.generate([prompt for _, _, prompt in prompts])
    results = []
    for (bench, item, prompt), output in zip(prompts, outputs, strict=True):
        extracted = extract_answer(output, item.lang, tuple(item.options), item.options)
        results.append(
            ItemResult(
                benchmark=bench.benchmark.name,
                lang=item.lang,
                source_id=item.source_id,
                split=item.split,
                location=item.location,
                gold=list(item.answer),
                pred=extracted,
                correct=judge_generation(extracted, item.answer),
                prompt=prompt.text,
                output=output,
            )
        )
    return results


def evaluate(
    config: EvalConfig,
    *,
    model: PreTrainedModel | None = None,
    tokenizer: PreTrainedTokenizerBase | None = None,
) -> EvaluationReport:
    """Run the evaluation ``config`` describes; pass ``model``/``tokenizer`` to skip loading."""
    if config.method == "loglik" and config.api_base:
        raise EvaluationError("an OpenAI-compatible API gives no option log-likelihoods; use --method generate")
    if config.shots < 0 or (config.limit is not None and config.limit < 1):
        raise EvaluationError("--shots must be >= 0 and --limit >= 1")
    started = time.perf_counter()
    loaded = load_benchmarks(config)
    read_s = time.perf_counter() - started
    if not config.api_base and model is None:
        model, tokenizer = load_local_model(config)
    if model is not None:
        model.eval()  # type: ignore[no-untyped-call]
    chat = _use_chat(config, tokenizer)
    if chat and tokenizer is not None and not tokenizer.chat_template:
        raise EvaluationError(f"{config.model} has no chat template; use --chat-template off")
    options = PromptOptions(config.style, config.continuation, chat, config.shots, config.seed)
    scoring_started = time.perf_counter()
    if config.method == "loglik":
        assert model is not None and tokenizer is not None
        scorer = LoglikScorer(model, tokenizer, batch_size=config.batch_size, max_length=config.max_length)
        items = score_loglik(loaded, scorer, options)
    else:
        backend: GenerationBackend
        if config.api_base:
            backend = OpenAIGenerator(
                config.model,
                base_url=config.api_base,
                api_key=config.api_key,
                max_new_tokens=config.max_new_tokens,
                concurrency=config.concurrency,
            )
        else:
            assert model is not None and tokenizer is not None
            backend = HFGenerator(model, tokenizer, batch_size=config.batch_size, max_new_tokens=config.max_new_tokens)
        items = score_generation(loaded, backend, options)
    scoring_s = time.perf_counter() - scoring_started
    model_name = config.model + (f" + {config.adapter}" if config.adapter else "")
    return EvaluationReport(
        model=model_name,
        method=config.method,
        settings=config.settings(chat),
        rows=aggregate(items, config.method),
        items=items,
        references=references_for({bench.benchmark.name for bench in loaded}),
        sources={bench.benchmark.name: bench.location for bench in loaded},
        timings={
            "read_s": round(read_s, 3),
            "scoring_s": round(scoring_s, 3),
            "items_per_s": round(len(items) / scoring_s, 3) if scoring_s else 0.0,
        },
    )
