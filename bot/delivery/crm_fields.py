"""What the CRM channels share: crm.yml's field maps applied to a handoff body, and their HTTP.

Values come from the stored handoff payload (never from the database again), so every retry
writes the same record. The vendor modules (hubspot.py, salesforce.py) only shape requests.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from bot.settings import SettingsError
from bot.sla.crm import FieldSource

_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def source_value(payload: Mapping[str, Any], source: str) -> Any:
    """The value a crm.yml source names in a handoff body; None when it has none."""
    if source == "answers_text":
        return _answers_text(payload)
    if source in ("contact.first_name", "contact.last_name"):
        first, last = _split_name(str((payload.get("contact") or {}).get("name") or ""))
        return first if source == "contact.first_name" else last
    value: Any = payload
    for part in source.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def render_fields(fields: Mapping[str, FieldSource], payload: Mapping[str, Any]) -> dict[str, Any]:
    """CRM field -> value for one lead. A field whose sources are all empty gets its default,
    or is left out: an update must never blank what sales typed into the CRM."""
    out: dict[str, Any] = {}
    for name, field in fields.items():
        value = first_value(field, payload)
        if value is not None:
            out[name] = value
    return out


def first_value(field: FieldSource, payload: Mapping[str, Any]) -> Any:
    for source in field.from_:
        value = _crm_value(source_value(payload, source))
        if value is not None:
            return value[: field.max_length] if isinstance(value, str) and field.max_length else value
    return field.default


def _crm_value(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"  # both CRMs read booleans as text in their APIs
    if isinstance(value, (int, float, str)):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _split_name(name: str) -> tuple[str | None, str | None]:
    """ "Ann Example" -> ("Ann", "Example"); one word is a last name (Salesforce requires one).
    Everything after the first word is the last name, so "María García López" keeps both surnames."""
    words = name.split()
    if not words:
        return None, None
    if len(words) == 1:
        return None, words[0]
    return words[0], " ".join(words[1:])


def _answers_text(payload: Mapping[str, Any]) -> str | None:
    lines = []
    for name, answer in (payload.get("answers") or {}).items():
        if not isinstance(answer, Mapping):
            continue
        said = answer.get("raw") if answer.get("raw") not in (None, "") else answer.get("value")
        if said in (None, ""):
            continue
        lines.append(f"{name}: {said} ({answer.get('points', 0)} points)")
    return "\n".join(lines) or None


def checked_base_url(url: str, variable: str) -> str:
    """A vendor base URL as configured, refused when a token would travel unencrypted.

    The overrides exist for tests and proxies on this machine: http:// is allowed on loopback
    only; everything else must be https://, whose certificate requests verifies (the system's
    CAs, or REQUESTS_CA_BUNDLE)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.netloc:
        return url.rstrip("/")
    if parts.scheme == "http" and parts.hostname in _LOOPBACK:
        return url.rstrip("/")
    raise SettingsError(
        f"{variable}={url!r}: use an https:// URL (plain http:// only to 127.0.0.1 or localhost), "
        "or leave it empty for the vendor's default"
    )


class CrmHttp:
    """One keep-alive session per channel, with the outbox's timeout on every call."""

    def __init__(self, timeout: float, user_agent: str = "leadbot-crm/1") -> None:
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent

    def call(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, url, timeout=(min(self.timeout, 5.0), self.timeout), **kwargs)
