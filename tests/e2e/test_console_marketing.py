"""The console's marketing side in Debian's Chromium: a rep's rejection reason shows up on the
SLA-health page with its charts drawn, "try a change" re-scores the stored leads side by side,
and the real widget's beacon feeds the funnel's first two steps."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console_helpers import PASSWORD, Console, running_console
from tests.insights_data import seed_leads, stricter_budget

from .conftest import ChatWidget

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 10_000


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    with running_console(tmp_path, monkeypatch, LEADBOT_HEALTH_CACHE_SECONDS="0") as running:
        yield running


@pytest.fixture
def person(chromium: Any) -> Iterator[Callable[[], Any]]:
    """A new page in a browser of its own (own cookies): one per person signing in."""
    contexts: list[Any] = []

    def page() -> Any:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield page
    for context in contexts:
        context.close()


def _sign_in(page: Any, console: Console, email: str, target: str = "/") -> None:
    page.goto(console.console + target)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_a_rejection_reason_shows_on_the_health_page_and_every_chart_is_drawn(
    console: Console, person: Callable[[], Any], artifacts: Path
) -> None:
    leads = seed_leads(console.store.url)
    rep, marketer = console.add_user("rep@example.com"), console.add_user("mk@example.com", role="marketing")
    sales = person()
    _sign_in(sales, console, rep, f"/leads/{leads['curious'].id}")
    sales.wait_for_selector("#reject-form")
    sales.select_option("#reject-reason", "wrong_timing")
    sales.click("#reject-form button[type=submit]")
    sales.wait_for_url(re.compile(r"saved=verdict"))

    page = person()
    _sign_in(page, console, marketer, "/health?since=2026-11-01&until=2026-11-30")
    page.wait_for_selector("#funnel")
    assert "Not buying in the next months" in page.inner_text("#rejections")
    charts = page.locator("figure.chart > svg")
    assert charts.count() >= 9
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50, f"chart {i}: {box}"
    assert page.locator("#funnel svg path").count() > 5
    assert page.get_attribute("#csv", "href") == "/console/health.csv?since=2026-11-01&until=2026-11-30"
    page.screenshot(path=str(artifacts / "console-health.png"), full_page=True)

    page.fill("#since", "2026-11-22")
    page.click("#period button[type=submit]")
    page.wait_for_url(re.compile(r"since=2026-11-22"))
    funnel = page.inner_text("#funnel table")
    assert re.search(r"conversations started\s+2", funnel), funnel  # only the leads of the 22nd and 23rd


def test_try_a_change_shows_the_edit_beside_the_current_sla(
    console: Console, person: Callable[[], Any], tmp_path: Path, artifacts: Path
) -> None:
    leads = seed_leads(console.store.url)
    page = person()
    _sign_in(page, console, console.add_user("mk@example.com", role="marketing"), "/try")
    page.wait_for_selector("#try-form")
    page.fill("#sla_text", stricter_budget(tmp_path).read_text(encoding="utf-8"))
    page.click("#try-form button[type=submit]")
    page.wait_for_selector("#whatif", timeout=120_000)
    assert re.search(r"4\s+2\s+-2", page.inner_text("#tiers tr[data-tier=sales_ready]"))
    assert f"#{leads['accepted_20k'].id}" in page.inner_text("#accepted-lost")
    assert f"#{leads['rejected_15k'].id}" in page.inner_text("#rejected-filtered")
    page.screenshot(path=str(artifacts / "console-try.png"), full_page=True)

    page.fill("#sla_text", "tiers:\n  sales_ready: lots\n")
    page.click("#try-form button[type=submit]")
    page.wait_for_selector("#problems")
    assert re.search(r"edited-sla\.yml:\d+:\d+", page.inner_text("#problems"))
    assert page.locator("#whatif").count() == 0


def test_the_widget_beacon_counts_an_opened_widget_and_a_first_message(
    console: Console, web_visitor: Any, web_url: str, fake_rasa: Any
) -> None:
    visitor = web_visitor(fake_rasa.url, beaconUrl=f"{console.url}/beacon")
    page = visitor.new_page()
    page.goto(f"{web_url}/index.html")
    chat = ChatWidget(page, visitor)
    chat.open()
    chat.wait_for_bot_count(1)  # the hidden initialMessage is not the visitor's first message
    _until(lambda: console.store.widget_events() == {"widget_opened": 1, "first_message": 0})
    chat.send("we need better leads")
    chat.send("and fewer bad ones")
    _until(lambda: console.store.widget_events()["first_message"] == 1)
    chat.wait_for_bot_count(3)  # both replies in before the reload, so the restored chat has them
    page.reload()  # a reload in the same tab is the same visit: opened is not counted again
    again = ChatWidget(page, visitor)  # reopened by itself: it was open in this tab
    again.wait_for_bot_count(3)  # the conversation, restored
    before = again.bot_bubbles.count()
    again.send("one more")
    again.wait_for_bot_count(before + 1)
    assert console.store.widget_events() == {"widget_opened": 1, "first_message": 1}
    assert visitor.errors == []


def _until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """A beacon is sent in the background: wait for its count (no timing assert)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the beacon never arrived"
        time.sleep(0.05)
