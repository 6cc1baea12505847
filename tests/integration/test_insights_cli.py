"""`leadbot simulate` and `leadbot report --json/--html` on a leads database built through the real
snapshot, scorer and store, with sales' verdicts recorded through the store's API."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain import Lead
from bot.storage import ConsoleStore
from tests.insights_data import HOSTILE, ROOT, seed_leads, stricter_budget

DOMAIN = str(ROOT / "domain.yml")


@pytest.fixture
def seeded(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Lead]:
    monkeypatch.setenv("LEADBOT_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("LEADBOT_SLA", str(ROOT / "sla.yml"))
    return seed_leads(sqlite_url)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_stricter_budget_moves_the_mid_budget_leads_to_nurture_and_names_the_accepted_one_lost(
    seeded: dict[str, Lead], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "simulate", str(stricter_budget(tmp_path)), "--domain", DOMAIN)
    assert code == 0, err
    assert "re-scored from the visitor's stored words: 5" in out
    assert re.search(r"sales_ready\s+4\s+2\s+-2", out)  # current 4, other 2
    assert re.search(r"nurture\s+0\s+2\s+\+2", out)
    assert "Leads that change tier: 2" in out
    lost = seeded["accepted_20k"].id
    assert f"accepted leads that would no longer be handed off: 1 (lead {lost})" in out
    assert f"rejected leads that would have been filtered out: 1 (lead {seeded['rejected_15k'].id})" in out
    assert "net effect: 1 rejected spared − 1 accepted lost = +0" in out
    assert "simulate: 5/5 leads (100%)" in err  # plain progress lines when not on a terminal

    code, out, _ = run(capsys, "simulate", str(stricter_budget(tmp_path)), "--domain", DOMAIN, "--json")
    data = json.loads(out)
    assert data["matrix"]["sales_ready"] == {"sales_ready": 2, "nurture": 2, "disqualified": 0}
    assert data["verdicts"]["accepted_no_longer_handed_off_ids"] == [lost]
    assert data["handoffs"] == {"current": 4, "other": 2, "change": -2}


def test_the_same_sla_changes_nothing_and_a_date_range_narrows_the_leads(
    seeded: dict[str, Lead], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "simulate", str(ROOT / "sla.yml"), "--domain", DOMAIN, "--json", "--since", "2026-11-21")
    data = json.loads(out)
    assert code == 0 and data["leads"] == 3 and data["changed"] == 0
    assert data["verdicts"]["accepted_no_longer_handed_off"] == 0


def test_an_invalid_other_sla_prints_file_and_line_and_fails(
    seeded: dict[str, Lead], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = stricter_budget(tmp_path)
    bad.write_text(bad.read_text(encoding="utf-8").replace("{min: 50000, points: 25", "{min: 50000, points: 250"))
    code, out, _ = run(capsys, "simulate", str(bad), "--domain", DOMAIN)
    assert code == 1
    assert re.search(rf"^{re.escape(str(bad))}:\d+:\d+: ", out, re.M), out
    assert "What-if" not in out


def test_report_json_and_text_show_the_same_health_and_the_html_escapes_a_hostile_utm(
    seeded: dict[str, Lead], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "report", "--json")
    assert code == 0
    health = json.loads(out)["health"]
    funnel = {step["step"]: step["leads"] for step in health["funnel"]}
    assert funnel["conversations started"] == 5 and funnel["answered budget"] == 5
    assert funnel["sales-ready"] == 4 and funnel["accepted by sales"] == 2
    by_tier = {row["label"]: row for row in health["acceptance_by_tier"]}
    assert by_tier["sales_ready"]["accepted"] == 2 and by_tier["sales_ready"]["rejected"] == 2
    assert health["rejection_reasons"][0] == {"reason": "wrong size", "leads": 1}
    sources = {row["value"]: row for row in health["sources"]["utm_source"]}
    assert sources["newsletter"]["leads"] == 4 and sources[HOSTILE]["leads"] == 1
    budget = {row["label"]: row for row in health["acceptance_by_value"]["budget"]}
    assert budget["annual budget of 10,000 or more"]["accepted"] == 2

    code, text, _ = run(capsys, "report")
    assert code == 0
    assert re.search(r"^\s+5\s+conversations started$", text, re.M)
    assert re.search(r"^\s+2\s+accepted by sales$", text, re.M)
    assert re.search(r"sales_ready\s+2 / 2\s+50%", text)

    page = tmp_path / "health.html"
    code, _, err = run(capsys, "report", "--html", str(page))
    assert code == 0 and "SLA health written to" in err
    html = page.read_text(encoding="utf-8")
    charts = 9 + len(health["acceptance_by_value"])  # one acceptance chart per criterion, one per source field
    assert html.count("<svg") == charts and "<script" not in html
    assert "&lt;script&gt;alert(" in html  # the hostile UTM value, shown as text
    assert "wrong size" in html and "annual budget of 10,000 or more" in html


def test_report_csv_holds_the_json_figures_with_the_widget_beacons_and_the_won_leads(
    seeded: dict[str, Lead], sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ConsoleStore(sqlite_url)
    store.record_outcome(seeded["accepted_top"].id, "won", by="rep@example.com")
    for event in ("widget_opened", "widget_opened", "widget_opened", "first_message"):
        store.count_widget_event(event, at=seeded["accepted_20k"].started_at)
    path = tmp_path / "health.csv"
    code, out, err = run(capsys, "report", "--json", "--csv", str(path))
    assert code == 0 and "SLA-health figures written to" in err
    health = json.loads(out)["health"]
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    figures = {(r["table"], r["group"], r["item"], r["measure"]): r["value"] for r in rows}

    funnel = [(step["step"], step["leads"]) for step in health["funnel"]]
    assert funnel[:3] == [("widget opened", 3), ("first message", 1), ("conversations started", 5)]
    assert funnel[-2:] == [("accepted by sales", 2), ("won", 1)]
    assert [(r["item"], int(r["value"])) for r in rows if r["table"] == "funnel"] == funnel
    by_tier = {row["label"]: row for row in health["acceptance_by_tier"]}
    assert by_tier["sales_ready"]["won"] == 1 and by_tier["sales_ready"]["win_rate"] == 0.5
    assert figures[("acceptance_by_tier", "", "sales_ready", "win_rate")] == "0.5"
    assert figures[("acceptance_by_value", "budget", "annual budget of 10,000 or more", "won")] == "1"
    assert figures[("sources", "utm_source", HOSTILE, "leads")] == "1"  # a visitor's tag, kept as text
    assert figures[("speed_to_lead", "", "promise", "minutes")] == str(health["speed_to_lead"]["promise_minutes"])
