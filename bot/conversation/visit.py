"""How the visitor arrived and what they looked at, from the chat widget's metadata.

Metadata comes from the browser, so it is untrusted: only known keys, bounded sizes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_TEXT = 500
MAX_PAGES = 50
MAX_SECONDS = 86400.0  # a page view or a visit longer than a day is a tab left open
MAX_VISITS = 100_000
# The widget's visitor id: a UUID from crypto.randomUUID(), or 32 hex digits from getRandomValues.
_VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def page_context(
    previous: Mapping[str, Any] | None, metadata: Mapping[str, Any] | None, now: datetime | None = None
) -> dict[str, Any] | None:
    """Merge one message's metadata into what we know of the visit.

    The landing page, first referrer and UTM tags are kept from the first message that had
    them (they describe how the visit began); the page list, the visit's start and the
    visitor are replaced by the latest ones. `now` is when the message arrived (server clock).
    """
    if not isinstance(metadata, Mapping) or not metadata:
        return dict(previous) if previous else None
    merged: dict[str, Any] = dict(previous or {})
    page = metadata.get("page")
    if isinstance(page, Mapping):
        current = {key: _text(page.get(key)) for key in ("url", "path", "title", "referrer") if page.get(key)}
        merged["page"] = current
        merged.setdefault("landing_page", current.get("url"))
        if current.get("referrer"):
            merged.setdefault("referrer", current["referrer"])
    utm = metadata.get("utm")
    if isinstance(utm, Mapping):
        tags = {key: _text(utm[key]) for key in UTM_KEYS if utm.get(key)}
        if tags and not merged.get("utm"):
            merged["utm"] = tags
    pages = metadata.get("pages")
    if isinstance(pages, list):
        merged["pages"] = [
            {"path": _text(p.get("path")), "title": _text(p.get("title")), "seconds": _seconds(p.get("seconds"))}
            for p in pages[:MAX_PAGES]
            if isinstance(p, Mapping)
        ]
    started = _visit_start(metadata.get("visit"), now or datetime.now(timezone.utc))
    if started is not None:
        merged["visit"] = {"started_at": started.isoformat()}
    if "visitor" in metadata:
        # null: the widget may not remember this visitor (Do Not Track, no consent), so any id
        # an earlier message carried is dropped too.
        visitor = _visitor(metadata["visitor"])
        if visitor is None:
            merged.pop("visitor", None)
        else:
            merged["visitor"] = visitor
    return merged or None


def requested_language(metadata: Mapping[str, Any] | None) -> str | None:
    value = metadata.get("language") if isinstance(metadata, Mapping) else None
    # "es-ES", "en_GB" -> "es", "en": the SLA's languages are plain language codes.
    return re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0][:8] if isinstance(value, str) else None


def _visitor(value: Any) -> dict[str, Any] | None:
    """The visitor the widget keeps across visits: a random id and how many visits it counted."""
    if not isinstance(value, Mapping):
        return None
    visitor_id = value.get("id")
    if not isinstance(visitor_id, str) or not _VISITOR_ID.match(visitor_id):
        return None
    visits = value.get("visits")
    if isinstance(visits, bool) or not isinstance(visits, int) or not 1 <= visits <= MAX_VISITS:
        visits = None
    returning = value.get("returning")
    if not isinstance(returning, bool):
        returning = visits > 1 if visits is not None else None
    return {"id": visitor_id, "visits": visits, "returning": returning}


def _visit_start(value: Any, now: datetime) -> datetime | None:
    """When the visit began, on the server's clock.

    The widget sends its own clock's `started_at` and `sent_at`; their difference is the time
    on site whatever the browser's clock says, so only that is trusted."""
    if not isinstance(value, Mapping):
        return None
    started, sent = parse_instant(value.get("started_at")), parse_instant(value.get("sent_at"))
    if started is None:
        return None
    elapsed = (sent - started).total_seconds() if sent is not None else (now - started).total_seconds()
    return now - timedelta(seconds=max(0.0, min(elapsed, MAX_SECONDS)))


def parse_instant(value: Any) -> datetime | None:
    """An ISO-8601 time with a zone ("2026-12-01T21:05:12.000Z"), or None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _text(value: Any) -> str:
    return str(value)[:MAX_TEXT] if value is not None else ""


def _seconds(value: Any) -> float:
    try:
        return round(max(0.0, min(float(value), MAX_SECONDS)), 1)
    except (TypeError, ValueError):
        return 0.0
