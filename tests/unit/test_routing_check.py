"""`leadbot check` of routing.yml: every mistake sales ops can make, at the line to change.

Each case is the shipped routing.yml with one edit, the expected line found by its text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.routing import check_routing, load_routing
from bot.sla import load_sla

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "routing.yml").read_text(encoding="utf-8")
SLA = load_sla(ROOT / "sla.yml")


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(lines) >= occurrence, f"{needle!r} not in the edited routing.yml"
    return lines[occurrence - 1]


def test_the_shipped_routing_passes_and_routes_spanish_visitors_to_the_spanish_pool() -> None:
    assert check_routing(ROOT / "routing.yml", SLA) == []
    config = load_routing(ROOT / "routing.yml", SLA)
    spanish = next(rule for rule in config.rules if rule.when == {"language": "es"})
    assert spanish.pool == "spanish" and config.pools["spanish"].reps
    assert all("es" in r.languages for r in config.reps if r.id in config.pools["spanish"].reps)


CASES = [
    ("unknown rep in a pool", "reps: [lucia, javier]", "reps: [lucia, javi]", "javi]",
     "unknown rep 'javi'; did you mean 'javier'?"),
    ("empty pool", "reps: [emma, noah, lucia]", "reps: []", "  inbound:", "pool 'inbound' is empty"),
    ("hours that end before they start", 'mon-fri: "09:00-18:00"', 'mon-fri: "18:00-09:00"', "18:00-09:00",
     "ends before it starts"),
    ("hours that are not hours", 'fri: "08:00-15:00"', 'fri: "8am to 3pm"', "8am to 3pm", "is not a time range"),
    ("a day that is not a day", 'mon-thu: "09:00', 'mon-jue: "09:00', "mon-jue", "'mon-jue' is not a day"),
    ("a time zone that is not one", "time_zone: Europe/London", "time_zone: Europe/Londres", "Europe/Londres",
     "unknown time zone 'Europe/Londres'"),
    ("a field no lead has", "when: {language: es}", "when: {lang: es}", "{lang: es}",
     "unknown lead field 'lang'; did you mean 'language'?"),
    ("an unknown pool as target", "    pool: inbound\n\n", "    pool: inbund\n\n", "pool: inbund",
     "unknown pool 'inbund'; did you mean 'inbound'?"),
    ("a rule without a target", "    rep: sam\n", "    owner: sam\n", "owner: sam", "unknown key 'owner'"),
    ("a rule with two targets", "    rep: sam\n", "    rep: sam\n    pool: spanish\n", "name: Big budgets",
     "give exactly one target"),
    ("an unknown default owner", "default_owner: sam", "default_owner: samuel", "default_owner: samuel",
     "unknown rep 'samuel'"),
    ("an unknown fallback pool", "fallback_pool: inbound", "fallback_pool: sales", "fallback_pool: sales",
     "unknown pool 'sales'"),
    ("out of office backwards", "{from: 2026-12-28, to: 2027-01-06}", "{from: 2027-01-06, to: 2026-12-28}",
     "{from: 2027-01-06", "out of office ends before it starts"),
    ("a date that is not one", "- 2026-12-24 ", "- 2026-13-24 ", "2026-13-24", "'2026-13-24' is not a valid date"),
    ("a range with a typo", "to: 2027-01-06}", "until: 2027-01-06}", "until: 2027",
     "unknown key 'until'; expected one of: from, to"),
    ("a Slack id that is not one", "slack_user_id: U0EMMA001", "slack_user_id: '@emma'", "'@emma'",
     "is not a Slack user id"),
    ("a range the wrong way round", "budget: {min: 50000}", "budget: {min: 50000, max: 1000}", "budget: {min",
     "min (50000) must be below max (1000)"),
    ("a language the SLA does not speak", "languages: [es]", "languages: [es, fr]", "languages: [es, fr]",
     "'fr' is not one of the SLA's languages"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "line_text", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_broken_routing_file_is_reported_at_its_line(
    tmp_path: Path, name: str, old: str, new: str, line_text: str, message: str
) -> None:
    assert old in SHIPPED, f"routing.yml changed: {old!r} is gone, update case {name!r}"
    text = SHIPPED.replace(old, new, 1)
    path = tmp_path / "routing.yml"
    path.write_text(text, encoding="utf-8")
    problems = check_routing(path, SLA)
    assert [p for p in problems if message in p.message], f"{message!r} not in {[str(p) for p in problems]}"
    found = next(p for p in problems if message in p.message)
    assert found.line == _line_of(text, line_text), str(found)
    assert str(found).startswith(f"{path}:{found.line}:")


def test_leadbot_check_reports_the_routing_file_an_sla_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "sla.yml").write_text((ROOT / "sla.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "routing.yml").write_text(SHIPPED, encoding="utf-8")
    (tmp_path / "crm.yml").write_text((ROOT / "crm.yml").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", str(tmp_path / "sla.yml"), "--domain", str(ROOT / "domain.yml")]) == 0
    assert "routing.yml: OK — 5 reps, 2 pools, 4 rules, default owner sam" in capsys.readouterr().out

    (tmp_path / "routing.yml").write_text(SHIPPED.replace("default_owner: sam", "default_owner: nadie"))
    assert main(["check", str(tmp_path / "sla.yml"), "--domain", str(ROOT / "domain.yml")]) == 1
    line = _line_of(SHIPPED, "default_owner: sam")
    assert f"routing.yml:{line}:16: unknown rep 'nadie'" in capsys.readouterr().out

    (tmp_path / "routing.yml").unlink()
    assert main(["check", str(tmp_path / "sla.yml"), "--domain", str(ROOT / "domain.yml")]) == 1
    assert "routing.yml:1:1: file not found" in capsys.readouterr().out
