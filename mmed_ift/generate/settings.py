"""How to talk to an OpenAI-compatible server (:class:`ClientSettings`) and the request parameters
that follow from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from mmed_ift.generate.prompts import output_schema
from mmed_ift.generate.secrets import URLField


@dataclass(frozen=True)
class ClientSettings:
    """How to talk to the server: sampling, limits, retries.  The generator's
    :class:`~mmed_ift.generate.llm.LLMConfig` extends this with what to generate."""

    #: kept as a :class:`SecretURL`: reads redacted, ``.full`` connects (see :class:`URLField`)
    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 1024
    seed: int | None = 0
    #: auto (json_schema, falling back to json_object, then none), json_schema, json_object, none
    response_format: str = "auto"
    concurrency: int = 8
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    #: how much of a minute's allowance may go out at once (60: the whole minute's)
    rate_burst_s: float = 60.0
    timeout_s: float = 120.0
    #: transport retries per request (429, 5xx, timeouts, dropped connections)
    max_retries: int = 6
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    #: at most this many HTTP requests (retries included) per run; cache hits are free
    max_requests: int | None = None
    #: a reply body larger than this is cut off and retried as ``body_too_large``
    max_response_bytes: int = 16 * 1024 * 1024


# Installed after the class is made so that dataclasses (and mypy) see a plain required field; the
# generated ``__init__`` assigns through it, in subclasses (LLMConfig) too.
_base_url_field = URLField()
_base_url_field.__set_name__(ClientSettings, "base_url")
ClientSettings.base_url = _base_url_field  # type: ignore[assignment]


def request_params(settings: ClientSettings, format_mode: str, output_model: type[BaseModel]) -> dict[str, Any]:
    """Sampling parameters and response_format: everything besides messages in the cache key."""
    params: dict[str, Any] = {
        "temperature": settings.temperature,
        "top_p": settings.top_p,
        "max_tokens": settings.max_tokens,
    }
    if settings.seed is not None:
        params["seed"] = settings.seed
    if format_mode == "json_schema":
        params["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": output_model.__name__, "schema": output_schema(output_model)},
        }
    elif format_mode == "json_object_schema":
        params["response_format"] = {"type": "json_object", "schema": output_schema(output_model)}
    elif format_mode == "json_object":
        params["response_format"] = {"type": "json_object"}
    return params
