"""The LLM generator's choices, as plain constants: the command line offers them without importing
the client, the prompts or pydantic (``python -m mmed_ift --help`` stays fast)."""

from __future__ import annotations

#: every task the generator knows, and those a build runs when none are named
TASKS: tuple[str, ...] = ("rationale", "knowledge", "translate", "judge")
DEFAULT_TASKS: tuple[str, ...] = ("rationale", "knowledge", "translate")
#: structured-output modes, most to least strict (``auto`` tries them in this order);
#: json_object_schema is {"type": "json_object", "schema": ...}: llama-cpp-python's way to
#: constrain decoding to a schema, which it accepts where it refuses "json_schema"
FORMAT_MODES: tuple[str, ...] = ("json_schema", "json_object_schema", "json_object", "none")
#: styles of the knowledge task
KNOWLEDGE_STYLES: tuple[str, ...] = ("explain", "patient_summary", "differential_diagnosis", "compare_treatments")
#: how requests reach the server: one HTTP request each, or OpenAI Batch API jobs
LLM_MODES: tuple[str, ...] = ("online", "batch")
