"""The SLA console in Debian's Chromium: a rep signs in, filters the inbox, opens a lead and
accepts it with a reason; the one-click links of a real handoff email; what is refused."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import TimestampSigner

from bot.delivery.verdict_links import verdict_links
from bot.delivery.worker import deliver_due
from bot.settings import current_settings
from tests.console_helpers import HOSTILE, PASSWORD, Console, running_console
from tests.smtp_inbox import SmtpInbox

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 10_000


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpInbox, int]]:
    from aiosmtpd.controller import Controller

    from tests.console_helpers import _free_port

    inbox, port = SmtpInbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: tuple[SmtpInbox, int]) -> Iterator[Console]:
    smtp_env = {
        "LEADBOT_SMTP_HOST": "127.0.0.1",
        "LEADBOT_SMTP_PORT": str(smtp[1]),
        "LEADBOT_SMTP_STARTTLS": "false",
        "LEADBOT_SMTP_FROM": "leadbot@example.com",
        "LEADBOT_SMTP_TO": "sales@example.com",
        "LEADBOT_LOGIN_MAX_FAILURES": "3",
    }
    with running_console(tmp_path, monkeypatch, **smtp_env) as running:
        yield running


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _sign_in(page: Any, console: Console, email_address: str, password: str = PASSWORD) -> None:
    page.goto(console.console + "/")
    assert "/console/login" in page.url  # no session: the sign-in page, no lead data
    page.fill("#email", email_address)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_a_rep_filters_opens_a_lead_and_accepts_it_with_a_reason(console: Console, page: Any, artifacts: Path) -> None:
    rep = console.add_user("rep@example.com")
    ready = console.finished_lead(email="ann@example.com", need="Our SDRs chase leads that never buy")
    nurture = console.finished_lead(email="bob@example.com", total=55, status="nurture")
    _sign_in(page, console, rep)
    page.wait_for_selector("#leads")
    assert page.locator(f"tr[data-lead='{nurture.id}']").count() == 1
    page.select_option("#tier", "sales_ready")
    page.fill("#q", "never buy")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"tier=sales_ready"))
    assert page.locator("tr[data-lead]").count() == 1 and page.locator(f"tr[data-lead='{ready.id}']").count() == 1
    page.screenshot(path=str(artifacts / "console-inbox.png"), full_page=True)

    page.click(f"tr[data-lead='{ready.id}'] td:nth-child(3) a")
    page.wait_for_selector("#breakdown")
    assert "Our SDRs chase leads that never buy" in page.inner_text("#breakdown")
    assert "https://example.com/pricing" in page.inner_text("#page-context")
    assert "Our SDRs chase leads that never buy" in page.inner_text("#transcript")
    page.select_option("#accept-reason", "known_account")
    page.fill("#accept-form input[name=note]", "open opportunity in the CRM")
    page.click("#accept-form button[type=submit]")
    page.wait_for_url(re.compile(r"saved=verdict"))
    assert "Known account or open opportunity — open opportunity in the CRM" in page.inner_text("#verdict")
    page.screenshot(path=str(artifacts / "console-lead.png"), full_page=True)
    feedback = console.store.get(ready.id).feedback  # type: ignore[union-attr]
    assert [(f.verdict, f.reason_code, f.by) for f in feedback] == [("accept", "known_account", rep)]


def test_a_form_without_its_csrf_token_is_refused(console: Console, page: Any) -> None:
    lead = console.finished_lead()
    _sign_in(page, console, console.add_user("rep@example.com"))
    page.goto(f"{console.console}/leads/{lead.id}")
    page.evaluate("document.querySelector('#reject-form input[name=csrf_token]').remove()")
    page.click("#reject-form button[type=submit]")
    page.wait_for_selector("#message")
    assert "CSRF" in page.inner_text("#message")
    assert console.store.get(lead.id).feedback == ()  # type: ignore[union-attr]


def test_wrong_passwords_lock_the_sign_in_for_a_while(console: Console, page: Any) -> None:
    rep = console.add_user("rep@example.com")
    for attempt in range(3):
        _sign_in(page, console, rep, f"not-the-password-{attempt}")
        assert "Wrong email or password" in page.inner_text("[role=alert]")
    _sign_in(page, console, rep)  # the right one, too late
    assert "Too many failed sign-ins" in page.inner_text("[role=alert]")
    assert "/console/login" in page.url


def test_a_hostile_transcript_is_shown_as_text(console: Console, page: Any) -> None:
    lead = console.finished_lead(need=HOSTILE, transcript=[("bot", "What brings you here?"), ("visitor", HOSTILE)])
    _sign_in(page, console, console.add_user("rep@example.com"))
    page.goto(f"{console.console}/leads/{lead.id}")
    assert HOSTILE in page.inner_text("#transcript") and HOSTILE in page.inner_text("#breakdown")
    assert page.title() != "pwned" and page.locator("#transcript img, #transcript script").count() == 0


def _forged(url: str) -> str:
    """One character of the signature changed (the first: the last carries unused padding bits)."""
    head, _, signature = url.rpartition(".")
    return f"{head}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


def _email_links(message: Message) -> dict[str, str]:
    html = next(
        part.get_payload(decode=True).decode() for part in message.walk() if part.get_content_type() == "text/html"
    )
    found = re.findall(r'<a href="([^"]+/verdict/[^"]+)"[^>]*>(Accept|Reject)<', html)
    return {label.lower(): url for url, label in found}


def test_the_accept_link_of_a_real_email_works_once_and_forged_or_expired_ones_are_refused(
    console: Console, page: Any, smtp: tuple[SmtpInbox, int], artifacts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = console.finished_lead()
    assert deliver_due(console.store) == 1  # the real worker sends the email to the test receiver
    links = _email_links(smtp[0].messages[0])
    assert set(links) == {"accept", "reject"}

    page.goto(links["accept"])
    assert "Accept lead" in page.inner_text("h1")
    assert console.store.get(lead.id).feedback == ()  # type: ignore[union-attr]  # nothing on GET
    page.screenshot(path=str(artifacts / "console-confirm.png"), full_page=True)
    page.select_option("#reason", "fits")
    page.click("button[type=submit]")
    assert f"Lead {lead.id} accepted" in page.inner_text("#message")
    feedback = console.store.get(lead.id).feedback  # type: ignore[union-attr]
    assert [(f.verdict, f.reason_code) for f in feedback] == [("accept", "fits")]

    with monkeypatch.context() as past:  # a link from an email older than LEADBOT_VERDICT_LINK_HOURS
        hours = current_settings().verdict_link_hours + 1
        past.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - hours * 3600)
        expired = verdict_links(lead.id, "an-older-handoff", current_settings())["accept"]
    for url, refusal in (
        (links["accept"], "already used"),
        (_forged(links["accept"]), "not valid"),
        (expired, "expired"),
    ):
        page.goto(url)
        assert refusal in page.inner_text("main").lower() or refusal in page.inner_text("h1").lower()
    assert len(console.store.get(lead.id).feedback) == 1  # type: ignore[union-attr]
