"""Fixtures of the generator's tests: the fake OpenAI-compatible server and a small source folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.generate.fake_openai_server import FakeOpenAI


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """The fake server on a free port of 127.0.0.1, stopped after the test."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """English MedQA questions and Wikipedia passages (:func:`tests.generate.test_llm_build.write_sources`)."""
    from tests.generate.test_llm_build import write_sources

    return write_sources(tmp_path / "sources")
