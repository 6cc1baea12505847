"""`make run` as a developer starts it (`python -m bot.ops local`): what it exposes, and that it
leaves nothing behind when its supervisor is killed.

One stack for the module, started in a fresh folder (its own `.env`); the kill test runs last.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot.ops.lifeline import descendants, still_running
from bot.ops.local import MODEL, ROOT, free_port
from bot.ops.sockets import Listener, listeners, port_in_use, socket_inodes
from bot.settings import env_file_values

FEEDBACK_TOKEN = "feedback-token-for-this-test"


@dataclass
class DevStack:
    folder: Path
    process: subprocess.Popen[bytes]
    ports: dict[str, int]
    output: list[str]

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def secrets(self) -> dict[str, str]:
        return env_file_values(self.folder / ".env")

    def descendants(self) -> dict[int, int]:
        return descendants(self.process.pid)

    def listening(self) -> list[Listener]:
        """The listening sockets held by the stack's processes."""
        inodes = set().union(*(socket_inodes(pid) for pid in self.descendants()))
        return [listener for listener in listeners() if listener.inode in inodes]


def _clean_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADBOT_")}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "LEADBOT_DATABASE_URL": f"sqlite:///{folder}/leads.db",
            "LEADBOT_TRACKER_DB_URL": f"sqlite:///{folder}/tracker.db",
            "LEADBOT_API_PORT": str(free_port()),
            "LEADBOT_FEEDBACK_TOKEN": FEEDBACK_TOKEN,
            "LEADBOT_SLA": str(ROOT / "sla.yml"),
        }
    )
    return env


@pytest.fixture(scope="module")
def dev_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make setup` (trains the model) first")
    folder = tmp_path_factory.mktemp("make-run")
    env = _clean_env(folder)
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port(), "worker": int(env["LEADBOT_API_PORT"])}
    process = subprocess.Popen(
        [
            sys.executable, "-m", "bot.ops", "local",
            "--rasa-port", str(ports["rasa"]), "--actions-port", str(ports["actions"]),
            "--web-port", str(ports["web"]), "--log-dir", str(folder / "logs"), "--run-dir", str(folder / "run"),
        ],
        cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in iter(process.stdout.readline, b""):
            output.append(line.decode(errors="replace").rstrip())
            if "Press Ctrl-C to stop." in output[-1]:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    stack = DevStack(folder, process, ports, output)
    try:
        if not ready.wait(300):
            logs = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in (folder / "logs").glob("*.log"))
            pytest.fail("make run did not come up:\n" + "\n".join(output) + "\n" + logs)
        yield stack
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def test_first_run_generates_the_action_token_into_dotenv_readable_by_its_owner_only(dev_stack: DevStack) -> None:
    assert "LEADBOT_ACTION_TOKEN" in dev_stack.secrets and "LEADBOT_RASA_TOKEN" not in dev_stack.secrets
    assert (dev_stack.folder / ".env").stat().st_mode & 0o077 == 0
    assert any("Generated LEADBOT_ACTION_TOKEN" in line for line in dev_stack.output)


def test_make_run_serves_the_sales_console_with_a_generated_secret(dev_stack: DevStack) -> None:
    assert len(dev_stack.secrets.get("LEADBOT_CONSOLE_SECRET", "")) >= 32
    console = dev_stack.url("worker") + "/console/"
    assert any("/console/" in line and "Sales console" in line for line in dev_stack.output)
    inbox = requests.get(console, allow_redirects=False, timeout=30)
    assert inbox.status_code == 303 and inbox.headers["location"].startswith("/console/login")
    login = requests.get(console + "login", timeout=30)
    assert login.status_code == 200 and 'name="csrf_token"' in login.text


def test_no_service_listens_beyond_loopback(dev_stack: DevStack) -> None:
    sockets = dev_stack.listening()
    assert {listener.port for listener in sockets} >= set(dev_stack.ports.values())
    exposed = [f"{s.address}:{s.port}" for s in sockets if not s.loopback]
    assert exposed == [], f"listening beyond this machine: {exposed}"


def test_the_rasa_api_answers_on_loopback_as_the_runtime_contract_says(dev_stack: DevStack) -> None:
    # ../shared/DESIGN.md: `--enable-api`, auth in production mode; here it is reachable from this
    # machine only (the listening test above), and browsers only from the chat page (below).
    assert requests.get(dev_stack.url("rasa") + "/conversations/someone/tracker", timeout=30).status_code == 200


def test_browsers_may_call_rasa_from_the_chat_page_only(dev_stack: DevStack) -> None:
    webhook = dev_stack.url("rasa") + "/webhooks/rest/webhook"
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    for page in (f"http://localhost:{dev_stack.ports['web']}", dev_stack.url("web")):
        allowed = requests.options(webhook, headers={**preflight, "Origin": page}, timeout=30)
        assert allowed.headers.get("Access-Control-Allow-Origin") == page
    other = requests.options(webhook, headers={**preflight, "Origin": "http://evil.example"}, timeout=30)
    assert "Access-Control-Allow-Origin" not in other.headers
    posted = requests.post(
        webhook, json={"sender": "x", "message": "hi"}, headers={"Origin": "http://evil.example"}, timeout=60
    )
    assert "Access-Control-Allow-Origin" not in posted.headers


def test_action_server_refuses_calls_without_the_shared_token(dev_stack: DevStack) -> None:
    forged = {
        "next_action": "action_finish",
        "sender_id": "forger",
        "tracker": {"sender_id": "forger", "slots": {"need": "pain", "budget": "1m"}, "events": []},
        "domain": {},
        "version": "3.6.21",
    }
    webhook = dev_stack.url("actions") + "/webhook"
    assert requests.post(webhook, json=forged, timeout=30).status_code == 401
    wrong = {"X-Leadbot-Action-Token": "wrong"}
    assert requests.post(webhook, json=forged, headers=wrong, timeout=30).status_code == 401
    assert requests.get(dev_stack.url("actions") + "/actions", timeout=30).status_code == 401


def test_rasa_reaches_the_action_server_with_the_token(dev_stack: DevStack) -> None:
    """The second question is asked only after the action server read the first answer."""

    def say(text: str) -> str:
        reply = requests.post(
            dev_stack.url("rasa") + "/webhooks/rest/webhook", json={"sender": "visitor", "message": text}, timeout=60
        )
        return "\n".join(r.get("text") or "" for r in reply.json())

    assert "problem" in say("hello").lower()
    assert "budget" in say("our sales reps waste hours every week on bad leads").lower()


def test_feedback_api_refuses_missing_and_wrong_tokens(dev_stack: DevStack) -> None:
    url = dev_stack.url("worker") + "/feedback/someone"
    body = {"verdict": "accept"}
    assert requests.post(url, json=body, timeout=30).status_code == 401
    assert requests.post(url, json=body, headers={"Authorization": "Bearer wrong"}, timeout=30).status_code == 401
    right = {"Authorization": f"Bearer {FEEDBACK_TOKEN}"}
    assert requests.post(url, json=body, headers=right, timeout=30).status_code == 404  # no such lead: authorised


def test_killing_the_supervisor_takes_every_service_with_it(dev_stack: DevStack) -> None:
    """Runs last in this module: SIGKILL, as the OOM killer would, then the ports must be free."""
    processes = dev_stack.descendants()
    assert len(processes) >= 4
    os.kill(dev_stack.process.pid, signal.SIGKILL)
    dev_stack.process.wait(30)
    deadline = time.monotonic() + 30
    while (alive := still_running(processes)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert alive == [], f"still running after the supervisor was killed: {alive}"
    assert [name for name, port in dev_stack.ports.items() if port_in_use(port)] == []
