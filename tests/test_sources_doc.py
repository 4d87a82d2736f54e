"""docs/sources.md lists every registered source with its languages and licence, so the table
cannot fall behind the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmed_ift.sources import registry

DOC = Path(__file__).resolve().parents[1] / "docs" / "sources.md"


@pytest.mark.parametrize("name", sorted(registry()))
def test_every_source_has_a_row_with_its_license(name: str) -> None:
    spec = registry()[name].spec
    rows = [line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"docs/sources.md has {len(rows)} rows for {name}"
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert cells[1] == ", ".join(spec.languages) and cells[3] == spec.license and cells[5] == spec.url
