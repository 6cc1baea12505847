"""The settings object against the files that document it, and its error messages.

`.env.example` (development) and `.env.production.example` (production mode) together must
document exactly the fields of `bot.settings.Settings`: a new variable is added in both places.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, current_settings, from_env

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = (ROOT / ".env.example", ROOT / ".env.production.example")


def _documented(path: Path) -> set[str]:
    return set(re.findall(r"^(LEADBOT_[A-Z0-9_]+)=", path.read_text(), flags=re.MULTILINE))


def test_every_documented_variable_is_a_settings_field() -> None:
    documented = set().union(*(_documented(p) for p in EXAMPLES))
    assert documented - set(Settings.variables()) == set()


def test_every_settings_field_is_documented() -> None:
    documented = set().union(*(_documented(p) for p in EXAMPLES))
    assert set(Settings.variables()) - documented == set()


def test_design_contract_variables_keep_their_names_and_defaults() -> None:
    settings = from_env({})
    assert Settings.variable("sla_path") == "LEADBOT_SLA" and settings.sla_path == "sla.yml"
    assert Settings.variable("database_url") == "LEADBOT_DATABASE_URL"
    assert settings.database_url == "sqlite:///leads.db"
    assert Settings.variable("handoff_url") == "LEADBOT_HANDOFF_URL" and settings.handoff_url is None


def test_example_file_values_parse() -> None:
    for path in EXAMPLES:
        from_env({}, path)


def test_empty_variable_means_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADBOT_SMTP_PORT", "")
    monkeypatch.setenv("LEADBOT_HANDOFF_URL", "  ")
    settings = current_settings()
    assert settings.smtp_port == 587 and settings.handoff_url is None


def test_environment_wins_over_dotenv_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LEADBOT_SLA=from-file.yml\nLEADBOT_API_PORT=6000\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADBOT_SLA", "from-env.yml")
    monkeypatch.delenv("LEADBOT_API_PORT", raising=False)
    settings = current_settings()
    assert settings.sla_path == "from-env.yml" and settings.api_port == 6000


def test_comma_separated_lists_are_split() -> None:
    settings = from_env({"LEADBOT_SMTP_TO": "a@example.com, b@example.com", "LEADBOT_CORS_ORIGINS": "https://x.io/"})
    assert settings.smtp_to == ("a@example.com", "b@example.com") and settings.cors_origins == ("https://x.io",)
    assert settings.email_configured is False


def test_a_bad_value_names_the_variable_and_the_fix() -> None:
    with pytest.raises(SettingsError, match=r"LEADBOT_SMTP_PORT \(got 'twenty'\): value is not a valid integer.*\.env"):
        from_env({"LEADBOT_SMTP_PORT": "twenty"})
    with pytest.raises(SettingsError, match="LEADBOT_SMTP_STARTTLS"):
        from_env({"LEADBOT_SMTP_STARTTLS": "maybe"})


def test_a_bad_secret_is_not_echoed() -> None:
    with pytest.raises(SettingsError) as error:
        from_env({"LEADBOT_LOG_FORMAT": "xml", "LEADBOT_RASA_TOKEN": "s3cr3t-token"})
    assert "s3cr3t-token" not in str(error.value) and "LEADBOT_LOG_FORMAT" in str(error.value)


def test_from_env_ignores_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADBOT_RASA_INSTANCES", "7")
    assert from_env({}).rasa_instances == 2


def test_environment_round_trips() -> None:
    settings = from_env({"LEADBOT_SMTP_TO": "a@example.com,b@example.com", "LEADBOT_SMTP_STARTTLS": "false"})
    assert from_env(settings.environment()) == settings


def test_secrets_are_not_in_the_repr() -> None:
    settings = from_env(
        {"LEADBOT_FEEDBACK_TOKEN": "hunter22", "LEADBOT_DATABASE_URL": "postgresql://leadbot:hunter33@db/leadbot"}
    )
    assert "hunter22" not in repr(settings) and "hunter33" not in repr(settings)
