"""Medical Wikipedia articles as passages, in WikiExtractor's ``--json`` output format.

WikiExtractor writes ``<out>/AA/wiki_00``, ``wiki_01``, ... with one JSON object per line:
``{"id", "revid", "url", "title", "text"}``.  The language comes from the article URL's host
(``https://ja.wikipedia.org/wiki?curid=...``), which is how a dump identifies itself; a user
filters the dump to medical articles (e.g. by category) before pointing us at it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import Passage
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import iter_jsonl, optional_str, require_str


def language_from_url(url: str, where: str) -> str:
    host = urlparse(url).hostname or ""
    if not host.endswith("wikipedia.org"):
        raise SourceFormatError(where, f"url {url!r} is not a wikipedia.org article URL")
    return host.split(".", 1)[0]


@register
class Wikipedia(SourceAdapter):
    spec = SourceSpec(
        name="wikipedia",
        title="Medical Wikipedia articles (WikiExtractor JSON)",
        languages=("en", "zh", "ja", "fr", "ru", "es"),
        kinds=("passage",),
        license="CC-BY-SA-4.0",
        url="https://dumps.wikimedia.org/",
        hub_id="wikimedia/wikipedia",
        expected_files=("**/wiki_[0-9][0-9]", "**/wiki_[0-9][0-9][0-9]"),
        splits=("train",),
        citation="Wikipedia contributors. Wikipedia, The Free Encyclopedia. https://www.wikipedia.org/",
        notes="Language is read from each article's URL host; articles are used as passages only.",
    )

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        for where, record in iter_jsonl(path, root):
            if isinstance(record, SourceFormatError):
                yield self.reject(where, record.reason or "bad_format", record.problem, split="train")
                continue
            yield from self.guarded(where, lambda: [self._passage(record, where)], split="train")

    def _passage(self, record: dict[str, object], where: str) -> ReadResult:
        article_id = optional_str(record, "id", where)
        url = require_str(record, "url", where)
        lang = language_from_url(url, where)
        return self.make(
            Passage,
            where,
            source_id=f"{lang}/{article_id}" if article_id else f"{lang}/{where}",
            lang=lang,
            split="train",
            title=require_str(record, "title", where),
            text=require_str(record, "text", where),
        )
