"""Rasa's own commands work in the project folder with nothing set up: `rasa run` (and so
`rasa shell` and `rasa interactive`, which read the same endpoints.yml) in a clean environment,
with our Rasa patches applied by the lock store endpoints.yml names (no launcher of ours).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from bot.ops.supervisor import BIN, MODEL, ROOT, free_port, wait_http


def _clean_env() -> dict[str, str]:
    """A fresh shell's environment: no LEADBOT_* variable, nothing the launcher would set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEADBOT_", "SANIC_"))}
    env.update({"PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"})
    return env


def test_endpoints_file_reads_without_any_environment_variable() -> None:
    script = (
        "from rasa.core.utils import AvailableEndpoints\n"
        "e = AvailableEndpoints.read_endpoints('endpoints.yml')\n"
        "print(e.action.url, e.tracker_store.url, e.tracker_store.type)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=_clean_env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["http://localhost:5055/webhook", "sqlite:///rasa_tracker.db", "SQL"]


def test_rasa_run_starts_in_the_project_folder_with_no_setup(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make setup` first")
    # A copy of the project's Rasa files, so the tracker database lands in tmp_path, not the repo.
    for name in ("endpoints.yml", "credentials.yml", "config.yml", "domain.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / MODEL.name).symlink_to(MODEL)
    port = free_port()
    log = tmp_path / "rasa.log"
    with open(log, "wb") as out:
        rasa = subprocess.Popen(
            [str(BIN / "rasa"), "run", "--port", str(port), "--interface", "127.0.0.1"],
            cwd=tmp_path, env=_clean_env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{port}/", 300, rasa)
        assert (tmp_path / "rasa_tracker.db").exists()  # the SQL tracker store of endpoints.yml
        # The patches' behaviour: Rasa 3.6 crashes on a REST message whose metadata is not an
        # object and answers []; patched, the turn runs (the greeting needs no action server).
        reply = requests.post(
            f"http://127.0.0.1:{port}/webhooks/rest/webhook",
            json={"sender": "plain-rasa-run", "message": "hello", "metadata": "not an object"},
            timeout=120,
        )
        assert reply.status_code == 200 and reply.json(), log.read_text(errors="replace")[-3000:]
    except (RuntimeError, TimeoutError) as exc:
        pytest.fail(f"rasa run did not start: {exc}\n{log.read_text(errors='replace')[-3000:]}")
    finally:
        os.killpg(rasa.pid, 15)
        rasa.wait(60)
    text = log.read_text(errors="replace")
    assert "lock store LeadbotLockStore (in-memory tickets)" in text, text[-3000:]
    assert "Rasa patches applied: fast validation, metadata objects only, strict tracker store" in text
