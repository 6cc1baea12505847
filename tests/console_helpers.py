"""The SLA console under test: a throwaway `WebServer` on a free port over a SQLite file, users
made as `leadbot users add` makes them, and leads finished through the real delivery path.

Shared by tests/integration/test_console_http.py (requests) and tests/e2e/test_console.py (Chromium).
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import requests

from bot.delivery import finish_lead
from bot.domain import Lead, Turn
from bot.settings import current_settings
from bot.storage import ConsoleStore, dispose_engines
from bot.web import WebServer
from bot.web.passwords import hash_password
from tests.integration.conftest import make_sla, make_snapshot

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"
HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"> & budget"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Console:
    url: str  # the app's root; the console is under /console
    store: ConsoleStore

    @property
    def console(self) -> str:
        return f"{self.url}/console"

    def add_user(self, email: str, role: str = "sales") -> str:
        self.store.add_user(email, role=role, password_hash=hash_password(PASSWORD), name=email.split("@")[0])
        return email

    def finished_lead(self, **snapshot: object) -> Lead:
        """A lead finished and handed off as the actions do it (summary, handoff with links)."""
        transcript = snapshot.pop("transcript", None)
        snap = make_snapshot(**snapshot)  # type: ignore[arg-type]
        if transcript is not None:
            turns = tuple(Turn(speaker, text, snap.started_at) for speaker, text in transcript)  # type: ignore[attr-defined]
            snap = replace(snap, transcript=turns)
        return finish_lead(self.store, snap, sla=make_sla(), handoff=True)

    def links(self, lead: Lead) -> dict[str, str]:
        """The Accept and Reject links the Slack message of this lead's handoff carries."""
        handoff = self.store.get(lead.id).handoff  # type: ignore[union-attr]
        assert handoff is not None
        found = re.findall(r"<(http[^|>]+/verdict/[^|>]+)\|(Accept|Reject)>", str(handoff.payload["summary_markdown"]))
        return {label.lower(): url for url, label in found}


@contextmanager
def running_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[Console]:
    for name in list(os.environ):
        if name.startswith("LEADBOT_") and name != "LEADBOT_TEST_POSTGRES_URL":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    port = _free_port()
    values = {
        "LEADBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'leads.db'}",
        "LEADBOT_SLA": str(ROOT / "sla.yml"),
        "LEADBOT_CONSOLE_SECRET": "test-console-secret-0123456789abcdef",
        "LEADBOT_CONSOLE_URL": f"http://127.0.0.1:{port}/console",
        "LEADBOT_FEEDBACK_TOKEN": "api-token-123",
        "LEADBOT_TEMPLATES_DIR": str(tmp_path / "no-templates"),
        **env,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = current_settings()
    store = ConsoleStore(settings.database_url)
    server = WebServer(store, settings, host="127.0.0.1", port=port).start()
    try:
        yield Console(server.url, store)
    finally:
        server.stop()
        dispose_engines()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def signed_in(console: Console, email: str, password: str = PASSWORD) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{console.console}/login", timeout=10)
    reply = http.post(
        f"{console.console}/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    assert reply.status_code == 303, reply.text
    return http
