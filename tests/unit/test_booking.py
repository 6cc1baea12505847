"""The booking link each provider prefills from, the offer in the closing, and `leadbot check`
on the `booking:` section of sla.yml."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from bot.conversation.booking import booking_link, booking_offer, closing_follow_up
from bot.domain import Contact, LeadSnapshot
from bot.scoring import Score, Tier
from bot.sla import check_sla, load_sla
from bot.sla.booking import BookingConfig

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "sla.yml"
OFFER = {"en": "Book here: {link}", "es": "Reserva aquí: {link}"}


def _lead(name: str | None = "Ana María López", email: str | None = "ana@acme.com", **context: Any) -> LeadSnapshot:
    return LeadSnapshot(
        conversation_id="conv-123",
        started_at=datetime(2026, 12, 2, tzinfo=timezone.utc),
        language="en",
        answers={},
        score=Score(total=90, tier=Tier.SALES_READY, knocked_out_by=None, breakdown=()),
        contact=Contact(name, email, "Acme"),
        page_context=context or None,
    )


def _query(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query))


def _config(provider: str, url: str = "https://book.example.com/team/intro", **extra: Any) -> BookingConfig:
    return BookingConfig(provider=provider, url=url, offer=OFFER, **extra)


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        (
            "calcom",
            {"name": "Ana María López", "email": "ana@acme.com", "metadata[lead_id]": "conv-123"},
        ),
        ("calendly", {"name": "Ana María López", "email": "ana@acme.com", "a1": "conv-123"}),
        (
            "hubspot",
            {"firstName": "Ana", "lastName": "María López", "email": "ana@acme.com", "leadbot_lead_id": "conv-123"},
        ),
    ],
)
def test_the_link_is_prefilled_the_way_each_provider_reads_it(provider: str, expected: dict[str, str]) -> None:
    query = _query(booking_link(_lead(), _config(provider)))
    defaults = {"utm_source": "leadbot", "utm_medium": "chat", "utm_campaign": "booking"}
    assert query == expected | defaults


def test_the_visitors_own_utm_tags_win_over_the_defaults() -> None:
    lead = _lead(utm={"utm_source": "linkedin", "utm_campaign": "q1 launch", "gclid": "x"})
    query = _query(booking_link(lead, _config("calcom")))
    assert (query["utm_source"], query["utm_campaign"]) == ("linkedin", "q1 launch")
    assert "utm_medium" not in query and "gclid" not in query


def test_an_assignee_page_replaces_the_default_and_keeps_its_own_query() -> None:
    link = booking_link(_lead(), _config("calendly"), base_url="https://calendly.com/rep-ana/30min?month=2026-12")
    assert link.startswith("https://calendly.com/rep-ana/30min?month=2026-12&name=Ana%20Mar%C3%ADa%20L%C3%B3pez&")


def test_the_link_survives_as_one_chat_link_whatever_the_visitor_typed() -> None:
    # Parentheses, brackets, quotes and spaces would end a [text](link) early, or an attribute.
    lead = _lead(name='Bob (CEO) "the boss" <b>', email="bob+x@acme.com")
    link = booking_link(lead, _config("calcom"))
    assert not set(link) & set(" ()[]<>\"'")
    assert _query(link)["name"] == 'Bob (CEO) "the boss" <b>'


def test_no_contact_details_means_no_empty_fields() -> None:
    query = _query(booking_link(_lead(name=None, email=None), _config("calcom", utm={})))
    assert query == {"metadata[lead_id]": "conv-123"}


def test_a_lead_id_field_set_in_the_sla_wins() -> None:
    assert _query(booking_link(_lead(), _config("calendly", lead_id_field="a3")))["a3"] == "conv-123"


def test_the_offer_follows_the_closing_and_the_switch() -> None:
    sla = load_sla(SHIPPED)
    lead = _lead()
    assert "cal.com" in booking_offer(sla, lead, "utter_close_sales_ready", "en")
    assert booking_offer(sla, lead, "utter_close_nurture", "en") == ""
    off = sla.copy(update={"booking": sla.booking.copy(update={"enabled": False})})  # type: ignore[union-attr]
    assert closing_follow_up(off, lead, "utter_close_sales_ready", "es") == sla.follow_up.text["es"]
    none = sla.copy(update={"booking": None})
    assert booking_offer(none, lead, "utter_close_human", "en") == ""


# (what in the shipped booking section is replaced, by what, the message reported at that line)
BROKEN = [
    pytest.param("provider: calcom", "provider: calendy", "did you mean 'calendly'?", id="unknown-provider"),
    pytest.param(
        "url: https://cal.com/pipewise/intro-call", "url: cal.com/pipewise", "full https:// address", id="bad-url"
    ),
    pytest.param(
        'es: "¿Prefieres elegir ya un hueco? [Reserva una llamada con nuestro equipo]({link})."',
        'es: "¿Prefieres elegir ya un hueco?"',
        "booking.offer.es: put {link} where the booking link goes",
        id="offer-without-link",
    ),
    pytest.param(
        "offer_in: [sales_ready, human]", "offer_in: [sales_ready, nurture]", "is not a closing", id="offer-in"
    ),
    pytest.param("    utm_medium: chat", "    medium: chat", "is not a UTM tag", id="utm-key"),
    pytest.param(
        "provider: calcom\n",
        "provider: calendly\n  lead_id_field: question_1\n",
        "Calendly prefills custom answers a1 to a10",
        id="calendly-answer",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN)
def test_a_broken_booking_section_is_reported_at_its_line(old: str, new: str, message: str, tmp_path: Path) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, f"sla.yml changed: {old!r} is gone"
    broken = text.replace(old, new, 1)
    path = tmp_path / "sla.yml"
    path.write_text(broken, encoding="utf-8")
    where = new.strip().splitlines()[-1].strip()  # the line the problem is on
    line = broken[: broken.index(where)].count("\n") + 1
    found = [f"{p.file}:{p.line}: {p.message}" for p in check_sla(path, domain_path=None)]
    assert len(found) == 1 and found[0].startswith(f"{path}:{line}: ") and message in found[0], found
