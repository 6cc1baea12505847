"""Answers to visitors' product questions (`product_answers`) and the closing resource (`nurture_content`).

`answer_question` finds the topic a question asks about with the project's text classifier, or
None when unsure; `closing_resource` picks what a nurture or disqualified lead is offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.parse.base import Answer
from bot.parse.classifier import OTHER, Examples, TextClassifier, classifier_for
from bot.sla import SLA
from bot.sla.content import Facts, pick_resource

# Two thirds of a question's words must be words the examples use: "xyzzy plugh?" is no topic
# even when the model, forced to choose, leans one way.
_KNOWN_WORDS = 0.5
_CACHE_SIZE = 16


@dataclass(frozen=True)
class ProductReply:
    topic: str
    text: str  # the SLA's answer in the conversation's language
    confidence: float


def topic_examples(sla: SLA) -> Examples:
    """The topic model's training set: each topic's phrasings, and as OTHER the questions no
    topic answers plus every criterion's example answers (so an answer is never a topic)."""
    content = sla.product_answers
    by_label: dict[str, list[str]] = {name: topic.phrasings() for name, topic in content.topics.items()}
    other = [text.strip() for texts in content.other_questions.values() for text in texts if text.strip()]
    for spec in sla.criteria.values():
        for texts in spec.labelled_examples().values():
            other.extend(texts)
    by_label[OTHER] = other
    return Examples.of(by_label)


# id(SLA) -> (that SLA, its topic model): built once per SLA version, like `SLA.models()`.
_MODELS: dict[int, tuple[SLA, TextClassifier | None]] = {}


def topic_model(sla: SLA) -> TextClassifier | None:
    cached = _MODELS.get(id(sla))
    if cached is not None and cached[0] is sla:
        return cached[1]
    if not sla.product_answers.topics:
        return None
    model, own = classifier_for(topic_examples(sla), "product_answers")
    if own:  # the previous SLA's model answers while the new one trains: ask again next time
        if len(_MODELS) >= _CACHE_SIZE:
            _MODELS.pop(next(iter(_MODELS)))
        _MODELS[id(sla)] = (sla, model)
    return model


def answer_question(text: str, sla: SLA, language: str) -> ProductReply | None:
    """The SLA's answer to a visitor's question, or None: the question is then passed to sales.

    Never a guess: below `min_confidence`, on mostly unknown words, or for a topic the SLA no
    longer has (the previous model answering while an edit trains), there is no answer."""
    model = topic_model(sla)
    if model is None or not text.strip():
        return None
    prediction = model.predict(text)
    topic = sla.product_answers.topics.get(prediction.label)
    if topic is None or prediction.confidence < sla.product_answers.min_confidence:
        return None
    if prediction.known_words < _KNOWN_WORDS:
        return None
    answer = sla.text(topic.answer, language)
    return ProductReply(prediction.label, answer, prediction.confidence) if answer else None


def facts(tier: str, language: str, answers: Mapping[str, Answer]) -> Facts:
    """What nurture rules match on: each answer as its label (a value or its kind) and number."""
    read: dict[str, tuple[str, float | None]] = {}
    for name, answer in answers.items():
        value = answer.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            read[name] = (answer.kind.value, float(value))
        else:
            read[name] = (str(value) if value is not None else answer.kind.value, None)
    return Facts(tier=tier, language=language, answers=read)


@dataclass(frozen=True)
class ClosingResource:
    title: str
    url: str
    rule: int | None  # index of the nurture_content rule that chose it; None: the default

    @property
    def text(self) -> str:
        """How the closing message names it ({resource} in domain.yml)."""
        return f"{self.title} – {self.url}"

    def as_record(self) -> dict[str, object]:
        return {"title": self.title, "url": self.url, "rule": self.rule}


def closing_resource(sla: SLA, tier: str, language: str, answers: Mapping[str, Answer]) -> ClosingResource | None:
    """The resource a nurture or disqualified lead is offered; None when the SLA names none."""
    if sla.nurture_content is None:
        return None
    resource, rule = pick_resource(sla.nurture_content, facts(tier, language, answers))
    return ClosingResource(sla.text(resource.title, language), sla.text(resource.url, language), rule)
