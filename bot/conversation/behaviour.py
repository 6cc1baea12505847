"""Behaviour criteria: answers computed from the page context the widget sends, never asked.

`page_context` is what `bot.conversation.visit.page_context` kept, read again defensively:
it lives in a slot any REST client can fill, so every key may be missing or the wrong shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from bot.conversation.visit import parse_instant
from bot.domain.units import duration
from bot.parse.base import Answer, Kind
from bot.sla import SLA, CriterionSpec

MAX_PAGES = 50  # as many as the widget sends and `page_context` keeps
MAX_PATH = 300
_SHOWN_PATHS = 3  # a reason names a few pages, then counts the rest


def behaviour_answers(sla: SLA, page_context: Mapping[str, Any] | None, now: datetime) -> dict[str, Answer]:
    """One answer per behaviour criterion of the SLA, in its order."""
    return {name: behaviour_answer(name, sla.criteria[name], page_context, now) for name in sla.behaviour_criteria}


def behaviour_answer(name: str, spec: CriterionSpec, page_context: Mapping[str, Any] | None, now: datetime) -> Answer:
    """The criterion's value from the visit (see the signal table in docs/criteria.md).

    An `Answer.unknown` when the context lacks what the signal needs (no widget, a REST
    client, a visitor the widget may not remember); `reason` says in plain words what the
    value rests on, for the sales summary."""
    context = page_context if isinstance(page_context, Mapping) else {}
    signal = str(spec.signal or "")
    if signal == "pages":
        return _pages(name, spec.patterns or [], context)
    if signal == "page_count":
        paths = _paths(context)
        if not paths:
            return _unknown(name, signal, "no pages from the widget")
        return _value(name, signal, float(len(paths)), f"viewed {_count(len(paths), 'page')}")
    if signal == "seconds_on_site":
        started = parse_instant(_mapping(context.get("visit")).get("started_at"))
        if started is None:
            return _unknown(name, signal, "the widget did not say when the visit began")
        seconds = float(round(max(0.0, (_aware(now) - started).total_seconds())))
        return _value(name, signal, seconds, f"on the site for {duration(seconds)}")
    if signal == "returning":
        visitor = _mapping(context.get("visitor"))
        returning = visitor.get("returning")
        if not isinstance(returning, bool):
            return _unknown(name, signal, "the widget may not remember this visitor")
        visits = visitor.get("visits")
        counted = isinstance(visits, int) and not isinstance(visits, bool)
        if returning:
            return _value(name, signal, "yes", f"visit {visits}" if counted else "came back")
        return _value(name, signal, "no", "first visit")
    if signal.startswith("utm_"):
        tag = _mapping(context.get("utm")).get(signal)
        if not isinstance(tag, str) or not tag.strip():
            return _unknown(name, signal, f"no {signal} tag")
        value = tag.strip().lower()[:MAX_PATH]
        return _value(name, signal, value, f"{signal}={value}")
    if signal == "referrer_domain":
        domain = referrer_domain(context)
        if domain is None:
            return _unknown(name, signal, "no referrer (a direct visit)")
        return _value(name, signal, domain, f"came from {domain}")
    return _unknown(name, signal, f"unknown signal {signal!r}")


def referrer_domain(context: Mapping[str, Any]) -> str | None:
    """The host the visit came from, lower-cased and without `www.`."""
    referrer = context.get("referrer") or _mapping(context.get("page")).get("referrer")
    if not isinstance(referrer, str):
        return None
    try:
        host = urlsplit(referrer.strip()).hostname
    except ValueError:  # "http://[::1" and friends
        return None
    if not host:
        return None
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _pages(name: str, patterns: list[str], context: Mapping[str, Any]) -> Answer:
    paths = _paths(context)
    if not paths:
        return _unknown(name, "pages", "no pages from the widget")
    # Case-insensitive: marketing writes "/pricing*" and means /Pricing too. fnmatch's
    # `[...]` sets cannot occur: the checker allows only `*` and `?` in patterns.
    folded = [pattern.casefold() for pattern in patterns]
    matched = [path for path in paths if any(fnmatchcase(path.casefold(), p) for p in folded)]
    if not matched:
        return _value(name, "pages", 0.0, f"viewed no page matching {', '.join(patterns)}")
    shown = [path[:100] for path in matched[:_SHOWN_PATHS]]
    rest = len(matched) - len(shown)
    if rest:
        listed = f"{', '.join(shown)} and {_count(rest, 'other')}"
    else:
        listed = f"{', '.join(shown[:-1])} and {shown[-1]}" if len(shown) > 1 else shown[0]
    return _value(name, "pages", float(len(matched)), f"viewed {listed}")


def _paths(context: Mapping[str, Any]) -> list[str]:
    """The distinct page paths of the visit, in the order first viewed (the current page last)."""
    pages = context.get("pages")
    views = [p.get("path") for p in pages[:MAX_PAGES] if isinstance(p, Mapping)] if isinstance(pages, list) else []
    views.append(_mapping(context.get("page")).get("path"))
    return list(dict.fromkeys(p[:MAX_PATH] for p in views if isinstance(p, str) and p.startswith("/")))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _value(name: str, signal: str, value: str | float, reason: str) -> Answer:
    return Answer(
        criterion=name, raw="", kind=Kind.VALUE, value=value, confidence=1.0, reason=reason, extra={"signal": signal}
    )


def _unknown(name: str, signal: str, reason: str) -> Answer:
    return Answer(criterion=name, raw="", kind=Kind.UNKNOWN, reason=reason, extra={"signal": signal})
