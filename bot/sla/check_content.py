"""`leadbot check` for what the assistant tells visitors: `product_answers` and `nurture_content`.

Each problem is placed on the line to change, like the checks in `bot.sla.check`.
"""

from __future__ import annotations

import re
from typing import Protocol

from bot.parse.classifier import fold
from bot.sla.check_typed import numeric
from bot.sla.content import NurtureRule, ValueRange
from bot.sla.marks import _Path
from bot.sla.model import SLA, WHEN_KINDS, Texts, _suggest, when_kinds

_NOT_WORD = re.compile(r"[^\w]+")
_URL = re.compile(r"^https?://\S+$")
# The tiers whose closing offers a resource; sales-ready leads are handed to a person instead.
_RESOURCE_TIERS = ("nurture", "disqualified")


class _Reports(Protocol):
    sla: SLA

    def _at_key(self, path: _Path, message: str) -> None: ...

    def _at_value(self, path: _Path, message: str) -> None: ...

    def _texts(self, texts: Texts, path: _Path) -> None: ...


def check_content(report: _Reports) -> None:
    _product_answers(report)
    _nurture_content(report)


def _phrasing_key(text: str) -> str:
    # "¿Cuánto cuesta?" and "cuanto cuesta" teach the model the same thing.
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def _product_answers(report: _Reports) -> None:
    sla = report.sla
    content = sla.product_answers
    base: _Path = ("product_answers",)
    claimed: dict[str, str] = {}  # phrasing -> the topic (or other_questions) that gave it first

    def claim(owner: str, language: str, texts: list[str], path: _Path) -> None:
        for index, text in enumerate(texts):
            key = _phrasing_key(text)
            if not key:
                report._at_value((*path, index), "empty example")
                continue
            first = claimed.setdefault(key, owner)
            if first != owner:
                report._at_value((*path, index), f"example '{text}' is given for both {first} and {owner}")

    for name, topic in content.topics.items():
        path: _Path = (*base, "topics", name)
        if not topic.phrasings() and not any(topic.answer.values()):
            report._at_key(path, f"topic '{name}' is empty: give it examples and an answer, or remove it")
            continue
        for language in topic.examples:
            if language not in sla.languages:
                report._at_key((*path, "examples", language), _not_a_language(sla, language))
        for language in sla.languages:
            if not [t for t in topic.examples.get(language, []) if t.strip()]:
                report._at_key((*path, "examples"), f"topic '{name}' has no '{language}' examples")
        for language, texts in topic.examples.items():
            claim(name, language, texts, (*path, "examples", language))
        report._texts(topic.answer, (*path, "answer"))
    for language, texts in content.other_questions.items():
        if language not in sla.languages:
            report._at_key((*base, "other_questions", language), _not_a_language(sla, language))
        claim("other_questions", language, texts, (*base, "other_questions", language))


def _nurture_content(report: _Reports) -> None:
    sla = report.sla
    content = sla.nurture_content
    if content is None:
        report._at_key(
            (),
            "missing nurture_content: the nurture and disqualified closing messages offer its resource "
            "(see docs/sla.md)",
        )
        return
    base: _Path = ("nurture_content",)
    catch_all: int | None = None
    for index, rule in enumerate(content.rules):
        path: _Path = (*base, "rules", index)
        if catch_all is not None:
            report._at_key(path, f"rule {catch_all + 1} matches every lead: this rule never fires")
        _match(report, rule, path)
        if not rule.match or (set(rule.match) == {"tier"} and _covers_all_tiers(rule)):
            catch_all = index if catch_all is None else catch_all
        _resource(report, rule.resource.title, rule.resource.url, (*path, "resource"))
    _resource(report, content.default.title, content.default.url, (*base, "default"))


def _covers_all_tiers(rule: NurtureRule) -> bool:
    tiers = rule.match.get("tier")
    wanted = {tiers} if isinstance(tiers, str) else set(tiers) if isinstance(tiers, list) else set()
    return set(_RESOURCE_TIERS) <= wanted


def _match(report: _Reports, rule: NurtureRule, path: _Path) -> None:
    sla = report.sla
    for key, condition in rule.match.items():
        where: _Path = (*path, "match", key)
        if key == "tier":
            allowed: tuple[str, ...] = _RESOURCE_TIERS
        elif key == "language":
            allowed = tuple(sla.languages)
        elif key in sla.criteria:
            spec = sla.criteria[key]
            if isinstance(condition, ValueRange):
                if not numeric(key, spec):
                    report._at_value(where, f"{key} answers are not numbers; give values, not min/max")
                elif condition.min is not None and condition.max is not None and condition.min >= condition.max:
                    report._at_value(where, f"empty range: min {condition.min:g} is not below max {condition.max:g}")
                continue
            allowed = when_kinds(key, spec)
        elif key in WHEN_KINDS:
            continue  # a built-in criterion the SLA does not ask (or misspelt, reported there)
        else:
            choices = ["tier", "language", *sla.criteria]
            report._at_key(where, f"'{key}' is not something a nurture rule can match" + _suggest(key, choices))
            continue
        if isinstance(condition, ValueRange):
            report._at_value(where, f"{key} is not a number; give a value or a list of values")
            continue
        values = [condition] if isinstance(condition, str) else condition
        for number, value in enumerate(values):
            if value not in allowed:
                at = where if isinstance(condition, str) else (*where, number)
                hint = " (sales-ready leads are handed to sales, not sent a resource)" if value == "sales_ready" else ""
                report._at_value(at, f"'{value}' is not a {key} value here{hint}" + _suggest(value, list(allowed)))


def _resource(report: _Reports, title: Texts, url: Texts, path: _Path) -> None:
    report._texts(title, (*path, "title"))
    report._texts(url, (*path, "url"))
    for language, link in url.items():
        if link.strip() and not _URL.match(link.strip()):
            report._at_value((*path, "url", language), f"'{link}' is not a web address (https://...)")


def _not_a_language(sla: SLA, language: str) -> str:
    return f"'{language}' is not one of languages ({', '.join(sla.languages)})"
