"""`leadbot` commands against a real database, and the feedback/health HTTP API."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.cli import main
from bot.delivery import finish_lead
from bot.settings import current_settings
from bot.storage import ConsoleStore, LeadStore
from bot.web import WebServer

from .conftest import ROOT, make_sla, make_snapshot


@pytest.fixture
def cli_store(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> LeadStore:
    monkeypatch.setenv("LEADBOT_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("LEADBOT_SLA", str(ROOT / "sla.yml"))
    return LeadStore(sqlite_url)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_json_and_csv(cli_store: LeadStore, capsys: pytest.CaptureFixture[str]) -> None:
    snap = make_snapshot(need='=HYPERLINK("http://evil") our pipeline leaks')
    finish_lead(cli_store, snap, sla=make_sla(), handoff=True)
    code, out, _ = run(capsys, "export", "--format", "json")
    assert code == 0
    objects = json.loads(out)
    assert len(objects) == 1 and objects[0]["conversation_id"] == snap.conversation_id
    assert objects[0]["answers"]["budget"] == {
        "raw": "around 20k a year",
        "value": 20000.0,
        "currency": "EUR",
        "points": 25,
        "kind": "value",
        "explanation": "budget rule (20k a year)",
        "confidence": 0.9,
    }
    code, out, _ = run(capsys, "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1
    assert rows[0]["budget_value"] == "20000.0" and rows[0]["contact_email"] == "ann@example.com"
    assert rows[0]["need_raw"].startswith("'=HYPERLINK")  # no formula injection in spreadsheets
    code, out, _ = run(capsys, "export", "--format", "json", "--tier", "nurture")
    assert json.loads(out) == []


def test_leads_list_show_feedback_and_report(cli_store: LeadStore, capsys: pytest.CaptureFixture[str]) -> None:
    lead = finish_lead(cli_store, make_snapshot(), sla=make_sla(), handoff=True)
    code, out, _ = run(capsys, "leads", "list", "--handed-off")
    assert code == 0 and "ann@example.com" in out and "sales_ready" in out
    code, out, _ = run(capsys, "leads", "list", "--not-handed-off")
    assert "ann@example.com" not in out
    code, out, _ = run(capsys, "leads", "show", str(lead.id))
    assert code == 0 and "wastes hours" in out and "Handoff" in out and "Transcript" in out
    assert run(capsys, "leads", "show", "nope")[0] == 1
    code, out, _ = run(capsys, "feedback", str(lead.id), "accept", "--reason", "good call", "--by", "rep")
    assert code == 0 and "accept" in out
    assert cli_store.get(lead.id).feedback[0].reason == "good call"  # type: ignore[union-attr]
    code, out, _ = run(capsys, "report")
    assert code == 0 and "sales_ready" in out and "acceptance rate 100%" in out
    code, out, _ = run(capsys, "report", "--json", "--follow-up-minutes", "30")
    assert json.loads(out)["follow_up_met"] == 1


def test_outbox_list_and_retry(cli_store: LeadStore, capsys: pytest.CaptureFixture[str]) -> None:
    lead = finish_lead(cli_store, make_snapshot(), sla=make_sla(), handoff=True)
    code, out, _ = run(capsys, "outbox")
    assert code == 0 and "pending" in out
    assert run(capsys, "outbox", "retry", str(lead.handoff.id))[0] == 0  # type: ignore[union-attr]
    assert run(capsys, "outbox", "retry", "999")[0] == 1


def test_forget_prints_what_it_deleted(cli_store: LeadStore, capsys: pytest.CaptureFixture[str]) -> None:
    finish_lead(cli_store, make_snapshot(email="gone@example.com"), sla=make_sla(), handoff=True)
    code, out, _ = run(capsys, "forget", "gone@example.com")
    assert code == 0 and "deleted 1 lead(s)" in out and "1 handoff(s)" in out
    assert cli_store.list() == []


def test_purge_erases_the_leads_older_than_the_retention_and_says_how_many(
    cli_store: LeadStore, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from bot.domain import utcnow
    from bot.storage.tables import LeadRow

    old = finish_lead(cli_store, make_snapshot(), sla=make_sla(), handoff=True)
    recent = finish_lead(cli_store, make_snapshot(), sla=make_sla(), handoff=True)
    with cli_store.session() as session:
        session.execute(update(LeadRow).where(LeadRow.id == old.id).values(updated_at=utcnow() - timedelta(days=31)))
    code, out, _ = run(capsys, "purge", "--days", "30")
    assert code == 0 and "purged 1 lead(s) not updated for 30 day(s)" in out
    assert cli_store.get(old.id) is None and cli_store.get(recent.id) is not None
    assert [h.lead_id for h in cli_store.handoffs()] == [recent.id]


def test_check_reports_problems_with_locations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "sla.yml"
    bad.write_text("version: 1\nquestions: nope\n")
    code, out, _ = run(capsys, "check", str(bad), "--domain", str(tmp_path / "missing.yml"))
    assert code == 1
    assert out.splitlines() and all(line.startswith(f"{bad}:") for line in out.splitlines())


@pytest.fixture
def api(cli_store: LeadStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, LeadStore]]:
    def start(token: str | None) -> str:
        # The developer's shell or `.env` may set a token: the test decides, whatever they say.
        if token:
            monkeypatch.setenv("LEADBOT_FEEDBACK_TOKEN", token)
        else:
            monkeypatch.delenv("LEADBOT_FEEDBACK_TOKEN", raising=False)
        server = WebServer(ConsoleStore(cli_store.url), current_settings(), host="127.0.0.1", port=0).start()
        servers.append(server)
        return server.url

    servers: list = []
    yield start, cli_store  # type: ignore[misc]
    for server in servers:
        server.stop()


def test_feedback_endpoint_requires_the_bearer_token(api: tuple) -> None:  # type: ignore[type-arg]
    start, store = api
    lead = finish_lead(store, make_snapshot(), sla=make_sla(), handoff=True)
    base = start("tok-123")
    body = {"verdict": "reject", "reason": "no budget", "by": "rep@example.com"}
    assert requests.post(f"{base}/feedback/{lead.id}", json=body, timeout=5).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert requests.post(f"{base}/feedback/{lead.id}", json=body, headers=wrong, timeout=5).status_code == 401
    ok = {"Authorization": "Bearer tok-123"}
    response = requests.post(f"{base}/feedback/{lead.id}", json=body, headers=ok, timeout=5)
    assert response.status_code == 200 and response.json()["verdict"] == "reject"
    assert store.get(lead.id).feedback[0].by == "rep@example.com"  # type: ignore[union-attr]
    bad = requests.post(f"{base}/feedback/{lead.id}", json={"verdict": "maybe"}, headers=ok, timeout=5)
    assert bad.status_code == 400
    assert requests.post(f"{base}/feedback/999", json=body, headers=ok, timeout=5).status_code == 404
    health = requests.get(f"{base}/health", timeout=5)
    assert health.status_code == 200 and health.json()["outbox"]["pending"] == 1


def test_feedback_endpoint_is_unavailable_without_a_token(api: tuple) -> None:  # type: ignore[type-arg]
    start, store = api
    lead = finish_lead(store, make_snapshot(), sla=make_sla(), handoff=True)
    base = start(None)
    headers = {"Authorization": "Bearer anything"}
    response = requests.post(f"{base}/feedback/{lead.id}", json={"verdict": "accept"}, headers=headers, timeout=5)
    assert response.status_code == 503


def test_evaluate_prints_held_out_accuracy_per_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(ROOT / "sla.yml"), "--corpus", str(ROOT / "eval" / "corpus" / "answers.yml")]) == 0
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()[1:]}
    assert set(rows) >= {"need", "budget", "role", "timing", "fields"}
    test_share = float(rows["fields"][1].rstrip("%"))
    assert 50 < test_share <= 100  # a real share of the held-out half, not a constant


def test_export_columns_follow_the_sla(
    cli_store: LeadStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reordering or dropping a criterion in sla.yml changes the export with no code change."""
    import yaml

    sla = yaml.safe_load((ROOT / "sla.yml").read_text(encoding="utf-8"))
    sla["criteria"] = {name: sla["criteria"][name] for name in ("timing", "budget", "need")}
    sla["questions"] = [q for q in sla["questions"] if q["slot"] != "role"]
    (tmp_path / "reordered").mkdir()
    path = tmp_path / "reordered" / "sla.yml"
    path.write_text(yaml.safe_dump(sla, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (path.parent / "training").symlink_to(ROOT / "training")  # the example files it names
    monkeypatch.setenv("LEADBOT_SLA", str(path))
    finish_lead(cli_store, make_snapshot(), sla=make_sla(), handoff=False)

    code, out, err = run(capsys, "export", "--format", "csv")
    header = next(csv.reader(io.StringIO(out)))
    assert code == 0 and "not loaded" not in err
    assert header[:12] == [
        "conversation_id",
        "started_at",
        "language",
        *[f"{c}_{f}" for c in ("timing", "budget", "need") for f in ("raw", "value", "points")],
    ]
    assert "budget_currency" in header and not any(h.startswith("role_") for h in header)
    assert [h for h in header if h.endswith("_explanation")] == [
        f"{c}_explanation" for c in ("timing", "budget", "need")
    ]
    row = next(csv.DictReader(io.StringIO(out)))
    explained = json.loads(run(capsys, "export", "--format", "json")[1])[0]["answers"]["budget"]["explanation"]
    assert explained and row["budget_explanation"] == explained
    code, out, _ = run(capsys, "export", "--format", "json")
    answers = json.loads(out)[0]["answers"]
    # the SLA's criteria first, in its order; an answer kept from before the change stays visible
    assert list(answers) == ["timing", "budget", "need", "role"]
