"""`leadbot check` for the criteria marketing declares: types, choices, signals and patterns.

Each problem is placed on the line to change, like the checks in `bot.sla.check`.
"""

from __future__ import annotations

import re
from typing import Protocol

from bot.parse.nlp import fold
from bot.sla.marks import _Path
from bot.sla.model import BUILT_IN, NUMBER_SIGNALS, SIGNALS, SLA, TYPES, CriterionSpec, Texts, _suggest

# The slots the conversation itself uses: a criterion of marketing's cannot be called one of them.
RESERVED = frozenset(
    {"name", "email", "company", "contact_consent", "language", "requested_slot", "tier", "page_context"}
)
_TEXT_SIGNALS = ("utm_source", "utm_medium", "utm_campaign", "referrer_domain")
# A page pattern is a path glob: "/pricing", "/blog/*", "*/case-studies/*", "/docs/?".
_PATTERN = re.compile(r"^(?:/|\*)[A-Za-z0-9/_\-.~%*?]*$")


class _Reports(Protocol):
    sla: SLA

    def _at_key(self, path: _Path, message: str) -> None: ...

    def _at_value(self, path: _Path, message: str) -> None: ...

    def _texts(self, texts: Texts, path: _Path) -> None: ...


def numeric(name: str, spec: CriterionSpec) -> bool:
    """Whether the criterion's answers are numbers (scored by `min`/`max` ranges)."""
    kind = spec.kind_of(name)
    return kind in ("budget", "timing", "number") or (kind == "behaviour" and spec.signal in NUMBER_SIGNALS)


def check_type(report: _Reports, name: str, spec: CriterionSpec) -> bool:
    """Checks what the criterion's type needs; False when its rules cannot be checked further."""
    path: _Path = ("criteria", name)
    if spec.type is None:
        if name in BUILT_IN:
            return True
        close = _suggest(name, list(BUILT_IN), "")
        if close.startswith("; did you mean"):  # "roles" is a typo, not a new criterion
            report._at_key(path, f"unknown criterion '{name}'{close}")
        else:
            report._at_key(
                path, f"criterion '{name}' needs a `type` ({', '.join(TYPES)}); only {', '.join(BUILT_IN)} are built in"
            )
        return False
    if name in BUILT_IN:
        report._at_value((*path, "type"), f"{name} is built in; leave out `type`")
        return False
    if spec.type not in TYPES:
        report._at_value((*path, "type"), f"unknown type '{spec.type}'" + _suggest(spec.type, list(TYPES)))
        return False
    if name in RESERVED:
        report._at_key(path, f"'{name}' is a slot the conversation uses; give the criterion another name")
        return False
    _fields(report, name, spec)
    {"number": _number, "choice": _choice, "behaviour": _behaviour}.get(spec.type, _none)(report, name, spec)
    return True


def check_in_rules(report: _Reports, name: str, spec: CriterionSpec) -> None:
    """`in:` lists: only for choices and text signals, naming values that exist, each once."""
    kind = spec.kind_of(name)
    takes_in = kind == "choice" or (kind == "behaviour" and spec.signal in _TEXT_SIGNALS)
    claimed: dict[str, int] = {}
    for index, rule in enumerate(spec.rules):
        if rule.in_ is None:
            continue
        where: _Path = ("criteria", name, "rules", index)
        if not takes_in:
            report._at_key((*where, "in"), f"{name} answers are not picked from a list; `in` never matches")
            continue
        if rule.when is not None or rule.min is not None or rule.max is not None:
            report._at_value(where, "a rule takes one of `when`, `in` or a `min`/`max` range")
        if not rule.in_:
            report._at_value((*where, "in"), "an empty `in` list never fires")
        for number, value in enumerate(rule.in_):
            key = value.casefold()
            if kind == "choice" and value not in (spec.choices or {}):
                report._at_value(
                    (*where, "in", number),
                    f"'{value}' is not one of {name}'s choices; this never fires"
                    + _suggest(value, list(spec.choices or {})),
                )
            elif key in claimed:
                report._at_value(
                    (*where, "in", number), f"'{value}' is already scored by rule {claimed[key] + 1}; this never fires"
                )
            else:
                claimed[key] = index
        whens = [r.when for r in spec.rules if r.when is not None]
        for value in rule.in_:
            if value in whens:
                report._at_value((*where, "in"), f"'{value}' also has a `when` rule; only the first fires")


def _fields(report: _Reports, name: str, spec: CriterionSpec) -> None:
    """Keys that mean nothing for this type are mistakes marketing wants to hear about."""
    allowed = {
        "number": {"unit", "unit_words"},
        "choice": {"choices"},
        "yes_no": set(),
        "behaviour": {"signal", "patterns"},
    }[str(spec.type)]
    for key in ("unit", "unit_words", "choices", "signal", "patterns"):
        if getattr(spec, key) is not None and key not in allowed:
            report._at_key(("criteria", name, key), f"`{key}` does nothing for a {spec.type} criterion")
    if spec.phrases is not None or spec.examples is not None or spec.example_files:
        report._at_key(("criteria", name), f"{spec.type} criteria take no phrases or examples")


def _number(report: _Reports, name: str, spec: CriterionSpec) -> None:
    if spec.unit is not None:
        report._texts(spec.unit, ("criteria", name, "unit"))
    _synonyms(report, ("criteria", name, "unit_words"), {"unit": spec.unit_words or {}})


def _choice(report: _Reports, name: str, spec: CriterionSpec) -> None:
    if not spec.choices:
        report._at_key(
            ("criteria", name), f"a choice criterion needs `choices` ({name}: {{choices: {{key: {{en: [...]}}}}}})"
        )
        return
    for key, by_language in spec.choices.items():
        for language in report.sla.languages:
            if not [word for word in by_language.get(language) or [] if word.strip()]:
                report._at_key(("criteria", name, "choices", key), f"choice '{key}' has no '{language}' synonyms")
    _synonyms(report, ("criteria", name, "choices"), spec.choices, nested=True)


def _synonyms(report: _Reports, path: _Path, groups: dict[str, dict[str, list[str]]], nested: bool = False) -> None:
    """A synonym claimed by two choices is an error at its second mention."""
    seen: dict[str, str] = {}
    for key, by_language in groups.items():
        for language, words in by_language.items():
            if language not in report.sla.languages:
                report._at_key(
                    (*path, key, language) if nested else (*path, language), f"'{language}' is not one of languages"
                )
            for number, word in enumerate(words):
                folded = fold(word).strip()
                where = (*path, key, language, number) if nested else (*path, language, number)
                if not folded:
                    report._at_value(where, "empty synonym")
                elif seen.get(folded, key) != key:
                    report._at_value(where, f"'{word}' is claimed by '{seen[folded]}' and '{key}'; keep it in one")
                else:
                    seen[folded] = key


def _behaviour(report: _Reports, name: str, spec: CriterionSpec) -> None:
    path: _Path = ("criteria", name)
    if spec.signal is None:
        report._at_key(path, f"a behaviour criterion needs a `signal` ({', '.join(SIGNALS)})")
        return
    if spec.signal not in SIGNALS:
        report._at_value((*path, "signal"), f"unknown signal '{spec.signal}'" + _suggest(spec.signal, list(SIGNALS)))
        return
    if spec.signal == "pages" and not spec.patterns:
        report._at_key(path, 'signal `pages` needs `patterns`, e.g. patterns: ["/pricing*"]')
    if spec.signal != "pages" and spec.patterns is not None:
        report._at_key((*path, "patterns"), f"`patterns` does nothing for signal {spec.signal}")
    for number, pattern in enumerate(spec.patterns or []):
        problem = pattern_problem(pattern)
        if problem:
            report._at_value((*path, "patterns", number), problem)
    if report.sla.question(name) is not None:
        index = report.sla.slots.index(name)
        report._at_value(("questions", index, "slot"), f"{name} is computed from the page; it takes no question")


def pattern_problem(pattern: str) -> str | None:
    """Why a page pattern is not a valid path glob, or None."""
    if not pattern.strip():
        return "empty page pattern"
    if not _PATTERN.match(pattern):
        return (
            f"'{pattern}' is not a page pattern: start with / (or *), then letters, digits, / - _ . "
            'and the wildcards * and ?, e.g. "/pricing*" or "/blog/*"'
        )
    return None


def _none(report: _Reports, name: str, spec: CriterionSpec) -> None:
    return None
