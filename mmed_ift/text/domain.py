"""A fastText-style supervised domain classifier: is this text medical?

The DCLM recipe: positives are text known to be of the domain, negatives a random sample of the
corpus to filter; a supervised fastText model (hashed word and word-bigram features averaged into
a small embedding, a linear layer on top) learns the difference in seconds.  The model is trained
here in numpy -- the same architecture and SGD as ``fasttext supervised`` with two labels -- and
not with the ``fasttext`` package, because the only training build of it on PyPI ships the same
``fasttext`` module as ``fasttext-predict`` (which language ID depends on): installing both leaves
whichever came last, so a build could lose ``train_supervised``.  Training here is also
deterministic (one seed, one thread), so both engines and every rerun select the same articles.

A user may bring a real fastText model instead (``--domain-model model.bin``, labels
``__label__medical`` / anything else, read with ``fasttext-predict``), or a model saved by
:meth:`DomainClassifier.save` (``.npz``).

Text is tokenised the way fastText users prepare CJK text: lower-cased words for scripts with
spaces, single characters for Chinese and Japanese (so bigrams are character bigrams).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xxhash

MEDICAL_LABEL = "__label__medical"
#: hashing buckets, embedding size, epochs, learning rate: fastText's supervised defaults scaled
#: to a two-label task over a few thousand documents (a rate of 3.0 overshot: scores saturated at
#: 0 or 1 and one seed text more flipped held-out snippets; 1.0 is steadier)
BUCKETS = 1 << 17
DIM = 16
EPOCHS = 10
LEARNING_RATE = 1.0
#: characters of a document the classifier reads (the lead says what an article is about)
READ_CHARS = 1000
#: character n-gram lengths of a word's subword features
SUBWORDS = (3, 4, 5)
#: cap on one document's weight in the loss (a group of a few texts must not blow up SGD)
MAX_WEIGHT = 20.0

_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased words of the first :data:`READ_CHARS` characters, CJK characters one by one."""
    found: list[str] = []
    for word in _WORD.findall(text[:READ_CHARS].lower()):
        if _CJK_CHAR.search(word):
            found.extend(word)
        else:
            found.append(word)
    return found


def _bucket(token: str) -> int:
    return xxhash.xxh32_intdigest(token.encode("utf-8")) % BUCKETS


@functools.lru_cache(maxsize=1 << 18)
def _word_buckets(word: str) -> tuple[int, ...]:
    """A word's bucket and those of its character n-grams of :data:`SUBWORDS` lengths (fastText's
    ``-minn 3 -maxn 5``: inflected forms share features, maladie/maladies, болезнь/болезни);
    cached, since a dump repeats its vocabulary millions of times."""
    buckets = [_bucket(word)]
    if len(word) > 3:
        marked = f"<{word}>"
        buckets += [_bucket(marked[i : i + n]) for n in SUBWORDS for i in range(len(marked) - n + 1)]
    return tuple(buckets)


def features(text: str) -> np.ndarray:
    """Bucket ids of a text's words, their subwords and its word bigrams (empty text: none)."""
    found = words(text)
    ids = [bucket for word in found for bucket in _word_buckets(word)]
    ids += [_bucket(f"{a} {b}") for a, b in itertools.pairwise(found)]
    return np.asarray(ids, dtype=np.int64)


def fingerprint_texts(labelled: Iterable[tuple[int, str]]) -> str:
    """sha256 of the training set (label and text of every document, in order)."""
    digest = hashlib.sha256()
    for label, text in labelled:
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()


@dataclass
class DomainClassifier:
    """Scores a text's probability of being medical."""

    embedding: np.ndarray | None
    weights: np.ndarray | None
    #: where the model came from: ``trained`` or the path of a user's model
    origin: str
    fingerprint: str
    training_fingerprint: str | None = None
    training_counts: dict[str, int] | None = None
    external: Any = None
    #: the score of every text, for a selection that keeps everything (:meth:`keep_all`)
    constant: float | None = None

    def score(self, text: str) -> float:
        """P(medical) for ``text``."""
        if self.constant is not None:
            return self.constant
        flat = " ".join(text.split())
        if self.external is not None:
            labels, probs = self.external.predict(flat, k=-1)
            return float(dict(zip(labels, probs, strict=False)).get(MEDICAL_LABEL, 0.0))
        assert self.embedding is not None and self.weights is not None
        ids = features(flat)
        if not len(ids):
            return 0.0
        hidden = self.embedding[ids].mean(axis=0)
        return _sigmoid(float(hidden @ self.weights))

    @classmethod
    def keep_all(cls, origin: str) -> DomainClassifier:
        """A "classifier" that selects every text (``origin`` says why; recorded in the report)."""
        return cls(None, None, origin, "", constant=1.0)

    @classmethod
    def train(cls, groups: Sequence[tuple[int, Sequence[str]]], seed: int = 0) -> DomainClassifier:
        """Supervised training, deterministic.  ``groups`` are (label, texts) pairs -- 1 medical,
        0 not -- and each non-empty group weighs the same in the loss, however many texts it
        has: natural-text positives and natural-text negatives then balance each other, so
        the words every sentence has (the, de, и, の) do not lean either way."""
        groups = [(label, list(texts)) for label, texts in groups if texts]
        labels = {label for label, _ in groups}
        if labels != {0, 1}:
            raise ValueError(f"training needs medical (1) and other (0) texts, got labels {sorted(labels)}")
        labelled = [(label, text) for label, texts in groups for text in texts]
        rng = np.random.default_rng(seed)
        docs: list[tuple[int, float, np.ndarray]] = []
        total = len(labelled)
        for label, texts in groups:
            weight = total / (len(groups) * len(texts))
            for text in texts:
                ids = features(" ".join(text.split()))
                if len(ids):
                    docs.append((label, weight, ids))
        embedding = ((rng.random((BUCKETS, DIM)) - 0.5) / DIM).astype(np.float32)
        # fastText's output layer has no bias: a text of unseen words scores 0.5, not the prior
        weights = np.zeros(DIM, dtype=np.float32)
        steps, step = EPOCHS * len(docs), 0
        for _ in range(EPOCHS):
            for index in rng.permutation(len(docs)):
                label, weight, ids = docs[index]
                rate = _learning_rate(step, steps)
                step += 1
                hidden = embedding[ids].mean(axis=0)
                prob = _sigmoid(float(hidden @ weights))
                grad = np.float32((prob - label) * min(weight, MAX_WEIGHT) * rate)
                embedding[ids] -= weights * (grad / np.float32(len(ids)))
                weights -= hidden * grad
        medical = sum(1 for label, _ in labelled if label)
        counts = {"medical": medical, "other": len(labelled) - medical}
        model = cls(embedding, weights, "trained", "", fingerprint_texts(labelled), counts)
        model.fingerprint = model.model_fingerprint()
        return model

    def model_fingerprint(self) -> str:
        assert self.embedding is not None and self.weights is not None
        digest = hashlib.sha256(self.embedding.tobytes())
        digest.update(self.weights.tobytes())
        return digest.hexdigest()

    def save(self, path: Path) -> None:
        """The model as ``.npz`` (``--domain-model`` reads it back)."""
        assert self.embedding is not None and self.weights is not None
        np.savez_compressed(path, embedding=self.embedding, weights=self.weights)

    @classmethod
    def load(cls, path: Path) -> DomainClassifier:
        """A model saved by :meth:`save` (``.npz``) or a fastText model (``.bin``/``.ftz``)."""
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if path.suffix == ".npz":
            with np.load(path) as data:
                return cls(data["embedding"], data["weights"], str(path), digest)
        import fasttext  # fasttext-predict: loads and predicts with any fastText model

        return cls(None, None, str(path), digest, external=fasttext.load_model(str(path)))


def _sigmoid(logit: float) -> float:
    """The logistic function, clipped so that a confident logit cannot overflow ``exp``."""
    return 1.0 / (1.0 + math.exp(-min(max(logit, -30.0), 30.0)))


def _learning_rate(step: int, steps: int) -> float:
    """fastText's schedule: linear decay from the start rate to zero."""
    return LEARNING_RATE * (1.0 - step / steps)
