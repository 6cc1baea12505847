"""The leads database on SQLite and PostgreSQL: upserts, finish/handoff idempotency, export,
feedback, report, forget and purge."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from bot.delivery import export_leads, finish_lead
from bot.domain import utcnow
from bot.storage import Base, LeadStore, delete_tracker_events

from .conftest import make_sla, make_snapshot

DESIGN_KEYS = {
    "conversation_id",
    "started_at",
    "language",
    "answers",
    "score",
    "tier",
    "knocked_out_by",
    "qualified",
    "handed_off",
    "contact",
    "summary",
}


def test_migrations_create_every_table(store: LeadStore) -> None:
    names = set(inspect(store.engine).get_table_names())
    assert {"leads", "answers", "handoffs", "delivery_attempts", "feedback", "alembic_version"} <= names
    assert set(Base.metadata.tables) <= names


def test_save_upserts_one_lead_and_one_answer_row_per_criterion(store: LeadStore) -> None:
    snap = make_snapshot(budget=None, role=None, timing=None, status="in_progress", total=30)
    store.save(snap)
    store.save(snap)
    corrected = make_snapshot(snap.conversation_id, need="Actually our CRM follow-up is broken", status="in_progress")
    store.save(corrected)
    lead = store.get(snap.conversation_id)
    assert lead is not None
    assert set(lead.answers) == {"need", "budget", "role", "timing"}
    assert lead.answers["need"].raw == "Actually our CRM follow-up is broken"
    assert lead.answers["budget"].value == 20000.0
    assert lead.score == 100
    assert len(store.list()) == 1
    with store.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM answers")).scalar_one() == 4


def test_a_nul_character_typed_by_the_visitor_is_dropped_not_fatal(store: LeadStore) -> None:
    # PostgreSQL refuses NUL in text; the fuzz test found a message with one failing the save.
    snap = make_snapshot("nul\x00-visitor", need="bad\x00 leads", status="in_progress", total=30)
    store.save(snap)
    lead = store.get("nul-visitor")
    assert lead is not None and lead.answers["need"].raw == "bad leads"


def test_contact_is_stored_only_with_consent(store: LeadStore) -> None:
    no = make_snapshot(consent=False)
    unknown = make_snapshot(consent=None)
    yes = make_snapshot(consent=True)
    for snap in (no, unknown, yes):
        store.save(snap)
    assert store.get(no.conversation_id).contact is None  # type: ignore[union-attr]
    assert store.get(unknown.conversation_id).contact is None  # type: ignore[union-attr]
    assert store.get(yes.conversation_id).contact.email == "ann@example.com"  # type: ignore[union-attr]
    store.save(replace(yes, contact_consent=False))  # consent withdrawn: the details go
    assert store.get(yes.conversation_id).contact is None  # type: ignore[union-attr]


def test_finish_queues_exactly_one_handoff_even_when_called_twice(store: LeadStore) -> None:
    snap = make_snapshot()
    first = finish_lead(store, snap, sla=make_sla(), handoff=True)
    second = finish_lead(store, snap, sla=make_sla(), handoff=True)
    assert first.handoff is not None and second.handoff is not None
    assert first.handoff.id == second.handoff.id
    assert first.handoff.idempotency_key == second.handoff.idempotency_key
    assert len(store.handoffs()) == 1
    payload = first.handoff.payload
    assert payload["handoff_id"] == first.handoff.id
    assert payload["conversation_id"] == snap.conversation_id
    assert "wastes hours" in payload["summary"] and "summary_markdown" in payload


def test_concurrent_finish_never_creates_two_handoffs(store: LeadStore) -> None:
    snap = make_snapshot()
    store.save(snap)
    errors: list[BaseException] = []

    def finish() -> None:
        try:
            finish_lead(LeadStore(store.url), snap, sla=make_sla(), handoff=True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=finish) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(store.handoffs()) == 1


def test_finish_without_handoff_queues_nothing(store: LeadStore) -> None:
    lead = finish_lead(store, make_snapshot(status="nurture", total=50), sla=make_sla(), handoff=False)
    assert lead.handoff is None and lead.finished_at is not None and lead.summary


def test_reset_deletes_answers_and_keeps_the_lead(store: LeadStore) -> None:
    snap = make_snapshot(status="in_progress")
    store.save(snap)
    store.reset(snap.conversation_id)
    lead = store.get(snap.conversation_id)
    assert lead is not None and lead.answers == {} and lead.score == 0 and lead.status == "in_progress"
    store.reset("no-such-conversation")  # harmless


def test_start_over_after_the_close_keeps_the_outcome_until_the_next_close(store: LeadStore) -> None:
    finished = finish_lead(store, make_snapshot(), sla=make_sla(), handoff=True)
    store.reset(finished.conversation_id)
    store.save(make_snapshot(finished.conversation_id, status="in_progress", budget=None, total=75))
    lead = store.get(finished.conversation_id)
    assert lead is not None and (lead.status, lead.tier, lead.score) == ("sales_ready", "sales_ready", 100)
    assert lead.summary == finished.summary and lead.handoff is not None and "budget" in lead.answers


def test_a_late_answer_never_moves_a_finished_or_stopped_lead_back(store: LeadStore) -> None:
    finished = finish_lead(store, make_snapshot(status="nurture", total=50), sla=make_sla(), handoff=False)
    late = make_snapshot(finished.conversation_id, status="in_progress", timing="whenever")
    assert store.save(late) == "nurture"
    assert store.get(finished.id).status == "nurture"  # type: ignore[union-attr]
    stopped = finish_lead(store, make_snapshot("stopped-1", status="stopped"), sla=make_sla(), handoff=False)
    assert store.save(make_snapshot("stopped-1", status="in_progress")) == "stopped"
    assert store.get(stopped.id).status == "stopped"  # type: ignore[union-attr]


def test_stop_after_the_close_keeps_the_outcome_and_its_handoff(store: LeadStore) -> None:
    finished = finish_lead(store, make_snapshot(), sla=make_sla(), handoff=True)
    stop = make_snapshot(finished.conversation_id, status="stopped")
    after = finish_lead(store, stop, sla=make_sla(), handoff=False)
    assert after.status == "sales_ready" and after.handoff is not None
    assert after.handoff.idempotency_key == finished.handoff.idempotency_key  # type: ignore[union-attr]


def test_get_by_lead_id_or_conversation_id(store: LeadStore) -> None:
    snap = make_snapshot()
    store.save(snap)
    lead = store.get(snap.conversation_id)
    assert lead is not None
    assert store.get(lead.id) == store.get(str(lead.id)) == lead
    assert store.get("missing") is None


def test_export_matches_design_shape_and_round_trips_values(store: LeadStore) -> None:
    finished = make_snapshot()
    finish_lead(store, finished, sla=make_sla(), handoff=True)
    store.save(make_snapshot(budget=None, role=None, timing=None, status="in_progress", total=30))
    empty = make_snapshot(status="in_progress")
    store.save(replace(empty, answers={}))  # no answer yet: not exported
    objects = json.loads(
        json.dumps(export_leads(store, language=make_sla().sales_language, currency=make_sla().currency))
    )
    assert len(objects) == 2
    obj = next(o for o in objects if o["conversation_id"] == finished.conversation_id)
    assert set(obj) >= DESIGN_KEYS
    assert set(obj["answers"]) == {"need", "budget", "role", "timing"}
    assert obj["answers"]["need"]["raw"] == finished.answers["need"].raw
    assert obj["answers"]["need"]["value"] == "pain" and obj["answers"]["need"]["points"] == 30
    assert obj["answers"]["budget"]["value"] == 20000.0 and obj["answers"]["budget"]["currency"] == "EUR"
    assert isinstance(obj["answers"]["budget"]["value"], float) and isinstance(obj["answers"]["timing"]["value"], float)
    assert obj["answers"]["role"]["value"] == "decision_maker"
    assert obj["answers"]["timing"]["value"] == 3.0 and obj["answers"]["timing"]["points"] == 20
    assert obj["score"] == 100 and obj["tier"] == "sales_ready" and obj["knocked_out_by"] is None
    assert obj["qualified"] is True and obj["handed_off"] is True
    assert obj["contact"] == {"name": "Ann Example", "email": "ann@example.com", "company": "Example GmbH"}
    assert isinstance(obj["summary"], str) and "Ann Example" in obj["summary"]
    assert obj["started_at"].startswith(finished.started_at.date().isoformat())
    partial = next(o for o in objects if o is not obj)
    assert partial["answers"]["budget"] == {"raw": None, "value": None, "currency": "EUR", "points": 0}
    assert partial["handed_off"] is False


def test_list_filters(store: LeadStore) -> None:
    ready = make_snapshot()
    nurture = make_snapshot(status="nurture", total=50)
    finish_lead(store, ready, sla=make_sla(), handoff=True)
    finish_lead(store, nurture, sla=make_sla(), handoff=False)
    assert [lead.conversation_id for lead in store.list(tier="nurture")] == [nurture.conversation_id]
    assert [lead.conversation_id for lead in store.list(handed_off=True)] == [ready.conversation_id]
    assert [lead.conversation_id for lead in store.list(handed_off=False)] == [nurture.conversation_id]
    tomorrow = (utcnow() + timedelta(days=1)).date()
    assert store.list(since=tomorrow) == []
    assert len(store.list(until=tomorrow)) == 2


def test_feedback_and_report(store: LeadStore) -> None:
    a, b, c = (make_snapshot() for _ in range(3))
    for snap in (a, b, c):
        finish_lead(store, snap, sla=make_sla(), handoff=True)
    store.feedback(a.conversation_id, "accept", "great fit", "rep@example.com")
    store.feedback(b.conversation_id, "reject", "student")
    with pytest.raises(ValueError):
        store.feedback(a.conversation_id, "maybe")
    with pytest.raises(LookupError):
        store.feedback("nope", "accept")
    report = store.report(follow_up_minutes=60)
    assert report.per_tier == {"sales_ready": 3}
    assert report.handoffs_pending == 3 and report.handoffs_sent == 0
    assert report.accepted == 1 and report.rejected == 1 and report.acceptance_rate == 0.5
    assert (report.follow_up_met, report.follow_up_breached, report.follow_up_open) == (2, 0, 1)
    later = store.report(follow_up_minutes=60, now=utcnow() + timedelta(hours=2))
    assert (later.follow_up_met, later.follow_up_breached, later.follow_up_open) == (2, 1, 0)


def _all_text(url: str) -> str:
    engine = create_engine(url, future=True)
    chunks = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                chunks.append(json.dumps([str(v) for v in row], ensure_ascii=False))
    engine.dispose()
    return "\n".join(chunks).lower()


def test_forget_leaves_no_trace_of_the_email(store: LeadStore, tmp_path: Path) -> None:
    email = "Forget.Me@Example.org"
    tracker = f"sqlite:///{tmp_path / 'tracker.db'}"
    engine = create_engine(tracker, future=True)
    with engine.begin() as c:
        c.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)"))
    keep = make_snapshot(email="keep@example.org")
    by_contact = make_snapshot(email=email)
    # Without consent the contact is not stored, but the visitor typed the email in an answer.
    typed = make_snapshot(email=email, consent=False, need=f"write me at {email.lower()} about our lead mess")
    for snap in (keep, by_contact, typed):
        finish_lead(store, snap, sla=make_sla(), handoff=True)
        with engine.begin() as c:
            c.execute(
                text("INSERT INTO events (sender_id, data) VALUES (:s, :d)"),
                {"s": snap.conversation_id, "d": json.dumps({"text": snap.transcript[-1].text})},
            )
    store.feedback(by_contact.conversation_id, "accept", "called", "rep")
    result = store.forget_details(email, tracker_db_url=tracker)
    assert result.leads == 2 and set(result.conversation_ids) == {by_contact.conversation_id, typed.conversation_id}
    assert result.handoffs == 2 and result.feedback == 1 and result.tracker_events == 2
    leftovers = _all_text(store.url)
    assert email.lower() not in leftovers
    assert by_contact.conversation_id not in leftovers and typed.conversation_id not in leftovers
    assert "keep@example.org" in leftovers
    with engine.connect() as c:
        assert [r[0] for r in c.execute(text("SELECT sender_id FROM events"))] == [keep.conversation_id]
    engine.dispose()
    assert store.forget(email) == 0


def test_purge_erases_old_leads_only(store: LeadStore) -> None:
    old, new = make_snapshot(), make_snapshot()
    finish_lead(store, old, sla=make_sla(), handoff=True)
    store.save(new)
    from bot.storage.tables import LeadRow

    with store.session() as s:
        row = s.execute(select(LeadRow).where(LeadRow.conversation_id == old.conversation_id)).scalar_one()
        row.updated_at = utcnow() - timedelta(days=100)
    assert store.purge(90) == [old.conversation_id]
    assert store.get(old.conversation_id) is None and store.get(new.conversation_id) is not None
    assert store.handoffs() == []


def test_claims_never_overlap(store: LeadStore) -> None:
    for _ in range(6):
        finish_lead(store, make_snapshot(), sla=make_sla(), handoff=True)
    results: dict[str, list[int]] = {}

    def claim(name: str) -> None:
        results[name] = [
            c.handoff.id for c in LeadStore(store.url).claim_handoffs(worker=name, lease_seconds=60, limit=6)
        ]

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    claimed = [i for ids in results.values() for i in ids]
    assert sorted(claimed) == sorted(set(claimed))
    assert len(claimed) == 6
    assert store.claim_handoffs(worker="late", lease_seconds=60) == []


def test_delete_tracker_events_with_no_ids_is_a_no_op(tmp_path: Path) -> None:
    assert delete_tracker_events(f"sqlite:///{tmp_path / 't.db'}", []) == 0


def test_forget_and_purge_work_in_batches_over_more_leads_than_one_batch(
    store: LeadStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`forget` streams the JSON columns it scans (yield_per) and erases in short batches."""
    from sqlalchemy.orm import Session

    from bot.storage import privacy

    monkeypatch.setattr(privacy, "BATCH", 2)
    streamed: list[dict[str, object]] = []
    execute = Session.execute

    def spy(self: Session, statement: object, *args: object, **kwargs: object) -> object:
        options = getattr(statement, "_execution_options", {})
        if "yield_per" in options:
            streamed.append(dict(options))
        return execute(self, statement, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Session, "execute", spy)
    email = "many@example.org"
    mention = [make_snapshot(need=f"mail {email} about our bad leads", consent=False) for _ in range(5)]
    others = [make_snapshot(email="other@example.org") for _ in range(3)]
    for snap in mention + others:
        finish_lead(store, snap, sla=make_sla(), handoff=True)
    result = store.forget_details(email)
    assert result.leads == 5 and result.handoffs == 5 and len(result.conversation_ids) == 5
    assert streamed and all(o["yield_per"] == 2 for o in streamed)
    assert sorted(lead.conversation_id for lead in store.list()) == sorted(s.conversation_id for s in others)


def test_report_tallies_every_criterion_of_the_sla_including_declared_ones(store: LeadStore, tmp_path: Path) -> None:
    from bot.conversation.lead import snapshot
    from bot.sla import load_sla

    example = Path(__file__).resolve().parents[2] / "examples" / "saas-b2b.yml"
    sla = load_sla(example)
    now = utcnow().timestamp()
    events = [{"event": "user", "text": "hi", "timestamp": now}]
    sizes = ["we're about 40 people", "roughly 200 employees", "no idea honestly, ask HR"]
    for number, size in enumerate(sizes):
        slots = {"need": "our reps waste hours on bad leads", "criteria_answers": {"company_size": size}}
        if number == 0:
            slots["criteria_answers"]["industry"] = "we're a fintech"
        finish_lead(store, snapshot(f"tally-{number}", slots, events, sla), sla=sla, handoff=False)
    tallies = {t.criterion: t for t in store.report().criteria}
    assert list(tallies)[:3] == ["need", "company_size", "industry"]  # the SLA's order
    size = tallies["company_size"]
    assert (size.answered, size.max_points) == (3, 10)
    assert dict(size.outcomes) == {"5 to 49 employees": 1, "50 or more employees": 1, "size not given": 1}
    assert size.not_understood == 0 and size.points_mean == pytest.approx((6 + 10 + 0) / 3)
    assert tallies["industry"].answered == 1 and dict(tallies["industry"].outcomes) == {
        "an industry we have playbooks for": 1
    }
