"""`leadbot check` for `booking`: a known provider, a booking page a visitor can open, an offer
in every language that holds the link.

Each problem is placed on the line to change, like the checks in `bot.sla.check`.
"""

from __future__ import annotations

import re
from typing import Protocol
from urllib.parse import urlsplit

from bot.sla.booking import OFFERED_IN, PROVIDERS
from bot.sla.marks import _Path
from bot.sla.model import SLA, _suggest

_CALENDLY_ANSWER = re.compile(r"^a([1-9]|10)$")
_UTM = re.compile(r"^utm_(source|medium|campaign|term|content)$")


class _Reports(Protocol):
    sla: SLA

    def _at_key(self, path: _Path, message: str) -> None: ...

    def _at_value(self, path: _Path, message: str) -> None: ...


def check_booking(report: _Reports) -> None:
    booking = report.sla.booking
    if booking is None:
        return
    if booking.provider not in PROVIDERS:
        report._at_value(
            ("booking", "provider"),
            f"booking.provider '{booking.provider}' is not a booking tool leadbot knows"
            + _suggest(booking.provider, list(PROVIDERS)),
        )
    url = urlsplit(booking.url)
    if url.scheme != "https" or not url.netloc:
        report._at_value(
            ("booking", "url"),
            f"booking.url {booking.url!r}: give the booking page's full https:// address "
            "(e.g. https://cal.com/yourteam/intro)",
        )
    for language in report.sla.languages:
        text = booking.offer.get(language)
        if text is None:
            report._at_key(("booking", "offer"), f"missing '{language}' text")
        elif "{link}" not in text:
            report._at_value(
                ("booking", "offer", language),
                f"booking.offer.{language}: put {{link}} where the booking link goes",
            )
    for index, name in enumerate(booking.offer_in):
        if name not in OFFERED_IN:
            report._at_value(
                ("booking", "offer_in", index),
                f"booking.offer_in '{name}' is not a closing" + _suggest(name, list(OFFERED_IN)),
            )
    for key in booking.utm:
        if not _UTM.match(key):
            report._at_key(
                ("booking", "utm", key),
                f"booking.utm '{key}' is not a UTM tag; use utm_source, utm_medium, utm_campaign, "
                "utm_term or utm_content",
            )
    if booking.provider == "calendly" and not _CALENDLY_ANSWER.match(booking.lead_id_param):
        report._at_value(
            ("booking", "lead_id_field"),
            f"booking.lead_id_field '{booking.lead_id_param}': Calendly prefills custom answers a1 to a10 "
            "(the position of the question that holds the lead id)",
        )
