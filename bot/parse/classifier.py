"""A small learned text classifier: labelled example answers in, a class and its confidence out.

Owns ``TextClassifier`` and ``classifier_for``; the need, role and budget readers use it where
word lists alone cannot generalise to the way visitors really write.

Why this model: character n-grams (within words) plus word uni/bigrams, TF-IDF weighted, into a
multinomial logistic regression. It needs no pretrained embeddings (nothing can be downloaded on
the machines we run on), copes with typos and both languages in one model, trains on ~2,000
examples in well under a second, so a marketer's new examples take effect on the next message
after an SLA reload, and its probabilities are usable as a confidence for "ask when unsure".
scikit-learn is already in the venv (Rasa depends on it).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from threadpoolctl import threadpool_limits

# One BLAS thread: these models are tiny, and OpenBLAS's own thread pool can deadlock when two
# Python threads multiply at once (seen in CI: a predict spinning in exec_blas_async_wait).
threadpool_limits(limits=1, user_api="blas")

# The class of answers about something else (another criterion's examples); never a value.
OTHER = "other"
_WORD = re.compile(r"[a-z0-9ñ]+(?:'[a-z]+)?")
# Training is deterministic (lbfgs, fixed data order): the same examples give the same model.
_C = 8.0
_SEEN = 4096  # classified texts kept per model


def fold(text: str) -> str:
    """Lower case without accents (but keeping ñ), so "información" and "informacion" agree."""
    text = text.lower().replace("ñ", "\0")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return text.replace("\0", "ñ")


@dataclass(frozen=True)
class Examples:
    """Labelled example answers, hashable so a trained model can be cached per set."""

    by_label: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, mapping: Mapping[str, Sequence[str]]) -> Examples:
        return cls(tuple((label, tuple(texts)) for label, texts in sorted(mapping.items()) if texts))

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for label, _ in self.by_label)

    def __len__(self) -> int:
        return sum(len(texts) for _, texts in self.by_label)


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float  # the model's probability for `label`
    ranked: tuple[tuple[str, float], ...]  # every label, most likely first
    known_words: float  # share of the message's words the examples ever used: ~0 is gibberish

    @property
    def runner_up(self) -> tuple[str, float] | None:
        return self.ranked[1] if len(self.ranked) > 1 else None

    @property
    def margin(self) -> float:
        second = self.runner_up
        return self.confidence - (second[1] if second else 0.0)


class TextClassifier:
    """Trained once per example set (seconds, see warm-up in actions/runtime.py); ``predict`` is
    thread-safe, a few ms for a new text and a dictionary lookup for one seen before."""

    def __init__(self, examples: Examples) -> None:
        if len(examples.labels) < 2:
            raise ValueError("a classifier needs examples of at least two classes")
        texts = [fold(text) for _, group in examples.by_label for text in group]
        labels = [label for label, group in examples.by_label for _ in group]
        self._model = Pipeline(
            [
                (
                    "features",
                    FeatureUnion(
                        [
                            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
                            (
                                "words",
                                TfidfVectorizer(token_pattern=_WORD.pattern, ngram_range=(1, 2), sublinear_tf=True),
                            ),
                        ]
                    ),
                ),
                ("model", LogisticRegression(C=_C, max_iter=3000, class_weight="balanced")),
            ]
        )
        self._model.fit(texts, labels)
        self._classes = [str(c) for c in self._model.classes_]
        self._vocabulary = frozenset(word for text in texts for word in _WORD.findall(text))
        self._lock = threading.Lock()  # sklearn transformers are not documented as thread-safe
        # The stored answers are re-read on every turn: each distinct text is classified once.
        self._seen: OrderedDict[str, Prediction] = OrderedDict()

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self._classes)

    def predict(self, text: str) -> Prediction:
        with self._lock:
            cached = self._seen.get(text)
            if cached is not None:
                self._seen.move_to_end(text)
                return cached
        prediction = self._predict(text)
        with self._lock:
            self._seen[text] = prediction
            if len(self._seen) > _SEEN:
                self._seen.popitem(last=False)
        return prediction

    def _predict(self, text: str) -> Prediction:
        folded = fold(text)
        with self._lock:
            probabilities = self._model.predict_proba([folded])[0]
        order = np.argsort(-probabilities)
        ranked = tuple((self._classes[i], float(probabilities[i])) for i in order)
        words = _WORD.findall(folded)
        known = sum(word in self._vocabulary for word in words) / len(words) if words else 0.0
        return Prediction(ranked[0][0], ranked[0][1], ranked, known)


_train_lock = threading.Lock()
_trained: OrderedDict[Examples, TextClassifier] = OrderedDict()  # the last few example sets' models
_latest: dict[str, TextClassifier] = {}  # per criterion, the newest model ready to use
_training: set[Examples] = set()  # example sets being trained in the background


def classifier_for(examples: Examples, criterion: str = "") -> tuple[TextClassifier | None, bool]:
    """(the model for an example set, whether it is that set's own model).

    The first model of a criterion is trained on the spot (the action server does it at start-up).
    After an SLA edit, the new set trains in the background (seconds) while the previous model
    keeps answering, so no visitor waits for it; the second value is False until then.
    """
    if len(examples.labels) < 2:
        return None, True
    with _train_lock:
        ready = _trained.get(examples)
        if ready is not None:
            return ready, True
        previous = _latest.get(criterion)
        if previous is not None:
            if examples not in _training:
                _training.add(examples)
                threading.Thread(target=_train, args=(examples, criterion), daemon=True).start()
            return previous, False
        return _train_locked(examples, criterion), True


def _train(examples: Examples, criterion: str) -> None:
    model = TextClassifier(examples)
    with _train_lock:
        _remember(examples, criterion, model)
        _training.discard(examples)


def _train_locked(examples: Examples, criterion: str) -> TextClassifier:
    model = TextClassifier(examples)
    _remember(examples, criterion, model)
    return model


def _remember(examples: Examples, criterion: str, model: TextClassifier) -> None:
    _trained[examples] = model
    _latest[criterion] = model
    while len(_trained) > 8:
        _trained.popitem(last=False)


@dataclass(frozen=True)
class Models:
    """The classifiers one SLA's examples trained, per criterion; None where it has none."""

    need: TextClassifier | None = None
    role: TextClassifier | None = None
    budget: TextClassifier | None = None
