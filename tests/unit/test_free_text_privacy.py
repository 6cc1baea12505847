"""Contact details typed in free text are stored only as the SLA's `privacy` policy allows, and
an email that never validated is never the lead's email (so nothing is sent to it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.conversation.lead import snapshot
from bot.parse.contact import redact_contact
from bot.sla import SLA, load_sla

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = load_sla(ROOT / "sla.yml")
NEED = "our reps waste hours on bad leads, write to ana@acme.example or call +34 612 345 678"


def _with_policy(policy: str) -> SLA:
    return SHIPPED.copy(update={"privacy": SHIPPED.privacy.copy(update={"contact_in_free_text": policy})})


def _lead(sla: SLA, **slots: Any) -> Any:
    events = [
        {"event": "bot", "text": "What brings you here?", "timestamp": 1_764_000_000},
        {"event": "user", "text": NEED, "timestamp": 1_764_000_010},
    ]
    return snapshot("privacy-1", {"need": NEED, **slots}, events, sla)


def _stored_text(lead: Any) -> str:
    return " ".join([*(t.text for t in lead.transcript), *(a.raw for a in lead.answers.values())])


def test_the_shipped_default_redacts_contact_details_until_the_visitor_consents() -> None:
    assert SHIPPED.privacy.contact_in_free_text == "with_consent"
    before = _stored_text(_lead(SHIPPED))
    assert "ana@acme.example" not in before and "612 345 678" not in before
    assert "[email removed]" in before and "[phone removed]" in before and "bad leads" in before
    declined = _stored_text(_lead(SHIPPED, contact_consent=False))
    assert "ana@acme.example" not in declined
    consented = _stored_text(_lead(SHIPPED, contact_consent=True))
    assert "ana@acme.example" in consented and "+34 612 345 678" in consented


@pytest.mark.parametrize(("policy", "kept"), [("keep", True), ("redact", False)])
def test_the_policy_can_always_keep_or_always_redact(policy: str, kept: bool) -> None:
    text = _stored_text(_lead(_with_policy(policy), contact_consent=True))
    assert ("ana@acme.example" in text) is kept


def test_redaction_keeps_the_answer_readable_and_its_score() -> None:
    redacted, kept = _lead(SHIPPED), _lead(SHIPPED, contact_consent=True)
    assert redacted.score.total == kept.score.total and redacted.answers["need"].value == "pain"


@pytest.mark.parametrize(
    "text", ["around 2.000.000 € a year", "20000 EUR per year", "next quarter, by 2027-03-31", "call me at 9"]
)
def test_budgets_dates_and_short_numbers_are_not_taken_for_phone_numbers(text: str) -> None:
    assert redact_contact(text) == text


def test_an_email_that_never_validated_is_not_the_leads_email() -> None:
    kept_as_typed = _lead(SHIPPED, name="Ana", email="ana at acme dot com", contact_consent=True)
    assert kept_as_typed.contact is not None and kept_as_typed.contact.email is None
    assert kept_as_typed.contact.name == "Ana"
    valid = _lead(SHIPPED, name="Ana", email="ana@acme.example", contact_consent=True)
    assert valid.contact is not None and valid.contact.email == "ana@acme.example"
