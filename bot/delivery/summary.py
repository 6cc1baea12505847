"""The sales summary: what a rep reads in 20 seconds, as plain text, Slack mrkdwn and HTML.

Rendered from Jinja2 templates (`bot/delivery/templates/summary.{txt,md,html}.j2`) that marketing may
override in `LEADBOT_TEMPLATES_DIR`; the visitor's words are escaped for each format by the
environment itself (`finalize` / autoescape), so an overriding template is safe by default.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from bot.domain import AnswerRecord, Lead, Unit, built_in, unit_of
from bot.domain.units import duration
from bot.settings import current_settings

FORMATS = {"text": "summary.txt.j2", "markdown": "summary.md.j2", "html": "summary.html.j2"}
PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_ANSWER_CHARS = 500
ZWSP = "\u200b"

LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "New lead",
        "who": "Who",
        "name": "Name",
        "email": "Email",
        "company": "Company",
        "role": "Role",
        "no_contact": "no contact details shared (no consent)",
        "need": "Need",
        "budget": "Budget",
        "timing": "Timing",
        "not_answered": "not answered",
        "score": "Score",
        "tier": "Tier",
        "knock_out": "Knock-out",
        "breakdown": "Why this score",
        "arrival": "How they arrived",
        "page": "Page",
        "referrer": "Referrer",
        "utm": "Campaign",
        "pages": "Pages viewed",
        "direct": "unknown",
        "human": "Asked for a human",
        "questions": "Asked us (for the rep to answer)",
        "yes": "yes",
        "no": "no",
        "transcript": "Transcript",
        "full_transcript": "Full transcript",
        "visitor": "Visitor",
        "bot": "Bot",
        "language": "Language",
        "conversation": "Conversation",
        "per_year": "per year",
        "months": "months",
        "no_plans": "no plans",
        "page_one": "page",
        "page_many": "pages",
        "unknown": "unknown",
        "sales_ready": "Sales-ready",
        "nurture": "Nurture",
        "disqualified": "Disqualified",
        "in_progress": "In progress",
        "verdict": "Your verdict",
        "accept": "Accept",
        "reject": "Reject",
        "assigned": "Assigned to",
        "pool": "pool",
        "reassigned_from": "reassigned from",
    },
    "es": {
        "title": "Nuevo lead",
        "who": "Quién",
        "name": "Nombre",
        "email": "Email",
        "company": "Empresa",
        "role": "Puesto",
        "no_contact": "no ha compartido datos de contacto (sin consentimiento)",
        "need": "Necesidad",
        "budget": "Presupuesto",
        "timing": "Plazo",
        "not_answered": "sin respuesta",
        "score": "Puntuación",
        "tier": "Nivel",
        "knock_out": "Descartado por",
        "breakdown": "Por qué esta puntuación",
        "arrival": "Cómo llegó",
        "page": "Página",
        "referrer": "Referencia",
        "utm": "Campaña",
        "pages": "Páginas vistas",
        "direct": "desconocido",
        "human": "Pidió hablar con una persona",
        "questions": "Nos preguntó (para que responda el comercial)",
        "yes": "sí",
        "no": "no",
        "transcript": "Conversación",
        "full_transcript": "Conversación completa",
        "visitor": "Visitante",
        "bot": "Bot",
        "language": "Idioma",
        "conversation": "Conversación",
        "per_year": "al año",
        "months": "meses",
        "no_plans": "sin planes",
        "page_one": "página",
        "page_many": "páginas",
        "unknown": "desconocido",
        "sales_ready": "Listo para ventas",
        "nurture": "Nutrir",
        "disqualified": "Descartado",
        "in_progress": "En curso",
        "verdict": "Tu veredicto",
        "accept": "Aceptar",
        "reject": "Rechazar",
        "assigned": "Asignado a",
        "pool": "equipo",
        "reassigned_from": "reasignado desde",
    },
}

# C0/C1 controls except tab and newline, and the bidi overrides that can disguise text.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_MARKDOWN_SPECIALS = re.compile(r"([*_~`\[\]])")
_LINE_START_MARKERS = re.compile(r"(?m)^(\s*)(&gt;|#)")


class _Trusted(str):
    """A string we built ourselves (a URL, a label): `finalize` passes it through as is."""


def strip_controls(value: str) -> str:
    """Drop control (Cc) and invisible format (Cf) characters: terminal escapes, bidi
    overrides, soft hyphens and zero-width characters that could disguise a lead's words."""
    text = _CONTROLS.sub("", unicodedata.normalize("NFC", value))
    if text.isascii():
        return text
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf"))


def escape_text(value: Any) -> str:
    """Plain text: no control characters (no terminal escapes, no hidden bidi tricks)."""
    if value is None:
        return ""
    return strip_controls(str(value))


def escape_markdown(value: Any) -> str:
    """Slack mrkdwn: `& < >` as entities; formatting characters and line-start quote/heading
    markers neutralised with zero-width spaces, so the visitor's characters still show as typed
    but can never open bold, italics, code, strike, links or quotes."""
    if value is None:
        return ""
    if isinstance(value, _Trusted):
        return str(value)
    text = strip_controls(str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIALS.sub(ZWSP + r"\1" + ZWSP, text)
    return _LINE_START_MARKERS.sub(r"\1" + ZWSP + r"\2", text)


def shorten(value: Any, limit: int = MAX_ANSWER_CHARS) -> str:
    """One line, at most `limit` characters (the full words stay in the transcript)."""
    if value is None:
        return ""
    text = " ".join(strip_controls(str(value)).split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def render_summary(
    lead: Lead,
    *,
    language: str = "en",
    fmt: str = "text",
    transcript_base_url: str | None = None,
    templates_dir: str | None = None,
    verdict_links: Mapping[str, str] | None = None,
    assignee: Mapping[str, Any] | None = None,
    previous: Mapping[str, Any] | None = None,
) -> str:
    """The summary of one lead in `fmt` ("text" | "markdown" | "html"), labels in `language`.

    `verdict_links` ({"accept": url, "reject": url}, bot/delivery/verdict_links.py) adds the
    one-click Accept and Reject links of a handoff; `assignee` (and `previous`, on a
    reassignment) the rep routing gave the lead (bot/delivery/routing.py)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown summary format {fmt!r}; expected one of {', '.join(FORMATS)}")
    settings = current_settings()
    base_url = transcript_base_url if transcript_base_url is not None else settings.transcript_base_url
    directory = templates_dir if templates_dir is not None else settings.templates_dir
    template = _environment(fmt, directory).get_template(FORMATS[fmt])
    context = _context(lead, language, base_url)
    context["verdict_links"] = {k: _Trusted(v) for k, v in (verdict_links or {}).items()}
    context["assignee"] = _assignee(assignee, previous)
    return template.render(**context).strip() + "\n"


@lru_cache(maxsize=16)
def _environment(fmt: str, templates_dir: str | None) -> Environment:
    loaders = []
    if templates_dir and Path(templates_dir).is_dir():
        loaders.append(FileSystemLoader(templates_dir))
    loaders.append(FileSystemLoader(str(PACKAGE_TEMPLATES)))
    if fmt == "html":
        env = Environment(loader=ChoiceLoader(loaders), autoescape=True)
        env.filters["clean"] = lambda v: escape_text(v)
    else:
        finalize = escape_markdown if fmt == "markdown" else escape_text
        env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=False,
            finalize=finalize,
            keep_trailing_newline=True,
        )
        env.filters["clean"] = lambda v: v
    env.filters["short"] = shorten
    env.filters["indent_lines"] = lambda v, prefix="    ": ("\n" + prefix).join(escape_text(v).splitlines())
    return env


def _context(lead: Lead, language: str, base_url: str | None) -> dict[str, Any]:
    labels = LABELS.get(language) or LABELS["en"]
    contact = lead.contact
    page_context = lead.page_context or {}
    page = _mapping(page_context.get("page"))
    utm = _mapping(page_context.get("utm"))
    raw_pages = page_context.get("pages")
    pages: list[Any] = raw_pages if isinstance(raw_pages, list) else []
    link = None
    if base_url and base_url.startswith(("http://", "https://")):
        link = _Trusted(base_url.rstrip("/") + "/" + quote(lead.conversation_id, safe=""))
    headline = (contact.name or contact.company or contact.email) if contact else None
    criteria = [
        {
            "label": labels.get(c.criterion, c.criterion),
            "points": c.points,
            "max_points": c.max_points,
            "explanation": c.explanation,
            "knock_out": c.knock_out,
        }
        for c in lead.breakdown
    ]
    answers = _answers(lead, labels)
    context: dict[str, Any] = {
        "t": labels,
        "lead": lead,
        "headline": headline or lead.conversation_id,
        "contact": contact,
        "answers": answers,
        "score": lead.score,
        "tier": labels.get(lead.tier or "in_progress", lead.tier or ""),
        "knocked_out_by": labels.get(lead.knocked_out_by, lead.knocked_out_by) if lead.knocked_out_by else None,
        "criteria": criteria,
        "page": page,
        "referrer": page.get("referrer") or page_context.get("referrer"),
        "utm": {str(k): v for k, v in utm.items() if v},
        "pages": [p for p in pages if isinstance(p, Mapping)][:10],
        "human_requested": lead.human_requested,
        "questions": list(lead.visitor_questions),
        "transcript": [
            {
                "speaker": labels["visitor"] if turn.speaker == "visitor" else labels["bot"],
                "text": turn.text,
                "time": turn.at.strftime("%H:%M"),
            }
            for turn in lead.transcript
        ],
        "transcript_link": link,
        "started": lead.started_at.strftime("%Y-%m-%d %H:%M UTC"),
    }
    # An overriding template may also name a criterion: `{{ need }}` (the words), `{{ budget_value }}`.
    for line in answers:
        context.setdefault(line["name"], line["raw"])
        context.setdefault(f"{line['name']}_value", line["value"])
    return context


def _assignee(assignee: Mapping[str, Any] | None, previous: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Who the lead is for, as the templates show it; `mention` is Slack's `<@U…>` (built only
    from an id that looks like one, so nothing else can become markup)."""
    if not assignee:
        return None
    slack_id = str(assignee.get("slack_user_id") or "")
    return {
        "name": assignee.get("name") or assignee.get("email") or "",
        "pool": assignee.get("pool"),
        "mention": _Trusted(f"<@{slack_id}>") if _SLACK_ID.match(slack_id) else None,
        "previous": (previous.get("name") or previous.get("email")) if previous else None,
    }


def _mapping(value: Any) -> dict[str, Any]:
    # Widget metadata comes from the browser: take only what has the expected shape.
    return dict(value) if isinstance(value, Mapping) else {}


def _answers(lead: Lead, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """One line per asked criterion, in the SLA's order: the visitor's words and what we read."""
    lines = []
    for name in lead.criteria():
        answer = lead.answers.get(name)
        lines.append(
            {
                "name": name,
                "label": labels.get(name) or name.replace("_", " ").capitalize(),
                "raw": answer.raw if answer else None,
                "value": _value(lead, answer, labels) if answer else None,
            }
        )
    return lines


def _value(lead: Lead, answer: AnswerRecord, labels: Mapping[str, str]) -> str | None:
    signal = answer.extra.get("signal") if isinstance(answer.extra, Mapping) else None
    if signal:
        return _behaviour_value(signal, answer, labels)
    unit = unit_of(answer.criterion)
    if unit is Unit.MONEY and isinstance(answer.value, (int, float)):
        return _Trusted(f"≈ {answer.value:,.0f} {lead.currency or 'EUR'} {labels['per_year']}")
    if unit is Unit.MONTHS and isinstance(answer.value, (int, float)):
        return _Trusted(f"≈ {answer.value:g} {labels['months']}")
    if unit is Unit.MONTHS and answer.kind == "none":
        return _Trusted(labels["no_plans"])
    if not built_in(answer.criterion) and answer.kind == "value":
        # A criterion the SLA declares: the number or choice read (escaped by the template).
        return f"{answer.value:g}" if isinstance(answer.value, (int, float)) else str(answer.value)
    return None


def _behaviour_value(signal: str, answer: AnswerRecord, labels: Mapping[str, str]) -> str:
    """A behaviour criterion's value as a rep reads it: "2 pages", "5 min 12 s", "yes", "newsletter"."""
    value = answer.value
    if answer.kind != "value" or value is None:
        return _Trusted(labels["unknown"])
    if signal == "seconds_on_site" and isinstance(value, (int, float)):
        return _Trusted(duration(float(value)))
    if signal in ("pages", "page_count") and isinstance(value, (int, float)):
        return _Trusted(f"{value:g} {labels['page_one'] if value == 1 else labels['page_many']}")
    if signal == "returning":
        return _Trusted(labels.get(str(value), str(value)))
    return str(value)  # a UTM tag or a referrer domain came from the browser: escaped like the words


__all__ = ["escape_markdown", "escape_text", "render_summary", "shorten"]
