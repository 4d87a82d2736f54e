"""Three MC items for the filter-chain tests: two with the same stem (exact duplicates), one other."""

from __future__ import annotations

from mmed_ift.schemas import Item, MCQuestion


def two_duplicates_and_one() -> list[Item]:
    def one(source_id: str, stem: str) -> MCQuestion:
        return MCQuestion(source="medqa", source_id=source_id, lang="en", split="train", question=stem,
                          options={"A": "Insulin", "B": "Glucagon"}, answer=["A"])  # fmt: skip

    return [one("a", "Same stem?"), one("b", "Same stem?"), one("c", "Other stem?")]
