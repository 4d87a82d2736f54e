"""MMedC (Qiu et al. 2024): the multilingual medical corpus MMedLM was pre-trained on.

The Hub dataset ``Henrychur/MMedC`` (CC-BY-NC-SA-4.0) ships one zip per language
(``Japanese.zip``, ``Russian.zip``, ``Chinese.zip``, ``French.zip``, ``Spanish.zip``; English
without its textbooks).  Per its card "the data are saved in txt format", in folders for the four
kinds of source (content filtered from general corpora, medical websites, textbooks, small-scale
datasets); the card's loader walks every ``.txt`` file and skips folders named
``cultural_filtered_data_used``, and so does this adapter.  The language is the top folder (or
zip) name in English (``Japanese/...``, or ``Japanese.zip`` read as downloaded).

Each ``.txt`` file is split at blank lines into paragraphs; each paragraph of at least
:data:`MIN_PARAGRAPH_CHARS` characters becomes a :class:`Passage` whose title is the file's name
(words, e.g. ``高血圧.txt``) or, for numbered files, the paragraph's first line when it is short.
Shorter paragraphs (headings, page numbers, OCR debris) are ``too_short`` rejects, so they are
counted.  Everything is ``train``.  Published size (card, billions of tokens): en 10.56, es 4.35,
zh 4.74, ja 2.05, fr 2.10, ru 1.69.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import Passage
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.files import scan_tree
from mmed_ift.sources.formats import display_path, read_text

LANGUAGE_FOLDERS: dict[str, str] = {
    "English": "en",
    "Chinese": "zh",
    "Japanese": "ja",
    "French": "fr",
    "Russian": "ru",
    "Spanish": "es",
}
SKIPPED_FOLDER = "cultural_filtered_data_used"
SPLIT = "train"
MIN_PARAGRAPH_CHARS = 20
MAX_TITLE_CHARS = 80


def language_in(parts: tuple[str, ...]) -> str | None:
    """The language a folder or zip on a path names (``Japanese/`` or ``Japanese.zip``), if any."""
    for part in parts:
        name = part.removesuffix(".zip")
        if name in LANGUAGE_FOLDERS:
            return LANGUAGE_FOLDERS[name]
    return None


def language_of(path: Path, root: Path) -> str:
    """The language named by a folder (or the zip) on the file's path."""
    lang = language_in(path.relative_to(root).parts if path.is_relative_to(root) else path.parts)
    if lang is None:
        raise SourceFormatError(
            display_path(path, root), f"no language folder ({', '.join(LANGUAGE_FOLDERS)}) on the path"
        )
    return lang


def paragraphs(text: str) -> list[tuple[int, str]]:
    """``(first line number, paragraph)`` for each blank-line separated block."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.strip())
        elif current:
            blocks.append((start, "\n".join(current)))
            current = []
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def title_of(stem: str, paragraph: str) -> tuple[str, str]:
    """``(title, text)``: a worded file name, else a short first line, else the first words."""
    if any(char.isalpha() for char in stem):
        return stem.replace("_", " ").strip(), paragraph
    first, _, rest = paragraph.partition("\n")
    if rest.strip() and len(first) <= MAX_TITLE_CHARS:
        return first.strip(), rest.strip()
    return paragraph[:30].strip(), paragraph


@register
class MMedC(SourceAdapter):
    spec = SourceSpec(
        name="mmedc",
        title="MMedC: multilingual medical corpus (txt), paragraphs as passages",
        languages=tuple(LANGUAGE_FOLDERS.values()),
        kinds=("passage",),
        license="CC-BY-NC-SA-4.0",
        url="https://huggingface.co/datasets/Henrychur/MMedC",
        hub_id="Henrychur/MMedC",
        expected_files=tuple(f"**/{folder}/**/*.txt" for folder in LANGUAGE_FOLDERS),
        splits=(SPLIT,),
        citation=(
            "Qiu, P. et al. Towards Building Multilingual Language Model for Medicine. Nature Communications"
            " 15, 8384 (2024). arXiv:2402.13963."
        ),
        extra={
            # one folder (or zip) per language: a build fetches only its languages'
            "hub_language_patterns": ("{language}/**", "{language}.zip", "**/{language}.zip"),
            "published_counts": "billions of tokens: en 10.56, es 4.35, zh 4.74, ja 2.05, fr 2.10, ru 1.69",
        },
        notes="Non-commercial share-alike licence. Paragraphs shorter than 20 characters are too_short rejects.",
    )

    def find_files(self, root: Path) -> list[Path]:
        """``.txt`` files under a language folder; inside an extracted ``Japanese.zip`` (``root``
        is then named after it) every ``.txt`` file; never the card's skipped folder."""
        zipped = language_in((root.name,)) is not None and root.name.endswith(".zip")
        files = scan_tree(root).files if zipped else super().find_files(root)
        return [path for path in files if path.suffix == ".txt" and SKIPPED_FOLDER not in path.parts]

    def archive_members(self, names: list[str]) -> list[str]:
        """Every ``.txt`` member: a language zip's members may not repeat the language folder."""
        return [name for name in names if name.endswith(".txt") and SKIPPED_FOLDER not in name.split("/")]

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        shown = display_path(path, root)
        lang = language_of(path, root)
        text = read_text(path, shown)
        stem = path.stem
        for line, paragraph in paragraphs(text):
            where = f"{shown}:{line}"
            source_id = f"{shown}:{line}"
            if len(paragraph) < MIN_PARAGRAPH_CHARS:
                yield self.reject(
                    where, "too_short", f"{len(paragraph)} characters (< {MIN_PARAGRAPH_CHARS})",
                    source_id=source_id, lang=lang, split=SPLIT,
                )  # fmt: skip
                continue
            title, body = title_of(stem, paragraph)
            yield self.make(Passage, where, source_id=source_id, lang=lang, split=SPLIT, title=title, text=body)
