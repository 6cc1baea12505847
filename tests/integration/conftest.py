"""Fixtures for the storage and handoff integration tests: databases (SQLite and a real
PostgreSQL), a typed SLA, lead snapshots, and a clean LEADBOT_* environment.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.domain import Contact, LeadSnapshot, Turn
from bot.parse.base import Answer, Criterion, Kind
from bot.scoring import CriterionScore, Score, Tier
from bot.sla import SLA, FollowUp
from bot.storage import LeadStore, dispose_engines

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- environment


@pytest.fixture
def leadbot_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No LEADBOT_* from the developer's shell or .env leaks into a storage/handoff test.

    Not autouse: the conversation tests in this folder run a whole stack with its own env."""
    for name in list(os.environ):
        if name.startswith("LEADBOT_") and name != "LEADBOT_TEST_POSTGRES_URL":
            monkeypatch.delenv(name, raising=False)
    # Settings also read `.env` in the working directory (`make run` writes tokens there).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADBOT_TEMPLATES_DIR", str(tmp_path / "no-templates"))
    monkeypatch.setenv("LEADBOT_HANDOFF_BACKOFF_SECONDS", "0.05")
    monkeypatch.setenv("LEADBOT_HANDOFF_BACKOFF_MAX_SECONDS", "0.2")
    monkeypatch.setenv("LEADBOT_WORKER_POLL_SECONDS", "0.05")
    yield
    dispose_engines()


# --------------------------------------------------------------------------- PostgreSQL


class _Cluster:
    """A throwaway PostgreSQL cluster started with Debian's initdb/pg_ctl."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("no initdb under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
        self.bin = Path(bins[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="leadbot-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            # initdb refuses to run as root: run the cluster as the postgres (or nobody) user.
            user = "postgres" if _user_exists("postgres") else "nobody"
            shutil.chown(self.dir, user=user)
            self.as_user = (
                ["runuser", "-u", user, "--"] if shutil.which("runuser") else ["su", user, "-s", "/bin/sh", "-c"]
            )

    def _run(self, *cmd: str) -> None:
        argv = [*self.as_user, *cmd] if self.as_user[:1] != ["su"] else [*self.as_user, " ".join(cmd)]
        subprocess.run(argv, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """An admin URL of a PostgreSQL server: LEADBOT_TEST_POSTGRES_URL, or a throwaway cluster."""
    url = os.environ.get("LEADBOT_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    try:
        cluster = _Cluster()
        admin_url = cluster.start()
    except Exception as exc:
        detail = getattr(exc, "stderr", b"") or b""
        pytest.skip(
            "PostgreSQL not available: set LEADBOT_TEST_POSTGRES_URL or install postgresql "
            f"(initdb/pg_ctl) — {exc} {detail.decode(errors='replace')[-300:]}"
        )
    try:
        yield admin_url
    finally:
        dispose_engines()
        cluster.stop()


def _fresh_postgres_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"leadbot_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, future=True, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, leadbot_env: None) -> str:
    """A fresh, empty leads database: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'leads.db'}"
    return _fresh_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def sqlite_url(tmp_path: Path, leadbot_env: None) -> str:
    return f"sqlite:///{tmp_path / 'leads.db'}"


@pytest.fixture
def store(database_url: str) -> LeadStore:
    return LeadStore(database_url)


# --------------------------------------------------------------------------- SLA and leads


def make_sla(sales_language: str = "en", within_minutes: int = 60) -> SLA:
    return SLA(
        languages=["en", "es"],
        sales_language=sales_language,
        currency="EUR",
        follow_up=FollowUp(within_minutes=within_minutes, text={"en": "We'll call.", "es": "Te llamamos."}),
        questions=[],
        criteria={},
    )


@pytest.fixture
def sla() -> SLA:
    return make_sla()


def make_snapshot(
    conversation_id: str | None = None,
    *,
    need: str = "Our sales team wastes hours on bad leads",
    budget: str | None = "around 20k a year",
    role: str | None = "I'm the head of sales",
    timing: str | None = "next quarter",
    email: str | None = "ann@example.com",
    consent: bool | None = True,
    status: str = "sales_ready",
    total: int = 100,
    human_requested: bool = False,
) -> LeadSnapshot:
    """A complete, sales-ready conversation (override any answer to vary it)."""
    started = datetime.now(timezone.utc) - timedelta(minutes=5)
    answers: dict[str, Answer] = {
        "need": Answer(Criterion.NEED, need, Kind.VALUE, "pain", 0.9, "wastes hours"),
    }
    if budget is not None:
        answers["budget"] = Answer(
            Criterion.BUDGET,
            budget,
            Kind.VALUE,
            20000.0,
            0.9,
            "20k a year",
            currency="EUR",
            amount=20000.0,
            period="year",
        )
    if role is not None:
        answers["role"] = Answer(
            Criterion.ROLE, role, Kind.VALUE, "decision_maker", 0.9, "head of", extra={"title": "head of sales"}
        )
    if timing is not None:
        answers["timing"] = Answer(Criterion.TIMING, timing, Kind.VALUE, 3.0, 0.8, "next quarter")
    points = {"need": 30, "budget": 25, "role": 25, "timing": 20}
    breakdown = tuple(
        CriterionScore(
            criterion=name,
            points=points[name] if name in answers else 0,
            max_points=points[name],
            answer=answers.get(name),
            rule="when: value" if name in answers else "none",
            explanation=f"{name} rule ({answers[name].reason})" if name in answers else "not answered",
        )
        for name in ("need", "budget", "role", "timing")
    )
    tier = Tier.SALES_READY if total >= 70 else Tier.NURTURE if total >= 40 else Tier.DISQUALIFIED
    score = Score(total=total, tier=tier, breakdown=breakdown)
    transcript = (
        Turn("bot", "What brings you here today?", started),
        Turn("visitor", need, started + timedelta(seconds=20)),
    )
    return LeadSnapshot(
        conversation_id=conversation_id or f"conv-{uuid.uuid4().hex[:10]}",
        started_at=started,
        language="en",
        answers=answers,
        score=score,
        contact=Contact("Ann Example", email, "Example GmbH") if email else None,
        contact_consent=consent,
        page_context={
            "page": {
                "url": "https://example.com/pricing",
                "path": "/pricing",
                "title": "Pricing",
                "referrer": "https://google.com/",
            },
            "utm": {"utm_source": "google", "utm_campaign": "spring"},
            "pages": [
                {"path": "/", "title": "Home", "seconds": 12},
                {"path": "/pricing", "title": "Pricing", "seconds": 40},
            ],
            "language": "en",
        },
        human_requested=human_requested,
        transcript=transcript,
        status=status,
    )


def wait_until(predicate: Any, timeout: float = 15.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
