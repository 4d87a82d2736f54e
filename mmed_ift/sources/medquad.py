"""MedQuAD (Ben Abacha & Demner-Fushman 2019): NIH consumer-health question/answer pairs in XML.

Upstream ``abachaa/MedQuAD`` has twelve ``<n>_<Source>_QA*/`` folders of one XML document per
focus topic.  Three schemas occur and all are read:

* the usual ``<Document id source url><Focus>...<QAPairs><QAPair pid><Question qid qtype>
  <Answer>``;
* four NINDS files in lower case: ``<doc docid corpus url><doctitle-focus>...<qaPairs><pair pid>
  <question qid qtype><answer>``;
* one CDC file whose root is ``<DiseaseFile fid ...>`` (same QA elements as the usual schema).

31,034 answers are empty because three MedlinePlus collections were stripped for copyright; each
becomes an ``empty_answer`` reject so the report shows the loss.  Answers keep their paragraphs
but lose the XML indentation.  One QA pair is one record (location ``file#pid``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

from mmed_ift.errors import SourceFormatError
from mmed_ift.schemas import QAPair
from mmed_ift.sources._unique import unique_ids
from mmed_ift.sources.base import ReadResult, SourceAdapter, SourceSpec, register
from mmed_ift.sources.formats import display_path

LANG = "en"
SPLIT = "train"
_BLANK_RUNS = re.compile(r"\n{3,}")
_SPACE_RUNS = re.compile(r"[ \t\u00a0]{2,}")
#: element names in the usual schema and the NINDS lower-case one
_PAIR_TAGS = ("QAPair", "pair")
_QUESTION_TAGS = ("Question", "question")
_ANSWER_TAGS = ("Answer", "answer")
_FOCUS_TAGS = ("Focus", "doctitle-focus")


def clean_answer(text: str) -> str:
    """Strip XML indentation: trim every line, keep one blank line between paragraphs."""
    lines = [_SPACE_RUNS.sub(" ", line.strip()) for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def _child(element: ElementTree.Element, tags: tuple[str, ...]) -> ElementTree.Element | None:
    for tag in tags:
        found = element.find(tag)
        if found is not None:
            return found
    return None


def _text(element: ElementTree.Element | None) -> str:
    return "".join(element.itertext()) if element is not None else ""


def parse_document(path: Path, shown: str) -> ElementTree.Element:
    try:
        return ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        line, column = error.position
        raise SourceFormatError(f"{shown}:{line}", f"invalid XML at column {column}: {error}") from None
    except UnicodeDecodeError as error:
        raise SourceFormatError(shown, f"not valid UTF-8 at byte {error.start}") from None


@register
class MedQuAD(SourceAdapter):
    spec = SourceSpec(
        name="medquad",
        title="MedQuAD (NIH consumer-health QA)",
        languages=(LANG,),
        kinds=("qa",),
        license="CC-BY-4.0",
        url="https://github.com/abachaa/MedQuAD",
        hub_id="lavita/MedQuAD",
        expected_files=("**/*_QA*/*.xml",),
        splits=(SPLIT,),
        citation=(
            "Ben Abacha, A. and Demner-Fushman, D. A Question-Entailment Approach to Question Answering."
            " BMC Bioinformatics 20, 511 (2019)."
        ),
        notes="Empty answers (the copyright-stripped MedlinePlus collections) are rejected as empty_answer.",
    )

    def read_file(self, root: Path, path: Path) -> Iterator[ReadResult]:
        shown = display_path(path, root)
        document = parse_document(path, shown)
        pairs = [element for element in document.iter() if element.tag in _PAIR_TAGS]
        if not pairs:
            if any(element.tag == "QAPairs" for element in document.iter()):
                # a well-formed document whose upstream <QAPairs> is empty: nothing to read, not a broken file
                detail = f"<QAPairs> is empty in <{document.tag}>"
                yield self.reject(shown, "no_qa_pairs", detail, split=SPLIT, lang=LANG)
                return
            raise SourceFormatError(shown, f"no QAPair/pair elements under <{document.tag}>")
        focus = _text(_child(document, _FOCUS_TAGS)).strip() or None
        collection = path.parent.name
        results = []
        for index, pair in enumerate(pairs, start=1):
            pid = pair.get("pid") or str(index)
            where = f"{shown}#{pid}"
            source_id = f"{collection}/{path.stem}/{pid}"
            results.append(self._pair(pair, where, source_id, focus, collection))
        yield from unique_ids(self, results)

    def _pair(
        self, pair: ElementTree.Element, where: str, source_id: str, focus: str | None, collection: str
    ) -> ReadResult:
        context = {"source_id": source_id, "lang": LANG, "split": SPLIT}
        question_element = _child(pair, _QUESTION_TAGS)
        if question_element is None or _child(pair, _ANSWER_TAGS) is None:
            return self.reject(where, "bad_format", "a QA pair needs a question and an answer element", **context)
        question = " ".join(_text(question_element).split())
        answer = clean_answer(_text(_child(pair, _ANSWER_TAGS)))
        if not answer:
            return self.reject(
                where, "empty_answer", f"the answer is empty upstream ({collection} answers were removed)", **context
            )
        return self.make(
            QAPair,
            where,
            **context,
            question=question,
            answer=answer,
            title=focus,
            qtype=question_element.get("qtype"),
        )
