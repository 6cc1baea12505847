"""The HubSpot and Salesforce outbox channels against loopback fakes that check every request
against the vendors' documented shapes (tests/crm_fakes.py): created, conflict -> update, 429
with Retry-After, 5xx retries, dead-lettering, token refresh, form modes, the owner lookup."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.delivery import Worker, finish_lead
from bot.delivery.crm import crm_channels, owner_lookup, owner_lookups
from bot.delivery.hubspot import HubSpotOwners
from bot.delivery.salesforce import SalesforceOwners
from bot.domain import utcnow
from bot.settings import SettingsError, current_settings
from bot.storage import LeadStore
from bot.storage.tables import HandoffRow
from tests.crm_fakes import FakeHubSpot, FakeSalesforce

from .conftest import ROOT, make_sla, make_snapshot

FORM_GUID = "319478e5-e5fd-4d39-9d13-fc1f90bf46da"


@pytest.fixture
def crm_files(leadbot_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An SLA file that names the shipped crm.yml (the worker reads only its `crm:` key)."""
    (tmp_path / "sla.yml").write_text("crm: crm.yml\n")
    shutil.copy(ROOT / "crm.yml", tmp_path / "crm.yml")
    monkeypatch.setenv("LEADBOT_SLA", str(tmp_path / "sla.yml"))
    return tmp_path / "crm.yml"


@pytest.fixture
def crm_store(sqlite_url: str) -> LeadStore:
    return LeadStore(sqlite_url)


@pytest.fixture
def hubspot(monkeypatch: pytest.MonkeyPatch, crm_files: Path) -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot()
    monkeypatch.setenv("LEADBOT_HUBSPOT_TOKEN", fake.token)
    monkeypatch.setenv("LEADBOT_HUBSPOT_API_URL", fake.url)
    monkeypatch.setenv("LEADBOT_HUBSPOT_FORMS_URL", fake.url)
    yield fake
    fake.close()


@pytest.fixture
def salesforce(monkeypatch: pytest.MonkeyPatch, crm_files: Path) -> Iterator[FakeSalesforce]:
    fake = FakeSalesforce()
    monkeypatch.setenv("LEADBOT_SALESFORCE_URL", fake.url)
    monkeypatch.setenv("LEADBOT_SALESFORCE_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("LEADBOT_SALESFORCE_CLIENT_SECRET", fake.client_secret)
    monkeypatch.setenv("LEADBOT_SALESFORCE_WEB_TO_LEAD_URL", f"{fake.url}/servlet/servlet.WebToLead?encoding=UTF-8")
    yield fake
    fake.close()


def _queue(store: LeadStore, **kwargs: Any) -> int:
    lead = finish_lead(store, make_snapshot(**kwargs), sla=make_sla(), handoff=True)
    assert lead.handoff is not None
    return lead.handoff.id


def _pass(store: LeadStore, handoff_id: int, worker: Worker | None = None) -> str:
    """One delivery pass with the handoff due now; returns its status after the pass."""
    (worker or Worker(store)).deliver_due()
    handoff = store.handoff(handoff_id)
    assert handoff is not None
    return handoff.status


def _due_now(store: LeadStore, handoff_id: int) -> None:
    # Skip the backoff wait without resetting attempts (retry_handoff would reset them).
    with store.session() as session:
        session.execute(update(HandoffRow).where(HandoffRow.id == handoff_id).values(next_attempt_at=utcnow()))


def _drain(store: LeadStore, handoff_id: int, passes: int = 10) -> str:
    worker = Worker(store)
    status = "pending"
    for _ in range(passes):
        status = _pass(store, handoff_id, worker)
        if status != "pending":
            break
        _due_now(store, handoff_id)
    return status


# ----------------------------------------------------------------------------- HubSpot


def test_hubspot_contact_is_created_with_the_leadbot_properties_made_on_first_use(
    crm_store: LeadStore, hubspot: FakeHubSpot
) -> None:
    handoff_id = _queue(crm_store)

    assert _pass(crm_store, handoff_id) == "sent"

    assert hubspot.violations == []
    assert hubspot.groups == {"leadbot"}
    assert {"leadbot_tier", "leadbot_score", "leadbot_answers"} <= set(hubspot.properties)
    assert hubspot.properties["leadbot_score"]["type"] == "number"
    contact = hubspot.contacts["ann@example.com"]["properties"]
    assert contact["firstname"] == "Ann" and contact["lastname"] == "Example"
    assert contact["company"] == "Example GmbH"
    assert contact["leadbot_tier"] == "sales_ready" and contact["leadbot_score"] == 100
    assert "budget: around 20k a year (25 points)" in contact["leadbot_answers"]
    assert contact["leadbot_utm_source"] == "google"
    assert contact["leadbot_landing_page"] == "https://example.com/pricing"
    handoff = crm_store.handoff(handoff_id)
    assert handoff is not None and "hubspot" in handoff.delivered


def test_hubspot_existing_contact_is_updated_by_email_after_a_conflict(
    crm_store: LeadStore, hubspot: FakeHubSpot
) -> None:
    hubspot.add_contact("ann@example.com", firstname="Ann", phone="+49 30 1234")
    handoff_id = _queue(crm_store)

    assert _pass(crm_store, handoff_id) == "sent"

    assert hubspot.violations == []
    assert len(hubspot.calls("POST", "/crm/v3/objects/contacts")) == 1
    [update] = hubspot.calls("PATCH", r"/crm/v3/objects/contacts/.+")
    assert update.path == "/crm/v3/objects/contacts/ann%40example.com" and update.query == {"idProperty": ["email"]}
    contact = hubspot.contacts["ann@example.com"]["properties"]
    assert contact["leadbot_tier"] == "sales_ready"
    assert contact["phone"] == "+49 30 1234"  # what sales had is kept
    assert len(hubspot.contacts) == 1
    attempts = crm_store.delivery_attempts(handoff_id)
    assert [(a.channel, a.ok, a.status_code) for a in attempts] == [("hubspot", True, 200)]


def test_hubspot_rate_limit_moves_the_next_attempt_to_retry_after(
    crm_store: LeadStore, hubspot: FakeHubSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADBOT_HANDOFF_BACKOFF_MAX_SECONDS", "3600")
    handoff_id = _queue(crm_store)
    before = utcnow()
    hubspot.fail_next(429, headers={"Retry-After": "120"})

    assert _pass(crm_store, handoff_id) == "pending"
    handoff = crm_store.handoff(handoff_id)
    assert handoff is not None and handoff.attempts == 1
    assert handoff.next_attempt_at >= before + timedelta(seconds=119)
    assert "HTTP 429" in (handoff.last_error or "")
    # Not due before the time HubSpot asked for:
    Worker(crm_store).deliver_due()
    assert "ann@example.com" not in hubspot.contacts

    _due_now(crm_store, handoff_id)
    assert _pass(crm_store, handoff_id) == "sent"
    assert hubspot.violations == [] and "ann@example.com" in hubspot.contacts


def test_hubspot_server_errors_are_retried_and_the_contact_is_written_once(
    crm_store: LeadStore, hubspot: FakeHubSpot
) -> None:
    hubspot.fail_next(502, times=2)  # the property group creation, twice
    handoff_id = _queue(crm_store)

    assert _drain(crm_store, handoff_id) == "sent"

    attempts = crm_store.delivery_attempts(handoff_id)
    assert [(a.ok, a.status_code) for a in attempts] == [(False, 502), (False, 502), (True, 201)]
    assert len(hubspot.calls("POST", "/crm/v3/objects/contacts")) == 1
    assert hubspot.violations == []
    assert Worker(crm_store).deliver_due() == 0 and len(hubspot.calls("POST", "/crm/v3/objects/contacts")) == 1


def test_hubspot_that_keeps_failing_dead_letters_the_handoff(
    crm_store: LeadStore, hubspot: FakeHubSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADBOT_HANDOFF_MAX_ATTEMPTS", "3")
    hubspot.fail_next(500, times=10)
    handoff_id = _queue(crm_store)

    assert _drain(crm_store, handoff_id) == "dead"
    handoff = crm_store.handoff(handoff_id)
    assert handoff is not None and handoff.attempts == 3 and "hubspot: create property" in (handoff.last_error or "")


def test_hubspot_form_mode_submits_the_mapped_fields(
    crm_store: LeadStore, hubspot: FakeHubSpot, crm_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm_files.write_text(crm_files.read_text().replace("  mode: contacts", "  mode: form"))
    monkeypatch.delenv("LEADBOT_HUBSPOT_TOKEN")  # the public endpoint: no token at all
    monkeypatch.setenv("LEADBOT_HUBSPOT_PORTAL_ID", "123456")
    monkeypatch.setenv("LEADBOT_HUBSPOT_FORM_GUID", FORM_GUID)
    handoff_id = _queue(crm_store)

    assert _pass(crm_store, handoff_id) == "sent"

    assert hubspot.violations == []
    [request] = hubspot.requests
    assert request.path == f"/submissions/v3/integration/submit/123456/{FORM_GUID}"
    assert "authorization" not in request.headers
    [submission] = hubspot.submissions
    fields = {f["name"]: f["value"] for f in submission["fields"]}
    assert fields["email"] == "ann@example.com" and fields["leadbot_score"] == "100"
    assert {f["objectTypeId"] for f in submission["fields"]} == {"0-1"}
    assert submission["context"] == {"pageUri": "https://example.com/pricing", "pageName": "Pricing"}


def test_hubspot_form_mode_with_a_token_uses_the_authenticated_endpoint(
    crm_store: LeadStore, hubspot: FakeHubSpot, crm_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm_files.write_text(crm_files.read_text().replace("  mode: contacts", "  mode: form"))
    monkeypatch.setenv("LEADBOT_HUBSPOT_PORTAL_ID", "123456")
    monkeypatch.setenv("LEADBOT_HUBSPOT_FORM_GUID", FORM_GUID)
    handoff_id = _queue(crm_store)

    assert _pass(crm_store, handoff_id) == "sent"
    assert [r.path for r in hubspot.requests] == [f"/submissions/v3/integration/secure/submit/123456/{FORM_GUID}"]
    assert hubspot.violations == []


# ----------------------------------------------------------------------------- Salesforce


def test_salesforce_lead_is_upserted_by_its_external_id_after_a_client_credentials_token(
    crm_store: LeadStore, salesforce: FakeSalesforce
) -> None:
    handoff_id = _queue(crm_store)

    assert _pass(crm_store, handoff_id) == "sent"

    assert salesforce.violations == []
    assert [(r.method, r.path) for r in salesforce.requests] == [
        ("POST", "/services/oauth2/token"),
        ("PATCH", "/services/data/v60.0/sobjects/Lead/Leadbot_Key__c/ann%40example.com"),
    ]
    lead = salesforce.leads["ann@example.com"]
    assert lead["LastName"] == "Example" and lead["FirstName"] == "Ann" and lead["Company"] == "Example GmbH"
    assert lead["Leadbot_Tier__c"] == "sales_ready" and lead["Leadbot_Score__c"] == 100
    assert lead["LeadSource"] == "google"
    assert crm_store.delivery_attempts(handoff_id)[0].status_code == 201


def test_salesforce_lead_without_contact_details_is_keyed_by_conversation_and_gets_defaults(
    crm_store: LeadStore, salesforce: FakeSalesforce
) -> None:
    handoff_id = _queue(crm_store, conversation_id="conv-anonymous", email=None)

    assert _pass(crm_store, handoff_id) == "sent"
    lead = salesforce.leads["conv-anonymous"]
    assert lead["LastName"] == "(not given)" and lead["Company"] == "(not given)" and "Email" not in lead
    assert salesforce.violations == []


def test_salesforce_expired_token_is_refreshed_once_and_the_lead_updated(
    crm_store: LeadStore, salesforce: FakeSalesforce
) -> None:
    worker = Worker(crm_store)
    first = _queue(crm_store)
    assert _pass(crm_store, first, worker) == "sent"
    salesforce.expire_tokens()
    second = _queue(crm_store, timing="in two weeks")

    assert _pass(crm_store, second, worker) == "sent"

    assert salesforce.issued == 2
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in salesforce.requests[2:]] == [
        ("PATCH", "ann%40example.com"),  # 401: the token expired
        ("POST", "token"),
        ("PATCH", "ann%40example.com"),
    ]
    assert len(salesforce.leads) == 1 and salesforce.violations == []
    assert crm_store.delivery_attempts(second)[0].status_code == 200  # updated, not created


def test_salesforce_wrong_client_secret_is_a_failed_attempt_that_says_so(
    crm_store: LeadStore, salesforce: FakeSalesforce, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADBOT_SALESFORCE_CLIENT_SECRET", "wrong")
    monkeypatch.setenv("LEADBOT_HANDOFF_BACKOFF_SECONDS", "60")  # one attempt in this pass, not several
    monkeypatch.setenv("LEADBOT_HANDOFF_BACKOFF_MAX_SECONDS", "60")
    handoff_id = _queue(crm_store)

    assert _pass(crm_store, handoff_id) == "pending"
    [attempt] = crm_store.delivery_attempts(handoff_id)
    assert (
        not attempt.ok
        and "OAuth token: HTTP 400" in (attempt.error or "")
        and "invalid_client" in (attempt.error or "")
    )
    assert salesforce.leads == {}


def test_salesforce_web_to_lead_posts_the_form_with_the_org_id(
    crm_store: LeadStore, salesforce: FakeSalesforce, crm_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm_files.write_text(crm_files.read_text().replace("  mode: upsert", "  mode: web_to_lead"))
    for name in ("URL", "CLIENT_ID", "CLIENT_SECRET"):
        monkeypatch.delenv(f"LEADBOT_SALESFORCE_{name}")
    monkeypatch.setenv("LEADBOT_SALESFORCE_ORG_ID", "00D000000000062")
    handoff_id = _queue(crm_store)

    assert _pass(crm_store, handoff_id) == "sent"
    [form] = salesforce.web_to_lead
    assert form["oid"] == "00D000000000062" and form["last_name"] == "Example" and form["email"] == "ann@example.com"
    assert "budget: around 20k a year" in form["description"]
    assert salesforce.violations == []


# ----------------------------------------------------------------------------- both, and the outbox


def test_a_crm_that_accepted_is_not_sent_again_while_the_other_is_retried(
    crm_store: LeadStore, hubspot: FakeHubSpot, salesforce: FakeSalesforce
) -> None:
    salesforce.fail_next(503, times=1)  # the token endpoint is down once
    handoff_id = _queue(crm_store)

    assert _drain(crm_store, handoff_id) == "sent"

    assert len(hubspot.calls("POST", "/crm/v3/objects/contacts")) == 1
    assert len(salesforce.calls("PATCH", r".*/sobjects/Lead/.*")) == 1
    attempts = [(a.channel, a.ok) for a in crm_store.delivery_attempts(handoff_id)]
    assert attempts == [("hubspot", True), ("salesforce", False), ("salesforce", True)]
    assert hubspot.violations == [] and salesforce.violations == []


def test_crm_credentials_without_a_crm_file_stop_the_worker_with_a_fix(
    hubspot: FakeHubSpot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bare.yml").write_text("version: 1\n")
    monkeypatch.setenv("LEADBOT_SLA", str(tmp_path / "bare.yml"))
    with pytest.raises(SettingsError, match=r"add `crm: crm.yml`"):
        crm_channels(current_settings())


def test_a_crm_base_url_over_plain_http_beyond_loopback_is_refused(
    hubspot: FakeHubSpot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADBOT_HUBSPOT_API_URL", "http://crm.example.com")
    with pytest.raises(SettingsError, match=r"LEADBOT_HUBSPOT_API_URL.*https://"):
        crm_channels(current_settings())


# ----------------------------------------------------------------------------- owner lookup


def test_hubspot_owner_lookup_gives_the_contact_owners_email(hubspot: FakeHubSpot) -> None:
    hubspot.add_contact("ann@example.com", hubspot_owner_id="77")
    hubspot.add_contact("nobody-owns@example.com")
    hubspot.add_contact("gone@example.com", hubspot_owner_id="99")
    hubspot.owners["77"] = "rep.maria@pipewise.example"
    owners = HubSpotOwners(current_settings())

    assert owners.owner_email("ann@example.com") == "rep.maria@pipewise.example"
    assert owners.owner_email("nobody-owns@example.com") is None
    assert owners.owner_email("gone@example.com") is None  # owner 404
    assert owners.owner_email("new@example.com") is None  # no such contact
    assert hubspot.violations == []
    first = hubspot.requests[0]
    assert first.query == {"idProperty": ["email"], "properties": ["hubspot_owner_id"]}


def test_salesforce_owner_lookup_prefers_the_contact_owner_and_ignores_queues(salesforce: FakeSalesforce) -> None:
    salesforce.owned[("Contact", "ann@example.com")] = "005000000000001"
    salesforce.owned[("Lead", "ann@example.com")] = "005000000000002"
    salesforce.owned[("Lead", "queued@example.com")] = "00G000000000003"
    salesforce.owned[("Lead", "o'brien@example.com")] = "005000000000002"
    salesforce.users.update(
        {"005000000000001": "rep.ana@pipewise.example", "005000000000002": "rep.bo@pipewise.example"}
    )
    owners = SalesforceOwners(current_settings())

    assert owners.owner_email("ann@example.com") == "rep.ana@pipewise.example"
    assert owners.owner_email("o'brien@example.com") == "rep.bo@pipewise.example"  # quote escaped in SOQL
    assert owners.owner_email("queued@example.com") is None
    assert owners.owner_email("new@example.com") is None
    assert salesforce.violations == [] and salesforce.issued == 1


def test_owner_lookup_asks_hubspot_then_salesforce(hubspot: FakeHubSpot, salesforce: FakeSalesforce) -> None:
    assert [type(lookup).__name__ for lookup in owner_lookups(current_settings())] == [
        "HubSpotOwners",
        "SalesforceOwners",
    ]
    hubspot.add_contact("ann@example.com", hubspot_owner_id="77")
    hubspot.owners["77"] = "rep.maria@pipewise.example"
    salesforce.owned[("Lead", "bo@example.com")] = "005000000000009"
    salesforce.users["005000000000009"] = "rep.bo@pipewise.example"
    lookup = owner_lookup(current_settings(), timeout=2.0)
    assert lookup is not None

    assert lookup.owner_email("ann@example.com") == "rep.maria@pipewise.example"
    assert salesforce.requests == []  # HubSpot knew: Salesforce is not asked
    assert lookup.owner_email("bo@example.com") == "rep.bo@pipewise.example"
    assert lookup.owner_email("new@example.com") is None
    assert hubspot.violations == [] and salesforce.violations == []


def test_no_crm_api_means_no_owner_lookup(crm_files: Path) -> None:
    assert owner_lookup(current_settings()) is None
