"""How many rows each rule of the quality step removes or rewrites on a MedQuAD folder, with the
removed rows listed for a spot-check.

    python bench/quality_report.py [FOLDER]   # default: the vendored real sample, tests/data/realdata/medquad
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from mmed_ift.filters.base import Rejection
from mmed_ift.filters.conflicts import ConflictingPrompts
from mmed_ift.filters.quality import QualityFilter
from mmed_ift.schemas import Item
from mmed_ift.sources.medquad import MedQuAD


def read(root: Path) -> list[Item]:
    adapter = MedQuAD()
    items: list[Item] = []
    for path in sorted(root.rglob("*.xml")):
        items.extend(result for result in adapter.read_file(root, path) if not hasattr(result, "stage"))
    return items


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/realdata/medquad")
    items = read(root)
    quality = QualityFilter().process(items)
    conflicts = ConflictingPrompts().process(quality.kept)
    rejections: list[Rejection] = [*quality.rejections, *conflicts.rejections]
    print(f"{root}: {len(items)} QA pairs; kept {len(conflicts.kept)}")
    print("rejected:", dict(Counter(rejection.reject.reason for rejection in rejections)))
    print("rewritten:", quality.stats.to_dict()["rewritten"])
    for rejection in rejections:
        print(f"  {rejection.reject.reason:20} {rejection.reject.source_id:32} {rejection.reject.detail[:110]}")


if __name__ == "__main__":
    main()
