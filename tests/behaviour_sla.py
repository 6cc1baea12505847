"""The default sla.yml with behaviour criteria added, for the tests that score page context.

Need's top rule gives up 10 points to the behaviour criteria, so the best answers still add to 100.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

BEHAVIOUR_CRITERIA = """\
  pricing_interest:
    type: behaviour
    signal: pages
    patterns: ["/pricing*", "/case-studies/*"]
    rules:
      - {min: 1, points: 4, explain: "looked at pricing or case studies"}
      - {max: 1, points: 0, explain: "did not look at pricing"}
      - {when: unknown, points: 0, explain: "no page context"}

  returning_visitor:
    type: behaviour
    signal: returning
    rules:
      - {when: "yes", points: 3, explain: "came back for another visit"}
      - {when: "no", points: 0, explain: "first visit"}

  campaign:
    type: behaviour
    signal: utm_source
    rules:
      - {in: [newsletter, partner], points: 3, explain: "came from our newsletter or a partner"}
      - {when: unknown, points: 0, explain: "no campaign tag"}

  time_on_site:
    type: behaviour
    signal: seconds_on_site
    rules:
      - {min: 120, points: 0, explain: "two minutes or more on the site"}
      - {max: 120, points: 0, explain: "under two minutes on the site"}

  referrer:
    type: behaviour
    signal: referrer_domain
    rules:
      - {in: [news.example.org], points: 0, explain: "came from the industry newsletter"}

"""
BEHAVIOUR_NAMES = ("pricing_interest", "returning_visitor", "campaign", "time_on_site", "referrer")


def behaviour_sla_text(default: str | None = None) -> str:
    """sla.yml (or `default`) with the behaviour criteria above before `extra_criteria`."""
    text = default if default is not None else (ROOT / "sla.yml").read_text(encoding="utf-8")
    pain = '{when: pain, points: 30, explain: "states a concrete problem we solve"}'
    assert pain in text, "sla.yml's need rule changed: update tests/behaviour_sla.py"
    text = text.replace(pain, pain.replace("points: 30", "points: 20"))
    marker = "# Optional criteria scored from what the assistant knows without asking."
    assert marker in text, "sla.yml's extra_criteria comment changed: update tests/behaviour_sla.py"
    return text.replace(marker, BEHAVIOUR_CRITERIA + marker)


def write_behaviour_sla(path: Path) -> Path:
    path.write_text(behaviour_sla_text(), encoding="utf-8")
    return path


@pytest.fixture
def behaviour_sla(stack: Any) -> Iterator[Path]:
    """The running action server's SLA, with the behaviour criteria, until the test ends (hot reload)."""
    path = Path(stack.sla_path)
    original = path.read_text(encoding="utf-8")
    path.write_text(behaviour_sla_text(original), encoding="utf-8")
    yield path
    path.write_text(original, encoding="utf-8")
