"""The two shapes Wikipedia text is downloaded in, read one article at a time.

* The Hub's ``wikimedia/wikipedia``: one config per dump date and language (``20231101.ja``), files
  ``20231101.ja/train-00000-of-000NN.parquet`` with the columns ``id, url, title, text``.  Read with
  ``ParquetFile.iter_batches`` so only one record batch of one shard is in memory at a time.
* WikiExtractor ``--json`` output: folders ``AA/``, ``AB/``... of ``wiki_00``, ``wiki_01``... files,
  one JSON object per line (``id, revid, url, title, text``), read line by line.

Both give :class:`Article` records; a record that cannot be one is a :class:`SourceFormatError`
for that record only (the caller turns it into a reject).  The language comes from the article
URL's host (``https://ja.wikipedia.org/...``), which is how both formats identify a dump; for a
parquet shard without a usable URL, from its config folder (``20231101.ja``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from mmed_ift.errors import SourceFormatError
from mmed_ift.sources.formats import display_path, iter_jsonl
from mmed_ift.text.wiki_sections import WIKIEXTRACTOR, WIKIMEDIA

#: the columns of a ``wikimedia/wikipedia`` shard
PARQUET_COLUMNS = ("id", "url", "title", "text")
#: rows per record batch: a batch of long articles stays a few MB
BATCH_ROWS = 256
_CONFIG_DIR = re.compile(r"^\d{8}\.([a-z]{2,3})$")


@dataclass(frozen=True)
class Article:
    """One Wikipedia article as downloaded."""

    where: str
    article_id: str
    url: str
    title: str
    text: str
    lang: str
    #: how headings are laid out in ``text`` (:data:`~mmed_ift.text.wiki_sections.WIKIMEDIA` or
    #: ``WIKIEXTRACTOR``): the file format says
    layout: str = WIKIMEDIA


def language_from_url(url: str, where: str) -> str:
    """``https://ja.wikipedia.org/wiki?curid=1`` -> ``ja``; anything else is a format error."""
    host = urlparse(url).hostname or ""
    if not host.endswith("wikipedia.org"):
        raise SourceFormatError(where, f"url {url!r} is not a wikipedia.org article URL")
    return host.split(".", 1)[0]


def config_language(path: Path) -> str | None:
    """The language of a ``wikimedia/wikipedia`` config folder (``20231101.ja`` -> ``ja``)."""
    for part in reversed(path.parts[:-1]):
        match = _CONFIG_DIR.match(part)
        if match:
            return match.group(1)
    return None


def is_parquet(path: Path) -> bool:
    return path.name.endswith(".parquet")


def _field(record: dict[str, object], key: str, where: str) -> str:
    value = record.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and key == "id":
        return str(value)
    if not isinstance(value, str):
        shown = "missing" if value is None else f"a {type(value).__name__}"
        raise SourceFormatError(where, f"field {key!r} is {shown}, expected a string")
    return value


def to_article(record: dict[str, object], where: str, fallback_lang: str | None, layout: str) -> Article:
    """An :class:`Article` from one record of either format, or a :class:`SourceFormatError`."""
    url = _field(record, "url", where)
    try:
        lang = language_from_url(url, where)
    except SourceFormatError:
        if fallback_lang is None:
            raise
        lang = fallback_lang
    title, text = _field(record, "title", where), _field(record, "text", where)
    if not text.strip():
        raise SourceFormatError(where, "field 'text' is empty", reason="empty_text")
    return Article(where, _field(record, "id", where), url, title, text, lang, layout)


def iter_parquet(path: Path, root: Path) -> Iterator[dict[str, object] | SourceFormatError]:
    """Records of one shard, a record batch at a time; a missing column is an error for the file."""
    import pyarrow.parquet as pq

    shown = display_path(path, root)
    try:
        # buffered reads, no pre-buffering, one thread: one row group in memory at a time
        shard = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
    except (OSError, ValueError) as error:
        raise SourceFormatError(shown, f"not a readable parquet file: {error}") from None
    missing = [name for name in PARQUET_COLUMNS if name not in shard.schema_arrow.names]
    if missing:
        raise SourceFormatError(
            shown, f"missing column(s) {missing}; a wikimedia/wikipedia shard has {list(PARQUET_COLUMNS)}"
        )
    row = 0
    for batch in shard.iter_batches(batch_size=BATCH_ROWS, columns=list(PARQUET_COLUMNS), use_threads=False):
        for record in batch.to_pylist():
            yield {"_where": f"{shown}#row={row}", **record}
            row += 1


def iter_articles(path: Path, root: Path) -> Iterator[Article | SourceFormatError]:
    """Every article of one file of either format, streamed."""
    if is_parquet(path):
        fallback = config_language(path.relative_to(root) if path.is_relative_to(root) else path)
        for record in iter_parquet(path, root):
            if isinstance(record, SourceFormatError):
                yield record
                continue
            where = str(record.pop("_where"))
            try:
                yield to_article(record, where, fallback, WIKIMEDIA)
            except SourceFormatError as error:
                yield error
        return
    for where, value in iter_jsonl(path, root):
        if isinstance(value, SourceFormatError):
            yield value
            continue
        try:
            yield to_article(value, where, None, WIKIEXTRACTOR)
        except SourceFormatError as error:
            yield error
