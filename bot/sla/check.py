"""`leadbot check`: the semantic checks that decide whether an SLA edit may go live.

Points adding up, ranges without overlaps or gaps, thresholds in order, texts in every language,
slots in the domain, buttons that score. Each problem is reported at its line.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.parse import read_message
from bot.parse.base import Criterion
from bot.sla.check_booking import check_booking
from bot.sla.check_content import check_content
from bot.sla.check_typed import RESERVED, check_in_rules, check_type, numeric
from bot.sla.check_verdicts import check_verdict_reasons
from bot.sla.examples import _claimed_twice, _unknown_class
from bot.sla.load import _parse
from bot.sla.marks import _Loader, _Located, _Path
from bot.sla.model import (
    EXAMPLE_CLASSES,
    SLA,
    TYPES,
    WHEN_KINDS,
    CriterionSpec,
    Problem,
    Texts,
    _sorted,
    _suggest,
    rule_for,
    when_kinds,
)

_NEED_PHRASE_KINDS = ("pain", "interest", "none")


def check_sla(path: str | Path, domain_path: str | Path | None = "domain.yml") -> list[Problem]:
    """Every problem in an SLA file, sorted by line; empty when it is safe to go live.

    `domain_path` (a Rasa domain file or directory) is used to check question slots
    exist; it is skipped when None or missing.
    """
    _, problems = _analyse(Path(path), domain_path)
    return problems


def _analyse(path: Path, domain_path: str | Path | None) -> tuple[SLA | None, list[Problem]]:
    sla, located, problems = _parse(path)
    if sla is None:
        return None, problems
    slots, domain_problems = _domain_slots(Path(domain_path)) if domain_path is not None else (None, [])
    checker = _Checker(str(path), sla, located)
    checker.run(slots)
    # A broken domain file is reported after the SLA's own lines: its line numbers are another file's.
    return sla, _sorted(problems + checker.problems) + domain_problems


def _domain_slots(domain: Path) -> tuple[set[str] | None, list[Problem]]:
    """The slot names a Rasa domain (file or directory) declares; None if there is none."""
    if domain.is_dir():
        files = sorted(p for p in domain.rglob("*") if p.suffix in (".yml", ".yaml"))
    else:
        files = [domain] if domain.is_file() else []
    if not files:
        return None, []
    slots: set[str] = set()
    problems: list[Problem] = []
    for file in files:
        # Only the names under `slots:` matter: compose the tree, construct nothing.
        try:
            loader = _Loader(file.read_text(encoding="utf-8"))
            try:
                root = loader.get_single_node()
            finally:
                loader.dispose()
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            mark = getattr(error, "problem_mark", None)
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            problems.append(Problem(str(file), line, col, f"cannot read the domain: {error}"))
            continue
        if isinstance(root, yaml.MappingNode):
            for key, value in root.value:
                if key.value == "slots" and isinstance(value, yaml.MappingNode):
                    slots.update(str(name.value) for name, _ in value.value)
    return slots, problems


class _Checker:
    """The semantic checks, each reported at the line marketing has to change."""

    def __init__(self, file: str, sla: SLA, located: _Located) -> None:
        self.file = file
        self.sla = sla
        self.located = located
        self.problems: list[Problem] = []

    def run(self, domain_slots: set[str] | None) -> None:
        self._header()
        self._money()
        self._follow_up()
        self._tiers()
        self._questions(domain_slots)
        self._criteria()
        self._total()
        self._buttons()
        check_content(self)
        check_verdict_reasons(self)
        check_booking(self)

    def _at_key(self, path: _Path, message: str) -> None:
        line, col = self.located.key(path)
        self.problems.append(Problem(self.file, line, col, message))

    def _at_value(self, path: _Path, message: str) -> None:
        line, col = self.located.value(path)
        self.problems.append(Problem(self.file, line, col, message))

    def _texts(self, texts: Texts, path: _Path) -> None:
        for language in self.sla.languages:
            if language not in texts:
                self._at_key(path, f"missing '{language}' text")
            elif not texts[language].strip():
                self._at_value((*path, language), f"empty '{language}' text")

    def _header(self) -> None:
        sla = self.sla
        if sla.version != 1:
            self._at_value(("version",), f"unsupported version {sla.version}; this assistant reads version 1")
        if not sla.languages:
            self._at_value(("languages",), "languages: give at least one language")
        if sla.sales_language not in sla.languages:
            self._at_value(
                ("sales_language",),
                f"sales_language '{sla.sales_language}' is not one of languages ({', '.join(sla.languages)})",
            )

    def _money(self) -> None:
        for code, rate in self.sla.exchange_rates.items():
            if rate <= 0:
                self._at_value(("exchange_rates", code), f"exchange rate for {code} must be positive, got {rate:g}")

    def _follow_up(self) -> None:
        follow_up = self.sla.follow_up
        if follow_up.within_minutes <= 0:
            self._at_value(
                ("follow_up", "within_minutes"),
                f"follow_up.within_minutes must be positive, got {follow_up.within_minutes}",
            )
        self._texts(follow_up.text, ("follow_up", "text"))

    def _tiers(self) -> None:
        tiers = self.sla.tiers
        for name in ("nurture", "sales_ready"):
            value = getattr(tiers, name)
            if not 0 <= value <= 100:
                self._at_value(("tiers", name), f"tiers.{name} must be between 0 and 100, got {value}")
        if tiers.nurture >= tiers.sales_ready:
            self._at_value(
                ("tiers", "nurture"),
                f"tiers.nurture ({tiers.nurture}) must be below tiers.sales_ready ({tiers.sales_ready})",
            )

    def _questions(self, domain_slots: set[str] | None) -> None:
        seen: dict[str, int] = {}
        for index, question in enumerate(self.sla.questions):
            path: _Path = ("questions", index)
            slot = question.slot
            if slot in seen:
                first_line = self.located.value(("questions", seen[slot], "slot"))[0]
                self._at_value((*path, "slot"), f"slot '{slot}' is asked twice (first at line {first_line})")
            else:
                seen[slot] = index
            typed = self.sla.kind(slot) in TYPES  # answers kept in `criteria_answers`, not a domain slot
            if domain_slots is not None and slot in WHEN_KINDS and slot not in domain_slots:
                self._at_value(
                    (*path, "slot"),
                    f"slot '{slot}' is not a slot in the domain" + _suggest(slot, sorted(domain_slots)),
                )
            if typed and slot in RESERVED:
                self._at_value((*path, "slot"), f"'{slot}' is a slot the conversation uses; ask it under another name")
            elif slot not in self.sla.criteria:
                self._at_value(
                    (*path, "slot"),
                    f"slot '{slot}' has no scoring rules under criteria" + _suggest(slot, list(self.sla.criteria)),
                )
            for field in ("ask", "why", "hint"):
                self._texts(getattr(question, field), (*path, field))
            for number, button in enumerate(question.buttons):
                self._texts(button.title, (*path, "buttons", number, "title"))

    def _criteria(self) -> None:
        for name, spec in self.sla.criteria.items():
            path: _Path = ("criteria", name)
            if not check_type(self, name, spec):
                continue
            if not spec.rules:
                self._at_key((*path, "rules"), f"criterion '{name}' has no rules")
            self._kind_rules(name, spec, path)
            self._ranges(name, spec, path)
            check_in_rules(self, name, spec)
            self._phrases(name, spec, path)
            self._examples(name, spec, path)

    def _kind_rules(self, name: str, spec: CriterionSpec, path: _Path) -> None:
        kinds = when_kinds(name, spec)
        seen: dict[str, int] = {}
        for index, rule in enumerate(spec.rules):
            rule_path = (*path, "rules", index)
            if rule.points < 0:
                self._at_value((*rule_path, "points"), f"points must not be negative, got {rule.points}")
            if rule.when is None:
                if rule.min is None and rule.max is None and rule.in_ is None:
                    self._at_value(rule_path, "a rule needs `when`, `in` or a `min`/`max` range")
                continue
            if rule.min is not None or rule.max is not None:
                self._at_value(rule_path, "a rule takes either `when` or a `min`/`max` range, not both")
            if rule.when not in kinds:
                suggestion = _suggest(rule.when, list(kinds), "use one of")
                self._at_value((*rule_path, "when"), f"'{rule.when}' is not a kind of {name} answer{suggestion}")
            elif rule.when in seen:
                first_line = self.located.value((*path, "rules", seen[rule.when]))[0]
                self._at_value(
                    (*rule_path, "when"),
                    f"a rule for '{rule.when}' is already given at line {first_line}; this one never fires",
                )
            else:
                seen[rule.when] = index

    def _ranges(self, name: str, spec: CriterionSpec, path: _Path) -> None:
        ranges = [(index, rule) for index, rule in enumerate(spec.rules) if rule.when is None and rule.is_range]
        if ranges and not numeric(name, spec):
            for index, _ in ranges:
                self._at_value((*path, "rules", index), f"{name} answers are not numbers; use `when`, not min/max")
            return
        usable = []
        for index, rule in ranges:
            if rule.min is not None and rule.max is not None and rule.min >= rule.max:
                self._at_value(
                    (*path, "rules", index),
                    f"empty range: min {rule.min:g} is not below max {rule.max:g}",
                )
            else:
                usable.append((index, rule))
        usable.sort(key=lambda item: float("-inf") if item[1].min is None else item[1].min)
        for (_, before), (index, rule) in itertools.pairwise(usable):
            end = float("inf") if before.max is None else before.max
            start = float("-inf") if rule.min is None else rule.min
            if start < end:
                self._at_value(
                    (*path, "rules", index),
                    f"range [{_bound(rule.min)}, {_bound(rule.max)}) overlaps "
                    f"[{_bound(before.min)}, {_bound(before.max)})",
                )
            elif start > end:
                self._at_value(
                    (*path, "rules", index),
                    f"gap: no rule scores {_bound(before.max)} up to {_bound(rule.min)}",
                )
        if usable:
            index, top = max(usable, key=lambda item: float("inf") if item[1].max is None else item[1].max)
            if top.max is not None:
                self._at_value(
                    (*path, "rules", index),
                    f"gap: no rule scores {_bound(top.max)} or more (leave out `max` on the highest range)",
                )

    def _phrases(self, name: str, spec: CriterionSpec, path: _Path) -> None:
        if spec.phrases is None:
            return
        if name != "need":
            self._at_key((*path, "phrases"), f"only need takes phrases, not {name}")
            return
        # Besides one list per answer kind, `topic` and `problem` hold the two halves of the
        # second pain signal (a topic term and a problem cue in one sentence, see bot/parse/need.py).
        cue_kinds = ("topic", "problem")
        kinds = [*_NEED_PHRASE_KINDS, *cue_kinds]
        for kind in spec.phrases:
            if kind not in kinds:
                self._at_key(
                    (*path, "phrases", kind),
                    f"'{kind}' is not a kind of need answer" + _suggest(kind, kinds),
                )
        given = [kind for kind in cue_kinds if spec.phrases.get(kind)]
        if len(given) == 1:
            missing = next(kind for kind in cue_kinds if kind not in given)
            self._at_key(
                (*path, "phrases", given[0]),
                f"`{given[0]}` does nothing without `{missing}`: only a topic and a problem cue together make a pain",
            )

    def _examples(self, name: str, spec: CriterionSpec, path: _Path) -> None:
        inline = self.located.values
        for label in spec.examples or {}:
            if (*path, "examples", label) in inline and label not in EXAMPLE_CLASSES.get(name, ()):
                self._at_key((*path, "examples", label), _unknown_class(name, label))
        written = {
            label: {lang: texts for lang, texts in by_language.items() if not lang.startswith("file:")}
            for label, by_language in (spec.examples or {}).items()
        }
        self.problems += _claimed_twice(written, self.file, self.located, prefix=(*path, "examples"))
        if spec.examples and len([c for c, texts in spec.labelled_examples().items() if texts]) < 2:
            self._at_key((*path, "examples"), f"{name} examples need at least two classes to learn from")

    def _total(self) -> None:
        sla = self.sla
        parts = [(name, spec.max_points) for name, spec in sla.criteria.items()]
        parts += [(name, extra.points) for name, extra in sla.extra_criteria.items()]
        for name, extra in sla.extra_criteria.items():
            if extra.points < 0:
                self._at_value(("extra_criteria", name, "points"), f"points must not be negative, got {extra.points}")
        total = sum(points for _, points in parts)
        if total != 100:
            detail = " + ".join(f"{name} {points}" for name, points in parts)
            self._at_key(("criteria",), f"best points add up to {total}, not 100 ({detail})")

    def _buttons(self) -> None:
        # A button is a promise that clicking it scores: read its value exactly as the
        # assistant would read a visitor typing it.
        sla = self.sla
        with_buttons = [(index, q) for index, q in enumerate(sla.questions) if q.buttons and q.slot in sla.criteria]
        for index, question in with_buttons:
            spec = sla.criteria[question.slot]
            if spec.kind_of(question.slot) in TYPES:
                for number, button in enumerate(question.buttons):
                    typed = spec.read(button.value, question.slot, strict=False)
                    where = ("questions", index, "buttons", number, "value")
                    if not typed.understood:
                        self._at_value(
                            where, f"button value '{button.value}' is not understood as a {question.slot} answer"
                        )
                    elif rule_for(typed, spec.rules) is None:
                        self._at_value(
                            where,
                            f"button value '{button.value}' reads as {_answer_text(typed)} but no rule scores it",
                        )
        with_buttons = [(index, q) for index, q in with_buttons if q.slot in WHEN_KINDS]
        if not with_buttons:
            return
        lexicon = sla.need_lexicon()
        today = date.today()
        for index, question in with_buttons:
            criterion = Criterion(question.slot)
            rules = sla.criteria[question.slot].rules
            for number, button in enumerate(question.buttons):
                found = read_message(
                    button.value,
                    today=today,
                    lexicon=lexicon,
                    currency=sla.currency,
                    rates=sla.exchange_rates,
                    expected=criterion,
                )
                answer = found.get(criterion)
                where = ("questions", index, "buttons", number, "value")
                if answer is None or not answer.understood:
                    self._at_value(
                        where, f"button value '{button.value}' is not understood as a {criterion.value} answer"
                    )
                elif rule_for(answer, rules) is None:
                    self._at_value(
                        where,
                        f"button value '{button.value}' reads as {_answer_text(answer)} "
                        f"but no {criterion.value} rule scores it",
                    )


def _bound(value: float | None) -> str:
    return "∞" if value is None else f"{value:g}"


def _answer_text(answer: Any) -> str:
    value = answer.value if answer.value is not None else answer.kind.value
    return f"{value:g}" if isinstance(value, float) else str(value)
