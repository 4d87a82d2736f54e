"""A knowledge passage cut into its lead and its sections, without the title echoed at the top.

WikiExtractor output starts with the article title on its own line, and (with ``--sections``)
keeps section headings as short lines of their own (``Treatment``, ``Traitement.``).  A target
that repeats the title the prompt just named teaches nothing, so the first line goes when it is
the title; each section under a heading becomes its own knowledge row with a prompt naming the
section (:mod:`mmed_ift.generate.template`).
"""

from __future__ import annotations

import re

#: a heading: a short line with no sentence punctuation inside, at most one trailing period
_HEADING = re.compile(r"^[^.!?。！？:：;；,，、()（）]{1,60}\.?$")
MAX_HEADING_WORDS = 8


def _normal(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().casefold()


def is_heading(line: str, next_line: str | None) -> bool:
    """A line that names a section: short, no inner punctuation, followed by a longer paragraph."""
    line = line.strip()
    if not line or not _HEADING.match(line) or len(line.split()) > MAX_HEADING_WORDS:
        return False
    return next_line is not None and len(next_line.strip()) > len(line)


def split_sections(text: str, title: str) -> tuple[str, list[tuple[str, str]]]:
    """(lead, [(heading, body), ...]); the lead is what precedes the first heading."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    if lines and _normal(lines[0]) == _normal(title) and len(lines) > 1:
        lines = lines[1:]
    paragraphs = [line for line in lines if line.strip()]
    lead: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for index, line in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        if is_heading(line, following):
            sections.append((line.strip().rstrip("."), []))
        elif sections:
            sections[-1][1].append(line.strip())
        else:
            lead.append(line.strip())
    return "\n".join(lead), [(heading, "\n".join(body)) for heading, body in sections if body]
