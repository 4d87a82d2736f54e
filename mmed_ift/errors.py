"""Typed errors: every failure a user can meet says where it happened and what to do."""

from __future__ import annotations


class MMedIFTError(Exception):
    """Base class so callers can catch everything this library raises on purpose."""


class SourceFormatError(MMedIFTError):
    """A source file (or one record in it) does not match the upstream format.

    ``location`` is ``path:line`` for line-oriented files or ``path#key`` for keyed JSON, so a user
    can open the exact record.  ``reason`` is the reject reason to count it under when it is
    more specific than the caller's default (``bad_format`` for a record, ``unreadable_file`` for
    a file): e.g. ``duplicate_key``, ``field_too_long``, ``too_deeply_nested``.
    """

    def __init__(self, location: str, problem: str, reason: str | None = None) -> None:
        self.location = location
        self.problem = problem
        self.reason = reason
        super().__init__(f"{location}: {problem}")


class SourceNotFoundError(MMedIFTError):
    """The files a source adapter expects are not under the folder the user gave."""


class BuildError(MMedIFTError):
    """The build could not finish (bad options, strict mode with rejects, unwritable output)."""
