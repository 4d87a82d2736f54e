"""Wikipedia as users download it: whole-language dumps, medical articles chosen, cut into sections.

Reads the Hub's ``wikimedia/wikipedia`` parquet shards (``20231101.ja/train-*.parquet``) and
WikiExtractor ``--json`` folders (``AA/wiki_00``...), streamed (:mod:`mmed_ift.sources.wiki_formats`).
Two passes over the files: the first draws each language's random sample of articles, the
negatives of that language's medical-article classifier (:mod:`mmed_ift.sources.wiki_select`);
the second scores every article and cuts each selected one into its sections
(:mod:`mmed_ift.text.wiki_sections`): navigation and reference sections are dropped, a long
section is cut into pieces within ``--section-max-chars``, and every piece is one
:class:`~mmed_ift.schemas.Passage` with its heading in ``section``.

An article the classifier does not select is a ``not_medical`` reject (with its score), so the
report counts what the selection dropped; an article in a language outside the build is only
counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mmed_ift.errors import SourceFormatError, SourceNotFoundError
from mmed_ift.languages import LANGUAGE_CODES
from mmed_ift.schemas import Passage
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.wiki_formats import Article, iter_articles, language_from_url
from mmed_ift.sources.wiki_select import (
    LanguageSelection,
    Reservoir,
    Selection,
    classifiers,
)
from mmed_ift.text.domain import DomainClassifier
from mmed_ift.text.wiki_sections import chunks, kept_sections, split_sections
from mmed_ift.wiki_options import WikiOptions

__all__ = ["Wikipedia", "language_from_url"]

#: a section shorter than this (characters) is a stub, not a passage
MIN_SECTION_CHARS = 20


@register
class Wikipedia(SourceAdapter):
    spec = SourceSpec(
        name="wikipedia",
        title="Wikipedia (wikimedia/wikipedia parquet or WikiExtractor JSON), medical articles selected",
        languages=("en", "zh", "ja", "fr", "ru", "es"),
        kinds=("passage",),
        license="CC-BY-SA-4.0",
        url="https://dumps.wikimedia.org/",
        hub_id="wikimedia/wikipedia",
        expected_files=(
            "**/wiki_[0-9][0-9]",
            "**/wiki_[0-9][0-9][0-9]",
            "**/train-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9].parquet",
        ),
        splits=("train",),
        citation="Wikipedia contributors. Wikipedia, The Free Encyclopedia. https://www.wikipedia.org/",
        notes="Whole-language dumps: medical articles are chosen by a classifier trained per language"
        " (--domain-threshold, --domain-model) and cut into sections (--section-max-chars).",
        extra={"hub_language_patterns": ("*.{lang}/train-*.parquet",)},
    )

    def __init__(self, options: WikiOptions | None = None) -> None:
        self.options = options or WikiOptions()
        self.selection = Selection()

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        yield from self.read_files(root, [path])

    def _wanted(self, lang: str) -> bool:
        return lang in LANGUAGE_CODES and (not self.options.languages or lang in self.options.languages)

    def read_files(self, root: Path, files: list[Path]) -> Iterator[ReadResult]:
        reservoir = Reservoir(self.options.negatives_per_language)
        for path in files:
            try:
                for article in iter_articles(path, root):
                    if isinstance(article, Article) and self._wanted(article.lang):
                        reservoir.offer(article.lang, f"{article.title}\n{article.text}")
            except (SourceFormatError, OSError, ValueError):
                continue  # reported by the second pass
        try:
            models = dict(classifiers(self.options, reservoir.kept))
        except (OSError, ValueError) as error:
            given = self.options.domain_model
            raise SourceNotFoundError(f"wikipedia: cannot load --domain-model {given}: {error}") from None
        for lang, model in models.items():
            self.selection.languages[lang] = LanguageSelection(
                model.origin, model.fingerprint, model.training_fingerprint, model.training_counts,
                self.options.domain_threshold,
            )  # fmt: skip
        for path in files:
            try:
                for article in iter_articles(path, root):
                    if isinstance(article, SourceFormatError):
                        reason = article.reason or "bad_format"
                        yield self.reject(article.location, reason, article.problem, split="train")
                    else:
                        yield from self._article(article, models)
            except SourceFormatError as error:
                yield self.reject(error.location, error.reason or "unreadable_file", error.problem)

    def _article(self, article: Article, models: dict[str, DomainClassifier]) -> Iterator[ReadResult]:
        ids = {"source_id": f"{article.lang}/{article.article_id}", "lang": article.lang, "split": "train"}
        if not self._wanted(article.lang):
            detail = f"article in {article.lang!r}, outside the build's languages"
            yield self.reject(article.where, "other_language", detail, **ids)
            return
        block = self.selection.languages[article.lang]
        block.articles_read += 1
        score = models[article.lang].score(f"{article.title}\n{article.text}")
        if score < self.options.domain_threshold:
            detail = f"domain classifier P(medical)={score:.3f} < --domain-threshold {self.options.domain_threshold}"
            yield self.reject(article.where, "not_medical", detail, **ids)
            return
        block.articles_selected += 1
        sections = split_sections(article.title, article.text, article.layout)
        kept = kept_sections(sections, MIN_SECTION_CHARS)
        block.sections_dropped += len(sections) - len(kept)
        if not kept:
            yield self.reject(article.where, "no_content_sections", "every section is navigation or a stub", **ids)
            return
        for number, section in enumerate(kept):
            block.sections_kept += 1
            for part, text in enumerate(chunks(section.text, self.options.section_max_chars)):
                suffix = f"s{number}" if part == 0 else f"s{number}.{part}"
                yield self.make(
                    Passage,
                    f"{article.where}#{suffix}",
                    source_id=f"{article.lang}/{article.article_id}#{suffix}",
                    lang=article.lang,
                    split="train",
                    title=article.title,
                    text=text,
                    section=section.heading,
                )
