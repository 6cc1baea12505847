"""The booking link a sales-ready visitor is offered, prefilled for the SLA's booking tool.

The link carries the visitor's name and email (so the booking form is filled in), our lead id
(the conversation id, so the provider's webhook finds the lead again) and the visit's UTM tags
(so the meeting is attributed to the campaign that brought the visitor). docs/booking.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from bot.conversation.visit import UTM_KEYS
from bot.domain import LeadSnapshot
from bot.sla import SLA
from bot.sla.booking import BookingConfig


def booking_link(lead: LeadSnapshot, booking: BookingConfig, base_url: str | None = None) -> str:
    """The booking page (`base_url`: the assignee's or pool's page; else the SLA's default),
    with the query parameters the provider prefills from. The page's own query is kept."""
    page = urlsplit(base_url or booking.url)
    prefill = _prefill(lead, booking)
    query = [(k, v) for k, v in parse_qsl(page.query, keep_blank_values=True) if k not in prefill]
    query += list(prefill.items())
    # quote, not quote_plus: a space as %20 reads the same everywhere; nothing is left that
    # could end a [text](link) in the chat (parentheses, brackets, spaces are all escaped).
    return urlunsplit(page._replace(query=urlencode(query, quote_via=quote, safe="")))


def booking_offer(sla: SLA, lead: LeadSnapshot, response: str, language: str, base_url: str | None = None) -> str:
    """The sentence the closing `response` adds in the lead's language, "" when it offers no booking
    (no `booking:` in the SLA, switched off, or a closing not listed in `offer_in`)."""
    booking = sla.booking
    if booking is None or not booking.offered_in(response):
        return ""
    template = sla.text(booking.offer, language)
    return template.replace("{link}", booking_link(lead, booking, base_url))


def closing_follow_up(sla: SLA, lead: LeadSnapshot, response: str, language: str, base_url: str | None = None) -> str:
    """What the closing's `{follow_up}` says in `language`: sales' promise, then the booking
    offer if the closing makes one. `base_url`: the assignee's or pool's own booking page."""
    promise = sla.text(sla.follow_up.text, language)
    offer = booking_offer(sla, lead, response, language, base_url)
    return f"{promise} {offer}" if offer else promise


def _prefill(lead: LeadSnapshot, booking: BookingConfig) -> dict[str, str]:
    contact = lead.contact
    name = (contact.name or "").strip() if contact else ""
    email = (contact.email or "").strip() if contact else ""
    fields: dict[str, str] = {}
    if booking.provider == "hubspot":
        first, _, last = name.partition(" ")
        fields.update(firstName=first, lastName=last.strip())
    else:
        fields["name"] = name
    fields["email"] = email
    fields[booking.lead_id_param] = lead.conversation_id
    fields.update(_utm(lead.page_context, booking.utm))
    return {key: value for key, value in fields.items() if value}


def _utm(page_context: Mapping[str, object] | None, defaults: Mapping[str, str]) -> dict[str, str]:
    visit = (page_context or {}).get("utm")
    tags = {k: str(v) for k, v in visit.items() if k in UTM_KEYS and v} if isinstance(visit, Mapping) else {}
    return tags or dict(defaults)
