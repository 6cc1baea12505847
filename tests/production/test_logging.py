"""Structured logs: JSON lines with the conversation id from our processes, and no secret anywhere in
the production logs.
"""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.ops.logs import configure_logging, conversation_logging
from bot.ops.production import ProductionStack
from tests.production.conftest import Visitor, converse

pytestmark = [pytest.mark.production, pytest.mark.timeout(120)]


def test_json_log_lines_carry_the_conversation_id_and_mask_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEADBOT_FEEDBACK_TOKEN", "s3cr3t-token-value")
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("json")
        stream = io.StringIO()
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        with conversation_logging("conv-42"):
            logging.getLogger("actions").info("scored %s with token %s", "lead", "s3cr3t-token-value")
        logging.getLogger("actions").warning("outside")
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["conversation_id"] == "conv-42" and first["level"] == "INFO" and first["logger"] == "actions"
    assert "s3cr3t-token-value" not in first["message"] and "***" in first["message"]
    assert second["conversation_id"] is None


def test_our_processes_log_json_and_no_log_contains_a_secret(healthy: ProductionStack) -> None:
    converse(Visitor(healthy), "nurture")
    assert healthy.log_dir is not None
    s = healthy.settings
    secrets = [s.rasa_token, s.feedback_token, s.handoff_secret, s.pg_password, s.pg_admin_password, s.redis_password]
    logs = [*healthy.log_dir.glob("*.log"), *(s.var_dir / "nginx" / "logs").glob("*.log")]
    for path in logs:
        content = path.read_text(errors="replace")
        assert not [x for x in secrets if x in content], f"a secret is written to {path.name}"
    for name in [*healthy.action_names, "worker"]:
        lines = [ln for ln in (healthy.log_dir / f"{name}.log").read_text().splitlines() if ln.startswith("{")]
        assert lines, name
        assert all("conversation_id" in json.loads(ln) for ln in lines)
