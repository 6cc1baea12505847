"""The lead fields a routing rule tests, read from a lead record, and how a condition matches.

A condition is a value (equal, case-insensitive; `*` makes it a glob, e.g. "/enterprise*"), a
list of values (any of them), or a range `{min: 50000, max: 200000}` ([min, max), numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from bot.domain import Lead

Facts = Mapping[str, Any]


def lead_facts(lead: Lead) -> dict[str, Any]:
    """Everything a rule may name: tier, score, language, each criterion's value, UTM, pages."""
    context: Mapping[str, Any] = lead.page_context if isinstance(lead.page_context, Mapping) else {}
    page: Mapping[str, Any] = _mapping(context.get("page"))
    utm: Mapping[str, Any] = _mapping(context.get("utm"))
    referrer = str(page.get("referrer") or context.get("referrer") or "")
    email = (lead.contact.email if lead.contact else None) or ""
    facts: dict[str, Any] = {
        "tier": lead.tier,
        "score": lead.score,
        "language": lead.language,
        "human_requested": lead.human_requested,
        "landing_page": str(page.get("path") or urlsplit(str(page.get("url") or "")).path or "") or None,
        "referrer_domain": (urlsplit(referrer).hostname or "").removeprefix("www.") or None,
        "email_domain": email.rpartition("@")[2].lower() or None,
        "company": lead.contact.company if lead.contact else None,
    }
    for key in ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"):
        value = utm.get(key, utm.get(key.removeprefix("utm_")))
        facts[key] = str(value) if value not in (None, "") else None
    for name, answer in lead.answers.items():
        # A value the visitor gave ("pain", 20000.0, "fintech"), else its kind ("undecided").
        facts[name] = answer.value if answer.value is not None else answer.kind
    return facts


def matches(condition: Any, value: Any) -> bool:
    """Whether one lead field's value satisfies one condition of a rule's `when`."""
    if isinstance(condition, list):
        return any(matches(item, value) for item in condition)
    if isinstance(condition, Mapping):
        if not _is_number(value):
            return False
        low, high = condition.get("min"), condition.get("max")
        return (low is None or value >= low) and (high is None or value < high)
    if value is None:
        return condition is None
    if isinstance(condition, bool) or isinstance(value, bool):
        return condition is value
    if _is_number(condition) and _is_number(value):
        return float(condition) == float(value)
    wanted, actual = str(condition).casefold(), str(value).casefold()
    return fnmatchcase(actual, wanted) if "*" in wanted or "?" in wanted else actual == wanted


def rule_matches(when: Mapping[str, Any], facts: Facts) -> bool:
    return all(matches(condition, facts.get(name)) for name, condition in when.items())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _mapping(value: Any) -> Mapping[str, Any]:
    # Widget metadata comes from the browser: take only what has the expected shape.
    return value if isinstance(value, Mapping) else {}
