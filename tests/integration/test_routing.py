"""Routing against real databases and receivers: round robin from two threads (SQLite and
PostgreSQL), the assignee in the Slack message, the email and the webhook body, reassignment
after the timeout (a frozen `now`, no sleeping), `leadbot leads show` and the console.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from bot.cli import main
from bot.delivery import Worker, finish_lead
from bot.delivery.routing import reassign_due, routed_handoff
from bot.domain import utcnow
from bot.domain.booking import BookingEvent
from bot.domain.routing import Assignee, RoutePlan
from bot.settings import current_settings
from bot.sla import SLA
from bot.storage import LeadStore
from tests.console_helpers import running_console, signed_in
from tests.smtp_inbox import SmtpInbox

from .conftest import free_port, make_sla, make_snapshot

ROUTING = """
reassign_after_minutes: 30
working_hours: {mon-sun: "00:00-24:00"}
reps:
  - {id: lucia, name: Lucía Fernández, email: lucia@example.com, slack_user_id: U0LUCIA01, languages: [es],
     time_zone: Europe/Madrid}
  - {id: javier, name: Javier Ruiz, email: javier@example.com, slack_user_id: U0JAVIER1, languages: [es],
     time_zone: Europe/Madrid}
  - {id: emma, name: Emma Clarke, email: emma@example.com, slack_user_id: U0EMMA001, time_zone: Europe/London}
  - {id: sam, name: Sam Ortega, email: sam@example.com, slack_user_id: U0SAM0001, time_zone: Europe/Madrid}
pools:
  spanish: {reps: [lucia, javier], email: ventas@example.com}
  night: {reps: [emma], outside_hours: queue}
rules:
  - {name: Spanish-speaking visitors, when: {language: es}, pool: spanish}
  - {name: Night shift test, when: {utm_campaign: night}, pool: night}
default_owner: sam
"""


def _routed_sla(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, routing: str = ROUTING) -> SLA:
    (tmp_path / "routing.yml").write_text(routing, encoding="utf-8")
    # The worker reads the SLA file itself (for its `routing:`): the same SLA as make_sla's.
    (tmp_path / "sla.yml").write_text(
        "languages: [en, es]\nfollow_up: {within_minutes: 60, text: {en: We'll call., es: Te llamamos.}}\n"
        "questions: []\ncriteria: {}\nrouting: routing.yml\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("LEADBOT_SLA", str(tmp_path / "sla.yml"))
    return make_sla().copy(update={"routing": "routing.yml"})


def _spanish(**kwargs: object) -> object:
    return replace(make_snapshot(**kwargs), language="es")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- round robin


def _plan(*reps: str, pool: str = "p") -> RoutePlan:
    return RoutePlan(
        rule="rule 1", target="pool", pool=pool, reason="test", choices=tuple(Assignee(r, r, pool=pool) for r in reps)
    )


def _leads(store: LeadStore, n: int) -> list[int]:
    ids = []
    for _ in range(n):
        snap = make_snapshot()
        store.save(snap)
        lead = store.get(snap.conversation_id)
        assert lead is not None
        ids.append(lead.id)
    return ids


def test_round_robin_from_two_workers_never_gives_one_rep_two_in_a_row(database_url: str) -> None:
    ids = _leads(LeadStore(database_url), 30)
    errors: list[BaseException] = []

    def worker(mine: list[int]) -> None:
        store = LeadStore(database_url)  # each worker its own store, as two processes would have
        try:
            for lead_id in mine:
                store.assign(lead_id, _plan("ana", "ben", "cal"), now=utcnow())
        except BaseException as exc:  # surfaced below: a thread's exception is lost otherwise
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(ids[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    store = LeadStore(database_url)
    # The order the pool lock served them in is the order the assignments were written.
    picks = [a.assignee.rep_id for a in sorted((store.assignment(i) for i in ids), key=lambda a: a.id)]  # type: ignore[union-attr]
    assert all(a != b for a, b in itertools.pairwise(picks)), picks
    assert store.round_robin_counts("p") == {"ana": 10, "ben": 10, "cal": 10}


def test_a_new_rep_starts_at_the_pools_minimum_and_an_absent_one_gets_no_run(sqlite_url: str) -> None:
    store = LeadStore(sqlite_url)
    ids = _leads(store, 11)
    picks = [store.assign(i, _plan("ana", "ben"), now=utcnow()).assignee.rep_id for i in ids[:4]]  # type: ignore[union-attr]
    assert picks == ["ana", "ben", "ana", "ben"]
    # cal joins at the minimum (2), not at 0: no six leads in a row for the newcomer.
    picks = [store.assign(i, _plan("ana", "ben", "cal"), now=utcnow()).assignee.rep_id for i in ids[4:7]]  # type: ignore[union-attr]
    assert picks == ["cal", "ana", "ben"]
    # ben is away for two leads, then comes back behind: he catches up by one, not with a run.
    picks = [store.assign(i, _plan("ana", "cal"), now=utcnow()).assignee.rep_id for i in ids[7:9]]  # type: ignore[union-attr]
    assert picks == ["cal", "ana"]
    picks = [store.assign(i, _plan("ana", "ben", "cal"), now=utcnow()).assignee.rep_id for i in ids[9:11]]  # type: ignore[union-attr]
    assert picks == ["ben", "cal"]
    counts = store.round_robin_counts("p")
    assert max(counts.values()) - min(counts.values()) <= 1


def test_a_lead_finished_twice_keeps_its_assignee(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sla = _routed_sla(tmp_path, monkeypatch)
    store = LeadStore(sqlite_url)
    snap = _spanish()
    first = finish_lead(store, snap, sla=sla, handoff=True)  # type: ignore[arg-type]
    again = finish_lead(store, snap, sla=sla, handoff=True)  # type: ignore[arg-type]
    assert first.handoff and again.handoff and first.handoff.id == again.handoff.id
    assert len(store.assignments(first.id)) == 1 and store.round_robin_counts("spanish") == {"lucia": 1, "javier": 0}


def test_queue_holds_the_handoff_until_the_pool_opens(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    night = ROUTING.replace('{mon-sun: "00:00-24:00"}', '{mon-fri: "09:00-17:00"}')
    sla = _routed_sla(tmp_path, monkeypatch, night)
    store = LeadStore(sqlite_url)
    snap = make_snapshot()
    snap = replace(snap, page_context={**(snap.page_context or {}), "utm": {"utm_campaign": "night"}})
    lead = store.close(snap, currency="EUR")
    friday_night = datetime(2026, 12, 4, 22, 0, tzinfo=timezone.utc)
    queued = routed_handoff(store, lead, sla=sla, settings=current_settings(), now=friday_night)
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)  # Emma starts at 09:00 in London
    assert queued.not_before == monday and queued.payload["assignee"]["deliver_at"] == monday.isoformat()
    settled = store.settle(lead.id, summary="s", handoff=queued, hand_off=True)
    assert settled.handoff is not None and settled.handoff.next_attempt_at == monday


def test_a_lead_assigned_outside_hours_gets_its_response_time_from_the_reps_start(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = ROUTING.replace('{mon-sun: "00:00-24:00"}', '{mon-fri: "09:00-17:00"}')
    sla = _routed_sla(tmp_path, monkeypatch, office)
    store = LeadStore(sqlite_url)
    lead = store.close(_spanish(), currency="EUR")  # type: ignore[arg-type]
    friday_night = datetime(2026, 12, 4, 22, 0, tzinfo=timezone.utc)
    routed_handoff(store, lead, sla=sla, settings=current_settings(), now=friday_night)
    assigned = store.assignment(lead.id)
    monday = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)  # 09:00 in Madrid
    assert assigned is not None and assigned.outside_hours
    # not reassigned on Friday night at 22:30 because nobody judged it while everyone slept
    assert assigned.respond_by == monday + timedelta(minutes=30)


# --------------------------------------------------------------------------- the handoff to the assignee


@pytest.fixture
def receivers(
    monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer, leadbot_env: None
) -> Iterator[tuple[HTTPServer, SmtpInbox]]:
    from aiosmtpd.controller import Controller

    monkeypatch.setenv("LEADBOT_HANDOFF_URL", httpserver.url_for("/leads"))
    monkeypatch.setenv("LEADBOT_HANDOFF_SECRET", "s3cret")
    monkeypatch.setenv("LEADBOT_SLACK_WEBHOOK_URL", httpserver.url_for("/slack"))
    httpserver.expect_request("/leads", method="POST").respond_with_json({"ok": True})
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in {
        "LEADBOT_SMTP_HOST": "127.0.0.1", "LEADBOT_SMTP_PORT": str(port), "LEADBOT_SMTP_STARTTLS": "false",
        "LEADBOT_SMTP_FROM": "leadbot@example.com", "LEADBOT_SMTP_TO": "sales@example.com",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    yield httpserver, inbox
    controller.stop()


def _sent(http: HTTPServer, path: str) -> list[dict[str, object]]:
    return [json.loads(request.get_data()) for request, _ in http.log if request.path == path]


def test_a_spanish_lead_reaches_its_rep_and_is_reassigned_when_nobody_judges_it(
    receivers: tuple[HTTPServer, SmtpInbox], sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    http, inbox = receivers
    sla = _routed_sla(tmp_path, monkeypatch)
    store = LeadStore(sqlite_url)
    worker = Worker(store)
    lead = finish_lead(store, _spanish(), sla=sla, handoff=True)  # type: ignore[arg-type]
    worker.deliver_due()

    [slack] = _sent(http, "/slack")
    assert str(slack["text"]).startswith("<@U0LUCIA01> *Assigned to:* Lucía Fernández (pool spanish)")
    [body] = _sent(http, "/leads")
    assert body["event"] == "lead.handed_off" and body["assignee"]["id"] == "lucia"  # type: ignore[index]
    assert body["assignee"]["cc"] == ["ventas@example.com", "sales@example.com"]  # type: ignore[index]
    assert "rule 1 'Spanish-speaking visitors' → pool spanish" in body["assignee"]["reason"]  # type: ignore[index]
    [mail] = inbox.messages
    assert mail["To"] == "lucia@example.com" and mail["Cc"] == "ventas@example.com, sales@example.com"
    assert "Assigned to: Lucía Fernández (pool spanish)" in mail.get_payload()[0].get_payload(decode=True).decode()

    # 31 minutes without a verdict: Javier, the other rep of the pool, gets it, on every channel.
    first_key = store.get(lead.id).handoff.idempotency_key  # type: ignore[union-attr]
    assert worker.reassign_due(now=utcnow() + timedelta(minutes=29)) == 0
    assert worker.reassign_due(now=utcnow() + timedelta(minutes=31)) == 1
    worker.deliver_due()
    slack = _sent(http, "/slack")[-1]
    assert str(slack["text"]).startswith("<@U0JAVIER1> *Assigned to:* Javier Ruiz (pool spanish) — reassigned from")
    body = _sent(http, "/leads")[-1]
    assert body["event"] == "lead.reassigned" and body["assignee"]["id"] == "javier"  # type: ignore[index]
    assert body["previous_assignee"]["id"] == "lucia" and body["idempotency_key"] != first_key  # type: ignore[index]
    assert inbox.messages[-1]["To"] == "javier@example.com"

    # Another 31 minutes: the default owner; after that nobody else.
    assert reassign_due(store, current_settings(), now=utcnow() + timedelta(minutes=62), sla=sla) == 1
    worker.deliver_due()
    assert str(_sent(http, "/slack")[-1]["text"]).startswith("<@U0SAM0001>")
    assert inbox.messages[-1]["To"] == "sam@example.com"
    assert reassign_due(store, current_settings(), now=utcnow() + timedelta(days=1), sla=sla) == 0
    log = store.assignments(lead.id)
    assert [(a.assignee.rep_id, a.attempt, a.current) for a in log] == [
        ("lucia", 0, False), ("javier", 1, False), ("sam", 2, True),
    ]  # fmt: skip
    assert log[0].ended and "no verdict from Lucía Fernández within 30 min" in log[0].ended
    assert len(_sent(http, "/leads")) == 3 and len(inbox.messages) == 3


def test_a_lead_with_a_verdict_is_not_reassigned(
    receivers: tuple[HTTPServer, SmtpInbox], sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sla = _routed_sla(tmp_path, monkeypatch)
    store = LeadStore(sqlite_url)
    lead = finish_lead(store, _spanish(), sla=sla, handoff=True)  # type: ignore[arg-type]
    Worker(store).deliver_due()
    store.feedback(lead.id, "accept", "fits", "lucia@example.com")
    assert reassign_due(store, current_settings(), now=utcnow() + timedelta(hours=2), sla=sla) == 0
    assert [a.assignee.rep_id for a in store.assignments(lead.id)] == ["lucia"]


class FakeCRM:
    def owner_email(self, visitor_email: str) -> str | None:
        return {"ann@example.com": "emma@example.com"}.get(visitor_email)


def test_the_crm_owner_takes_the_lead_before_the_rules(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, leadbot_env: None
) -> None:
    routing = ROUTING.replace("rules:\n", "rules:\n  - {name: Account owner, when: {}, crm_owner: true}\n")
    sla = _routed_sla(tmp_path, monkeypatch, routing)
    store = LeadStore(sqlite_url)
    owned = finish_lead(store, _spanish(), sla=sla, handoff=True, owner_lookup=FakeCRM())  # type: ignore[arg-type]
    unknown = finish_lead(store, _spanish(email="new@example.com"), sla=sla, handoff=True, owner_lookup=FakeCRM())  # type: ignore[arg-type]
    assert store.assignment(owned.id).assignee.rep_id == "emma"  # type: ignore[union-attr]
    assert store.assignment(owned.id).target == "crm_owner"  # type: ignore[union-attr]
    fell_through = store.assignment(unknown.id)
    assert fell_through is not None and fell_through.assignee.pool == "spanish"
    assert "the CRM knows no owner" in fell_through.steps[0]


def test_leads_show_prints_the_decision_log(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sla = _routed_sla(tmp_path, monkeypatch)
    lead = finish_lead(LeadStore(sqlite_url), _spanish(), sla=sla, handoff=True)  # type: ignore[arg-type]
    assert main(["--database-url", sqlite_url, "leads", "show", str(lead.id)]) == 0
    out = capsys.readouterr().out
    assert "→ lucia (Lucía Fernández) [current]" in out
    assert "reason: rule 1 'Spanish-speaking visitors' → pool spanish: working now; round robin" in out
    assert "candidate javier: eligible" in out and "reassigned if no verdict by" in out


def _book(store: LeadStore, conversation_id: str, change: str, uid: str) -> None:
    start = datetime(2026, 12, 9, 10, 0, tzinfo=timezone.utc)
    event = BookingEvent("calcom", change, f"{uid}-{change}", uid, starts_at=start, lead_refs=(conversation_id,))
    assert store.apply_booking(event).outcome == "applied"


def test_leads_list_show_and_export_name_the_assignee_and_the_meeting(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sla = _routed_sla(tmp_path, monkeypatch)
    store = LeadStore(sqlite_url)
    booked = finish_lead(store, _spanish(), sla=sla, handoff=True)  # type: ignore[arg-type]
    cancelled = finish_lead(store, _spanish(), sla=sla, handoff=True)  # type: ignore[arg-type]
    unrouted = finish_lead(store, make_snapshot(email="bob@example.com"), sla=make_sla(), handoff=True)
    _book(store, booked.conversation_id, "booked", "uid-1")
    _book(store, cancelled.conversation_id, "booked", "uid-2")
    _book(store, cancelled.conversation_id, "cancelled", "uid-2")

    def cli(*argv: str) -> str:
        assert main(["--database-url", sqlite_url, *argv]) == 0
        return capsys.readouterr().out

    header, *lines = cli("leads", "list").splitlines()
    column = header.index("ASSIGNEE")
    assignee = {line.split()[0]: line[column:].split()[0] for line in lines}
    assert assignee == {str(booked.id): "lucia", str(cancelled.id): "javier", str(unrouted.id): "-"}
    shown = cli("leads", "show", str(booked.id))
    assert "Assignee: Lucía Fernández (pool spanish) <lucia@example.com>" in shown
    assert "Meeting: booked for 2026-12-09 10:00 UTC via calcom · booked " in shown
    assert "Meeting: cancelled (booked via calcom " in cli("leads", "show", str(cancelled.id))
    shown = cli("leads", "show", str(unrouted.id))
    assert "Assignee: none (not routed)" in shown and "Meeting: none booked" in shown

    exported = {o["lead_id"]: o for o in json.loads(cli("export", "--format", "json"))}
    assert exported[booked.id]["assignee"]["id"] == "lucia" and exported[booked.id]["assignee"]["pool"] == "spanish"
    assert "'Spanish-speaking visitors'" in exported[booked.id]["assignee"]["rule"]
    assert exported[booked.id]["booking"] == {
        "status": "booked", "provider": "calcom", "starts_at": "2026-12-09T10:00:00+00:00", "ends_at": None,
        "booked_at": exported[booked.id]["booking"]["booked_at"], "reschedules": 0,
    }  # fmt: skip
    assert exported[cancelled.id]["booking"]["status"] == "cancelled"
    assert exported[unrouted.id]["assignee"] is None and exported[unrouted.id]["booking"] is None
    csv_rows = {r["lead_id"]: r for r in csv.DictReader(io.StringIO(cli("export", "--format", "csv")))}
    assert csv_rows[str(booked.id)]["assignee_id"] == "lucia" and csv_rows[str(booked.id)]["booking_status"] == "booked"
    assert csv_rows[str(booked.id)]["booking_starts_at"] == "2026-12-09T10:00:00+00:00"
    assert csv_rows[str(unrouted.id)]["assignee_id"] == "" and csv_rows[str(unrouted.id)]["booking_status"] == ""


def test_the_console_shows_the_assignee_and_filters_the_inbox_by_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_console(tmp_path, monkeypatch) as console:
        sla = _routed_sla(tmp_path, monkeypatch)
        rep = console.add_user("rep@example.com")
        to_lucia = finish_lead(console.store, _spanish(), sla=sla, handoff=True)  # type: ignore[arg-type]
        to_javier = finish_lead(console.store, _spanish(), sla=sla, handoff=True)  # type: ignore[arg-type]
        unrouted = console.finished_lead()
        http = signed_in(console, rep)
        page = http.get(f"{console.console}/leads/{to_javier.id}", timeout=10).text
        assert 'id="routing"' in page and "Javier Ruiz" in page and "round robin" in page
        assert "lucia: eligible" in page or "lucia: not eligible" in page
        inbox = http.get(f"{console.console}/", params={"assignee": "lucia"}, timeout=10).text
        assert f'data-lead="{to_lucia.id}"' in inbox
        assert f'data-lead="{to_javier.id}"' not in inbox and f'data-lead="{unrouted.id}"' not in inbox
        assert '<option value="javier">Javier Ruiz</option>' in inbox
        everyone = http.get(f"{console.console}/", timeout=10).text
        assert all(f'data-lead="{lead.id}"' in everyone for lead in (to_lucia, to_javier, unrouted))


def test_without_routing_the_handoff_goes_to_the_channels_with_no_assignee(sqlite_url: str) -> None:
    store = LeadStore(sqlite_url)
    lead = finish_lead(store, make_snapshot(), sla=make_sla(), handoff=True)
    assert lead.handoff is not None and lead.handoff.payload["assignee"] is None
    assert store.assignments(lead.id) == [] and "Assigned to" not in str(lead.handoff.payload["summary"])


def test_forgetting_a_visitor_removes_their_routing_decisions(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sla = _routed_sla(tmp_path, monkeypatch)
    store = LeadStore(database_url)
    lead = finish_lead(store, _spanish(email="gone@example.com"), sla=sla, handoff=True)  # type: ignore[arg-type]
    assert store.assignments(lead.id)
    assert store.forget_details("gone@example.com").leads == 1
    assert store.assignments(lead.id) == [] and store.round_robin_counts("spanish") == {"lucia": 1, "javier": 0}


def test_two_workers_reassign_a_lead_once(
    receivers: tuple[HTTPServer, SmtpInbox], database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sla = _routed_sla(tmp_path, monkeypatch)
    store = LeadStore(database_url)
    lead = finish_lead(store, _spanish(), sla=sla, handoff=True)  # type: ignore[arg-type]
    Worker(store).deliver_due()
    later = utcnow() + timedelta(minutes=31)
    moved: list[int] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        barrier.wait()
        moved.append(reassign_due(LeadStore(database_url), current_settings(), now=later, sla=sla))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(moved) == [0, 1]
    assert [(a.assignee.rep_id, a.current) for a in store.assignments(lead.id)] == [("lucia", False), ("javier", True)]
