"""Which structured-output mode requests use, and stepping down when a server refuses one.

In ``auto`` mode requests start with the strongest mode (:data:`FORMAT_MODES`, json_schema
first) and step down once per refused mode.  What a run learnt is remembered in the request
cache, so a rerun starts where the last one ended and its cache keys are identical (it sends
nothing).  Online requests (a 400/422 naming the field, or llama-cpp-python's 500) and batch
results (an error line naming it) step down the same way.
"""

from __future__ import annotations

import logging
from typing import Any

from mmed_ift.errors import MMedIFTError
from mmed_ift.generate.cache import RequestCache
from mmed_ift.generate.options import FORMAT_MODES

log = logging.getLogger(__name__)


class StructuredOutput:
    """The current mode of one client; ``mode`` is what requests carry now."""

    def __init__(self, requested: str, model: str, cache: RequestCache) -> None:
        self.requested = requested
        self.cache = cache
        self._meta_key = f"response_format:{model}"
        if requested != "auto":
            if requested not in FORMAT_MODES:
                raise MMedIFTError(f"unknown response format {requested!r}; choose auto or one of {FORMAT_MODES}")
            self.mode = requested
        else:
            self.mode = cache.get_meta(self._meta_key) or FORMAT_MODES[0]

    def downgrade(self, refused: str) -> bool:
        """Step down from ``refused`` (True when this call did).  Many requests in flight are
        refused at once; only the first refusal of a mode counts."""
        if self.mode != refused or refused == FORMAT_MODES[-1]:
            return False
        self.mode = FORMAT_MODES[FORMAT_MODES.index(self.mode) + 1]
        self.cache.set_meta(self._meta_key, self.mode)
        log.warning("the server refused response_format; falling back to %s", self.mode)
        return True

    def is_refusal(self, message: str, params: dict[str, Any], strict: bool = False) -> bool:
        """An error about response_format, in auto mode: step down to a weaker mode, don't fail.

        ``strict`` (for 5xx, which are otherwise retried) requires the field's name in the error.
        """
        if self.requested != "auto" or "response_format" not in params:
            return False
        text = message.lower()
        if strict:
            return "response_format" in text
        return "response_format" in text or "json_schema" in text or "schema" in text


def mode_of(params: dict[str, Any]) -> str:
    """The mode a request was made with, read back from its parameters (for batch results)."""
    fmt = params.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return "json_schema"
    if fmt.get("type") == "json_object":
        return "json_object_schema" if "schema" in fmt else "json_object"
    return FORMAT_MODES[-1]
