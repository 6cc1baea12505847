"""User management in Debian's Chromium: an admin adds a marketing account, the new user signs
in with the password the admin chose, and is signed out once the admin disables the account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console_helpers import PASSWORD, Console, running_console

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 10_000
NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    with running_console(tmp_path, monkeypatch) as running:
        yield running


def _context(chromium: Any) -> Any:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _sign_in(page: Any, console: Console, email: str, password: str) -> None:
    page.goto(console.console + "/")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#leads")


def test_an_admin_adds_a_user_who_signs_in_until_disabled(console: Console, chromium: Any, artifacts: Path) -> None:
    console.add_user("boss@example.com", role="admin")
    admin_context, user_context = _context(chromium), _context(chromium)
    try:
        admin = admin_context.new_page()
        _sign_in(admin, console, "boss@example.com", PASSWORD)
        admin.click("#nav-users")
        admin.fill("#new-email", "mia@example.com")
        admin.fill("#new-name", "Mia Marketing")
        admin.select_option("#new-role", "marketing")
        admin.fill("#new-password", NEW_PASSWORD)
        admin.fill("#new-password-again", NEW_PASSWORD)
        admin.click("#add-user button[type=submit]")
        admin.wait_for_selector("#notice")
        row = admin.locator("tr[data-user='mia@example.com']")
        assert "marketing" in row.inner_text() and NEW_PASSWORD not in admin.content()
        admin.screenshot(path=str(artifacts / "console-users.png"), full_page=True)

        mia = user_context.new_page()
        _sign_in(mia, console, "mia@example.com", NEW_PASSWORD)
        assert mia.locator("#nav-users").count() == 0  # marketing does not manage users

        row.locator("form.toggle button").click()
        admin.wait_for_selector("#notice")
        assert admin.locator("tr[data-user='mia@example.com'] td.active").inner_text() == "no"
        mia.reload()
        assert "/console/login" in mia.url  # her session ended
    finally:
        admin_context.close()
        user_context.close()
