"""The console's marketing side over real HTTP: the SLA-health page and its CSV (the same figures
as `leadbot report`), who may see what, "try a change" with a valid and an invalid SLA, and the
widget's beacon (one word, rate-limited, no session)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.cli import main
from bot.domain import Lead
from tests.console_helpers import Console, csrf_of, running_console, signed_in
from tests.insights_data import HOSTILE, ROOT, seed_leads, stricter_budget

NOVEMBER = {"since": "2026-11-01", "until": "2026-11-30"}


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    env = {"LEADBOT_HEALTH_CACHE_SECONDS": "0", "LEADBOT_BEACON_PER_MINUTE": "5", "LEADBOT_WHATIF_MAX_KIB": "64"}
    with running_console(tmp_path, monkeypatch, **env) as running:
        yield running


@pytest.fixture
def seeded(console: Console) -> dict[str, Lead]:
    return seed_leads(console.store.url)


def test_no_session_no_health_figures_and_sales_reads_them_but_cannot_try_a_change(
    console: Console, seeded: dict[str, Lead]
) -> None:
    for path in ("/health", "/health.csv", "/try"):
        reply = requests.get(console.console + path, params=NOVEMBER, allow_redirects=False, timeout=10)
        assert reply.status_code == 303 and reply.headers["location"].startswith("/console/login?next=")
        assert "newsletter" not in reply.text
    assert requests.post(console.console + "/try", data={"sla_text": "x"}, timeout=10).status_code == 403

    rep = signed_in(console, console.add_user("rep@example.com", role="sales"))
    page = rep.get(console.console + "/health", params=NOVEMBER, timeout=10)
    assert page.status_code == 200 and page.text.count("<svg") >= 9
    assert 'id="nav-try"' not in page.text
    refused = rep.get(console.console + "/try", timeout=10)
    assert refused.status_code == 403 and "marketing and admin" in refused.text
    posted = rep.post(console.console + "/try", data={"sla_text": "x", "csrf_token": csrf_of(page.text)}, timeout=10)
    assert posted.status_code == 403

    marketer = signed_in(console, console.add_user("mk@example.com", role="marketing"))
    assert 'id="nav-try"' in marketer.get(console.console + "/health", params=NOVEMBER, timeout=10).text
    assert marketer.get(console.console + "/try", timeout=10).status_code == 200
    admin = signed_in(console, console.add_user("ops@example.com", role="admin"))
    assert admin.get(console.console + "/try", timeout=10).status_code == 200


def test_the_health_page_shows_a_reason_sales_just_gave_and_escapes_a_hostile_utm(
    console: Console, seeded: dict[str, Lead]
) -> None:
    rep = signed_in(console, console.add_user("rep@example.com"))
    lead = seeded["curious"]
    page = rep.get(f"{console.console}/leads/{lead.id}", timeout=10).text
    rep.post(
        f"{console.console}/leads/{lead.id}/verdict",
        data={"verdict": "reject", "reason_code": "no_budget", "csrf_token": csrf_of(page)},
        timeout=10,
    )
    marketer = signed_in(console, console.add_user("mk@example.com", role="marketing"))
    health = marketer.get(console.console + "/health", params=NOVEMBER, timeout=10)
    assert health.headers["cache-control"] == "no-store"
    reasons = health.text[health.text.index('id="rejections"') : health.text.index('id="speed"')]
    assert "No budget" in reasons and "wrong size" in reasons
    assert "&lt;script&gt;alert(" in health.text and HOSTILE not in health.text
    # A period without leads still renders its (empty) charts.
    empty = marketer.get(console.console + "/health", params={"since": "2025-01-01", "until": "2025-01-31"}, timeout=10)
    assert empty.status_code == 200 and "no data in this period" in empty.text


def test_the_csv_export_holds_the_figures_of_leadbot_report_for_the_same_days(
    console: Console, seeded: dict[str, Lead], capsys: pytest.CaptureFixture[str]
) -> None:
    console.store.record_outcome(seeded["accepted_top"].id, "won")
    marketer = signed_in(console, console.add_user("mk@example.com", role="marketing"))
    reply = marketer.get(console.console + "/health.csv", params=NOVEMBER, timeout=10)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/csv")
    assert 'filename="sla-health_2026-11-01_2026-11-30.csv"' in reply.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert list(rows[0]) == ["table", "group", "item", "measure", "value"]

    # The console's "to" day is included: the CLI's --until is the day after.
    assert main(["report", "--json", "--since", "2026-11-01", "--until", "2026-12-01"]) == 0
    health = json.loads(capsys.readouterr().out)["health"]
    assert [(r["item"], int(r["value"])) for r in rows if r["table"] == "funnel"] == [
        (step["step"], step["leads"]) for step in health["funnel"]
    ]
    tiers = {(r["item"], r["measure"]): r["value"] for r in rows if r["table"] == "acceptance_by_tier"}
    assert tiers[("sales_ready", "accepted")] == "2" and tiers[("sales_ready", "won")] == "1"
    assert tiers[("sales_ready", "win_rate")] == str(health["acceptance_by_tier"][0]["win_rate"])
    reasons = [(r["item"], r["value"]) for r in rows if r["table"] == "rejection_reasons"]
    assert reasons == [(r["reason"], str(r["leads"])) for r in health["rejection_reasons"]]


def test_try_a_change_re_scores_the_leads_side_by_side_and_never_writes_the_sla(
    console: Console, seeded: dict[str, Lead], tmp_path: Path
) -> None:
    sla_before = (ROOT / "sla.yml").read_bytes()
    marketer = signed_in(console, console.add_user("mk@example.com", role="marketing"))
    form = marketer.get(console.console + "/try", timeout=10)
    assert "leadbot check" in form.text and "criteria:" in form.text  # the SLA in force, ready to edit
    token = csrf_of(form.text)

    stricter = stricter_budget(tmp_path).read_text(encoding="utf-8")
    reply = marketer.post(console.console + "/try", data={"sla_text": stricter, "csrf_token": token}, timeout=120)
    assert reply.status_code == 200, reply.text[:2000]
    cells = re.findall(r'data-tier="(\w+)">.*?</td><td>(\d+)</td><td>(\d+)</td>', reply.text)
    tiers = {tier: (int(current), int(edited)) for tier, current, edited in cells}
    assert tiers == {"sales_ready": (4, 2), "nurture": (0, 2), "disqualified": (1, 1)}  # current, edited
    lost = reply.text[reply.text.index('id="accepted-lost"') :].split("</tr>")[0]
    assert "<strong>1</strong> of 2 accepted" in lost and f"/console/leads/{seeded['accepted_20k'].id}" in lost
    filtered = reply.text[reply.text.index('id="rejected-filtered"') :].split("</tr>")[0]
    assert "<strong>1</strong> of 2 rejected" in filtered and f"#{seeded['rejected_15k'].id}" in filtered

    # The same edit as an uploaded file, with a mistake: file:line errors and no what-if.
    broken = stricter.replace("{min: 50000, points: 25", "{min: 50000, points: 250")
    reply = marketer.post(
        console.console + "/try",
        data={"csrf_token": token},
        files={"sla_file": ("stricter budget.yml", broken.encode(), "text/yaml")},
        timeout=120,
    )
    assert reply.status_code == 422
    assert re.search(r"<code>stricter_budget\.yml:\d+:\d+</code>: ", reply.text), reply.text[:3000]
    assert 'id="whatif"' not in reply.text and str(tmp_path) not in reply.text
    assert (ROOT / "sla.yml").read_bytes() == sla_before


def test_try_a_change_refuses_no_csrf_token_a_too_large_file_and_example_files_outside_the_folder(
    console: Console, seeded: dict[str, Lead]
) -> None:
    marketer = signed_in(console, console.add_user("mk@example.com", role="marketing"))
    token = csrf_of(marketer.get(console.console + "/try", timeout=10).text)
    no_token = marketer.post(console.console + "/try", data={"sla_text": "tiers: {}"}, timeout=10)
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    big = "# padding\n" * 8000  # 80 KiB > LEADBOT_WHATIF_MAX_KIB=64
    too_large = marketer.post(console.console + "/try", data={"sla_text": big, "csrf_token": token}, timeout=10)
    assert too_large.status_code == 413 and "64 KiB" in too_large.text
    outside = (ROOT / "sla.yml").read_text(encoding="utf-8").replace("training/budget.en.yml", "../../etc/passwd", 1)
    reply = marketer.post(console.console + "/try", data={"sla_text": outside, "csrf_token": token}, timeout=30)
    assert reply.status_code == 422 and "must be a path inside the SLA&#39;s folder" in reply.text
    assert "root:" not in reply.text


def test_the_widget_beacon_counts_two_words_without_a_session_and_is_rate_limited(
    console: Console, seeded: dict[str, Lead]
) -> None:
    url = f"{console.url}/beacon"
    assert requests.post(url, data="widget_opened", timeout=10).status_code == 204
    plain = {"Content-Type": "text/plain;charset=UTF-8"}  # what sendBeacon sends with a string
    assert requests.post(url, data="first_message", headers=plain, timeout=10).status_code == 204
    assert requests.post(url, data="email=ann@example.com", timeout=10).status_code == 400  # no lead data
    assert requests.post(url, data="widget_opened" + " " * 100, timeout=10).status_code == 413
    codes = [requests.post(url, data="widget_opened", timeout=10).status_code for _ in range(4)]
    assert codes == [204, 204, 204, 429]  # 5 a minute from one address: 2 before, 3 now, then refused
    marketer = signed_in(console, console.add_user("mk@example.com", role="marketing"))
    rows = list(csv.DictReader(io.StringIO(marketer.get(console.console + "/health.csv", timeout=10).text)))
    funnel = {r["item"]: int(r["value"]) for r in rows if r["table"] == "funnel"}
    assert funnel["widget opened"] == 4 and funnel["first message"] == 1
