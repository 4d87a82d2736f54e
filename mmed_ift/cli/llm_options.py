"""The ``build`` flags of the LLM generator (``--generator openai``) and the :class:`LLMConfig` they make."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from mmed_ift.cli.options import utf8_path
from mmed_ift.errors import BuildError
from mmed_ift.generate.options import DEFAULT_TASKS, FORMAT_MODES, KNOWLEDGE_STYLES, LLM_MODES, TASKS

if TYPE_CHECKING:
    from mmed_ift.generate.llm import LLMConfig


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def add_llm_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``build`` flags of the LLM generator (used with ``--generator openai``)."""
    group = parser.add_argument_group(
        "LLM generator (--generator openai)",
        "Any OpenAI-compatible server: OpenAI, vLLM, Ollama, llama.cpp's server, TGI. The API key is read from"
        " the environment variable --api-key-env names and is never printed or written.",
    )
    group.add_argument("--base-url", default=None, help="server URL, e.g. http://127.0.0.1:8000/v1")
    group.add_argument("--model", default=None, help="model name as the server knows it")
    group.add_argument("--api-key-env", default="OPENAI_API_KEY", help="environment variable holding the API key")
    group.add_argument(
        "--tasks",
        type=_csv,
        default=",".join(DEFAULT_TASKS),
        help=f"comma-separated, from {','.join(TASKS)} (default: %(default)s)",
    )
    group.add_argument(
        "--knowledge-styles",
        type=_csv,
        default=",".join(KNOWLEDGE_STYLES),
        help="comma-separated knowledge styles (default: %(default)s)",
    )
    group.add_argument(
        "--translate-to", type=_csv, default=None, help="target languages (default: the built languages except en)"
    )
    group.add_argument("--temperature", type=float, default=0.0)
    group.add_argument("--top-p", type=float, default=1.0)
    group.add_argument("--max-tokens", type=int, default=1024, help="per reply (default: %(default)s)")
    group.add_argument("--seed", type=int, default=0, help="sampling seed sent to the server")
    group.add_argument(
        "--response-format", choices=["auto", *FORMAT_MODES], default="auto", help="structured output mode"
    )
    group.add_argument("--concurrency", type=int, default=8, help="requests in flight at once (default: %(default)s)")
    group.add_argument("--rpm", type=float, default=None, help="requests per minute limit")
    group.add_argument("--tpm", type=float, default=None, help="tokens per minute limit")
    group.add_argument("--request-timeout", type=float, default=120.0, help="seconds per request")
    group.add_argument("--max-retries", type=int, default=6, help="retries on 429/5xx/timeouts/dropped connections")
    group.add_argument("--max-output-retries", type=int, default=2, help="retries of malformed or failing replies")
    group.add_argument("--max-requests", type=int, default=None, help="send at most N requests (cache hits are free)")
    group.add_argument("--llm-cache", default=None, help="request cache file (default: <out>.llm-cache.sqlite)")
    group.add_argument("--judge-threshold", type=int, default=4, help="minimum judge score, 1-5")
    group.add_argument("--price-table", type=utf8_path, default=None, help='JSON {"model": {"prompt": usd/1M, ...}}')
    group.add_argument("--dry-run", action="store_true", help="print the number of requests and tokens; send none")
    group.add_argument(
        "--llm-mode",
        choices=LLM_MODES,
        default="online",
        help="online: one HTTP request each; batch: OpenAI Batch API jobs (/v1/files + /v1/batches, also"
        " vLLM's run-batch input format), resumable after a kill (default: %(default)s)",
    )
    group.add_argument("--batch-poll", type=float, default=10.0, help="seconds before the first poll of a batch")
    group.add_argument("--batch-max-poll", type=float, default=300.0, help="longest wait between polls (backoff)")
    group.add_argument("--batch-size", type=int, default=50_000, help="requests per batch input file (max 50,000)")
    group.add_argument("--batch-window", default="24h", help="completion window asked of the Batch API")
    group.add_argument(
        "--batch-max-failures", type=int, default=3, help="batches a request may fail in before its job is rejected"
    )


def config_from_args(args: argparse.Namespace) -> LLMConfig | None:
    """An :class:`LLMConfig` from the ``build`` flags, or None for the template generator."""
    if args.generator != "openai":
        if getattr(args, "dry_run", False):
            raise BuildError("--dry-run needs --generator openai")
        return None
    if not args.base_url or not args.model:
        raise BuildError("--generator openai needs --base-url URL and --model NAME")
    from mmed_ift.generate.llm import LLMConfig

    prices = None
    if args.price_table is not None:
        try:
            prices = json.loads(args.price_table.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise BuildError(f"--price-table {args.price_table}: {error}") from None
    return LLMConfig(
        base_url=args.base_url,
        model=args.model,
        api_key_env=args.api_key_env,
        tasks=tuple(args.tasks),
        knowledge_styles=tuple(args.knowledge_styles),
        translate_to=tuple(args.translate_to) if args.translate_to is not None else None,
        temperature=args.temperature,
        top_p=args.top_p,
        max_tokens=args.max_tokens,
        seed=args.seed,
        response_format=args.response_format,
        concurrency=args.concurrency,
        requests_per_minute=args.rpm,
        tokens_per_minute=args.tpm,
        timeout_s=args.request_timeout,
        max_retries=args.max_retries,
        max_output_retries=args.max_output_retries,
        max_requests=args.max_requests,
        cache_path=args.llm_cache,
        judge_threshold=args.judge_threshold,
        prices=prices,
        dry_run=args.dry_run,
        llm_mode=args.llm_mode,
        batch_poll_s=args.batch_poll,
        batch_max_poll_s=args.batch_max_poll,
        batch_size=args.batch_size,
        batch_window=args.batch_window,
        batch_max_failures=args.batch_max_failures,
    ).with_default_cache(args.out)
