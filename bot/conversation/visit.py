"""How the visitor arrived and what they looked at, from the chat widget's metadata.

Metadata comes from the browser, so it is untrusted: only known keys, bounded sizes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_TEXT = 500
MAX_PAGES = 50


def page_context(previous: Mapping[str, Any] | None, metadata: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Merge one message's metadata into what we know of the visit.

    The landing page, first referrer and UTM tags are kept from the first message that had
    them (they describe how the visit began); the page list is replaced by the latest one.
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
    return merged or None


def requested_language(metadata: Mapping[str, Any] | None) -> str | None:
    value = metadata.get("language") if isinstance(metadata, Mapping) else None
    # "es-ES", "en_GB" -> "es", "en": the SLA's languages are plain language codes.
    return re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0][:8] if isinstance(value, str) else None


def _text(value: Any) -> str:
    return str(value)[:MAX_TEXT] if value is not None else ""


def _seconds(value: Any) -> float:
    try:
        return round(max(0.0, min(float(value), 86400.0)), 1)
    except (TypeError, ValueError):
        return 0.0
