"""Fixtures of the source tests: the fake Hub the ``--hub`` downloads talk to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hub.fake_hub import FakeHub


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    fake = FakeHub().start()
    try:
        yield fake
    finally:
        fake.stop()
