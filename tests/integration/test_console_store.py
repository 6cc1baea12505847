"""The console's part of the store on SQLite and PostgreSQL: accounts, the inbox query, outcomes
and spending a one-click link, on the schema migration 0005 makes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.delivery import finish_lead
from bot.storage import ConsoleStore, LinkAlreadyUsed

from .conftest import make_sla, make_snapshot


@pytest.fixture
def console_store(database_url: str) -> ConsoleStore:
    return ConsoleStore(database_url)


def test_accounts_are_unique_by_address_and_a_new_password_ends_sessions(console_store: ConsoleStore) -> None:
    user = console_store.add_user("Rep@Example.com", role="sales", password_hash="h1", name="Rep")
    assert (user.email, user.role, user.active, user.session_epoch) == ("rep@example.com", "sales", True, 0)
    with pytest.raises(ValueError, match="exists already"):
        console_store.add_user("rep@example.com", role="admin", password_hash="h2")
    with pytest.raises(ValueError, match="role must be one of"):
        console_store.add_user("x@example.com", role="boss", password_hash="h")
    assert console_store.set_password("REP@example.com", "h3").session_epoch == 1
    disabled = console_store.disable_user("rep@example.com")
    assert disabled.active is False and disabled.session_epoch == 2
    assert console_store.credentials("rep@example.com")[1] == "h3"  # type: ignore[index]


def test_the_inbox_filters_by_tier_verdict_date_and_text(console_store: ConsoleStore) -> None:
    sla = make_sla()
    ready = finish_lead(console_store, make_snapshot(need="Leads 50% lost_in follow-up"), sla=sla, handoff=True)
    nurture = finish_lead(
        console_store, make_snapshot(email="zed@corp.example", total=50, status="nurture"), sla=sla, handoff=False
    )
    console_store.feedback(nurture.id, "reject", "No budget", "rep", reason_code="no_budget")

    def ids(**filters: object) -> set[int]:
        return set(console_store.inbox(**filters).lead_ids)  # type: ignore[arg-type]

    assert ids() == {ready.id, nurture.id} and console_store.inbox().total == 2
    assert ids(tier="sales_ready") == {ready.id}
    assert ids(verdict="awaiting") == {ready.id} and ids(verdict="reject") == {nurture.id}
    assert ids(verdict="accept") == set()
    assert ids(text="ZED@corp") == {nurture.id}  # contact, any case
    assert ids(text="50% lost_in") == {ready.id}  # LIKE wildcards in the words are literal
    assert ids(text="50% lost") == {ready.id} and ids(text="5_%") == set()
    tomorrow = date.today() + timedelta(days=1)
    assert ids(since=tomorrow) == set() and ids(until=tomorrow) == {ready.id, nurture.id}
    assert console_store.inbox(limit=1, offset=1).lead_ids == (ready.id,)  # newest first, paged


def test_a_link_is_spent_with_its_verdict_and_outcomes_are_kept_in_order(console_store: ConsoleStore) -> None:
    lead = finish_lead(console_store, make_snapshot(), sla=make_sla(), handoff=True)
    fb = console_store.feedback_from_link("nonce-1", lead.id, "accept", "Fits", "one-click link", reason_code="fits")
    assert (fb.verdict, fb.reason_code) == ("accept", "fits") and console_store.link_used("nonce-1")
    with pytest.raises(LinkAlreadyUsed):
        console_store.feedback_from_link("nonce-1", lead.id, "reject")
    assert len(console_store.get(lead.id).feedback) == 1  # type: ignore[union-attr]
    console_store.record_outcome(lead.id, "meeting_held", by="rep")
    console_store.record_outcome(lead.id, "won", note="12k ARR", by="rep")
    assert [(o.outcome, o.note) for o in console_store.outcomes(lead.id)] == [("meeting_held", ""), ("won", "12k ARR")]
    with pytest.raises(ValueError, match="outcome must be one of"):
        console_store.record_outcome(lead.id, "maybe")
