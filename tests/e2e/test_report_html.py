"""`leadbot report --html` opened in Debian's Chromium: every chart renders as a visible SVG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.storage import dispose_engines
from tests.insights_data import HOSTILE, ROOT, seed_leads


@pytest.fixture
def report_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    monkeypatch.setenv("LEADBOT_DATABASE_URL", url)
    monkeypatch.setenv("LEADBOT_SLA", str(ROOT / "sla.yml"))
    seed_leads(url)
    page = tmp_path / "health.html"
    assert main(["report", "--html", str(page)]) == 0
    dispose_engines()
    return page


def test_every_chart_of_the_html_report_renders_with_a_size_and_the_hostile_utm_stays_text(
    chromium: Any, report_file: Path
) -> None:
    page = chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    page.goto(report_file.as_uri())
    charts = page.locator("figure.chart > svg")
    # Seven sections' charts, plus one per criterion's acceptance and one per source field.
    assert charts.count() == report_file.read_text(encoding="utf-8").count("<svg") >= 9
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50, f"chart {i}: {box}"
    # The funnel's bars are drawn: matplotlib's patches are paths inside the SVG.
    assert page.locator("#funnel svg path").count() > 5
    assert HOSTILE in page.locator("#sources").inner_text()
    assert errors == []
    page.close()
