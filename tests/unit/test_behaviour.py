"""Behaviour criteria: values computed from the page context the widget sends, and their score.

The page context comes from the browser (any REST client can send one), so hostile shapes are
tables here too: each must give a bounded answer or `unknown`, never an exception.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.behaviour import behaviour_answer, behaviour_answers
from bot.conversation.lead import score_slots, snapshot
from bot.conversation.visit import page_context
from bot.parse.base import Kind
from bot.sla import CriterionSpec, Rule, check_sla, load_sla
from tests.behaviour_sla import BEHAVIOUR_NAMES, behaviour_sla_text
from tests.fuzzing import metadata as hostile_metadata

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 21, 10, tzinfo=timezone.utc)
VISITOR_ID = "3f0c9a1e-1111-4222-8333-444455556666"


def _spec(signal: str, patterns: list[str] | None = None) -> CriterionSpec:
    return CriterionSpec(type="behaviour", signal=signal, patterns=patterns, rules=[Rule(min=1, points=5)])


def _context(**overrides: Any) -> dict[str, Any]:
    """What `page_context` keeps for a visitor who read pricing and a case study."""
    context: dict[str, Any] = {
        "page": {
            "url": "https://example.com/pricing",
            "path": "/pricing",
            "referrer": "https://www.News.Example.org/7",
        },
        "referrer": "https://www.News.Example.org/7",
        "utm": {"utm_source": "Newsletter", "utm_medium": "EMail", "utm_campaign": "Q4-Launch"},
        "pages": [
            {"path": "/", "title": "Home", "seconds": 20.0},
            {"path": "/pricing", "title": "Pricing", "seconds": 40.0},
            {"path": "/case-studies/acme", "title": "Acme", "seconds": 30.0},
            {"path": "/pricing", "title": "Pricing", "seconds": 5.0},
        ],
        "visit": {"started_at": (NOW - timedelta(minutes=5, seconds=12)).isoformat()},
        "visitor": {"id": VISITOR_ID, "visits": 3, "returning": True},
    }
    context.update(overrides)
    return context


@pytest.mark.parametrize(
    ("signal", "value", "reason"),
    [
        ("page_count", 3.0, "viewed 3 pages"),
        ("seconds_on_site", 312.0, "on the site for 5 min 12 s"),
        ("returning", "yes", "visit 3"),
        ("utm_source", "newsletter", "utm_source=newsletter"),
        ("utm_medium", "email", "utm_medium=email"),
        ("utm_campaign", "q4-launch", "utm_campaign=q4-launch"),
        ("referrer_domain", "news.example.org", "came from news.example.org"),
    ],
)
def test_each_signal_is_read_from_the_visit(signal: str, value: object, reason: str) -> None:
    answer = behaviour_answer("crit", _spec(signal), _context(), NOW)
    assert (answer.criterion, answer.kind, answer.value, answer.reason) == ("crit", Kind.VALUE, value, reason)
    assert answer.raw == ""  # the visitor said nothing: no words to quote
    assert answer.extra == {"signal": signal}


def test_pages_counts_distinct_paths_matching_any_pattern_and_names_them() -> None:
    answer = behaviour_answer("crit", _spec("pages", ["/pricing*", "/case-studies/*"]), _context(), NOW)
    assert answer.value == 2.0  # /pricing twice is one page
    assert answer.reason == "viewed /pricing and /case-studies/acme"


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/pricing*", "/pricing", True),
        ("/pricing*", "/pricing.html", True),
        ("/pricing*", "/pricing/enterprise", True),  # `*` crosses slashes, as in fnmatch
        ("/pricing*", "/Pricing.HTML", True),  # case-insensitive
        ("/pricing*", "/blog/pricing", False),
        ("/pricing", "/pricing/", False),
        ("*/case-studies/*", "/en/case-studies/acme", True),
        ("/case-studies/*", "/case-studies", False),
        ("/docs/?", "/docs/a", True),
        ("/docs/?", "/docs/ab", False),
        ("/precios", "/precios", True),
    ],
)
def test_page_patterns_are_path_globs(pattern: str, path: str, matches: bool) -> None:
    context = {"pages": [{"path": path}]}
    answer = behaviour_answer("crit", _spec("pages", [pattern]), context, NOW)
    assert answer.value == (1.0 if matches else 0.0), (pattern, path)


def test_no_matching_page_is_zero_not_unknown() -> None:
    answer = behaviour_answer("crit", _spec("pages", ["/pricing*"]), {"pages": [{"path": "/blog"}]}, NOW)
    assert (answer.kind, answer.value, answer.reason) == (Kind.VALUE, 0.0, "viewed no page matching /pricing*")


def test_many_matching_pages_are_counted_and_a_few_named() -> None:
    context = {"pages": [{"path": f"/case-studies/{n}"} for n in range(7)]}
    answer = behaviour_answer("crit", _spec("pages", ["/case-studies/*"]), context, NOW)
    assert answer.value == 7.0
    assert answer.reason == "viewed /case-studies/0, /case-studies/1, /case-studies/2 and 4 others"


def test_a_first_visit_is_no() -> None:
    context = _context(visitor={"id": VISITOR_ID, "visits": 1, "returning": False})
    answer = behaviour_answer("crit", _spec("returning"), context, NOW)
    assert (answer.value, answer.reason) == ("no", "first visit")


def test_time_on_site_never_goes_negative_when_now_is_before_the_start() -> None:
    answer = behaviour_answer("crit", _spec("seconds_on_site"), _context(), NOW - timedelta(hours=1))
    assert answer.value == 0.0


@pytest.mark.parametrize(
    "signal", ["pages", "page_count", "seconds_on_site", "returning", "utm_source", "referrer_domain"]
)
@pytest.mark.parametrize("context", [None, {}, {"language": "en"}], ids=["none", "empty", "no-widget"])
def test_missing_context_is_unknown(signal: str, context: dict[str, Any] | None) -> None:
    answer = behaviour_answer("crit", _spec(signal, ["/pricing*"]), context, NOW)
    assert answer.kind is Kind.UNKNOWN and answer.value is None
    assert answer.reason  # says what was missing, for sales


@pytest.mark.parametrize(
    ("signal", "context"),
    [
        ("utm_source", {"utm": {"utm_source": ""}}),
        ("utm_source", {"utm": {"utm_source": 42}}),
        ("utm_source", {"utm": ["newsletter"]}),
        ("referrer_domain", {"referrer": "javascript:alert(1)"}),
        ("referrer_domain", {"referrer": "http://[::1"}),
        ("referrer_domain", {"referrer": ["https://evil.example"]}),
        ("returning", {"visitor": {"id": VISITOR_ID, "returning": "yes"}}),
        ("returning", {"visitor": "returning"}),
        ("seconds_on_site", {"visit": {"started_at": "yesterday"}}),
        ("seconds_on_site", {"visit": {"started_at": 1764620000}}),
        ("seconds_on_site", {"visit": {"started_at": "2026-12-01T21:00:00+00:00" + " " * 100}}),
        ("page_count", {"pages": "/pricing"}),
        ("page_count", {"pages": [1, None, ["/pricing"], {"path": 7}, {"path": "pricing"}]}),
        ("page_count", {"page": "/pricing"}),
    ],
)
def test_wrong_shapes_are_unknown(signal: str, context: dict[str, Any]) -> None:
    assert behaviour_answer("crit", _spec(signal), context, NOW).kind is Kind.UNKNOWN


def test_a_huge_page_list_is_bounded() -> None:
    context = {"pages": [{"path": f"/pricing/{n}"} for n in range(100_000)], "page": {"path": "/pricing/last"}}
    answer = behaviour_answer("crit", _spec("pages", ["/pricing*"]), context, NOW)
    assert answer.value == 51.0  # the 50 pages the widget sends at most, and the current one
    assert len(answer.reason) < 200


def test_script_tags_and_long_paths_are_kept_as_data_and_bounded() -> None:
    script = "/pricing<script>alert(1)</script>"
    context = {"pages": [{"path": script}, {"path": "/pricing" + "x" * 10_000}]}
    answer = behaviour_answer("crit", _spec("pages", ["/pricing*"]), context, NOW)
    assert answer.value == 2.0
    assert script in answer.reason  # escaped by each summary format, like the visitor's words
    assert len(answer.reason) < 300


def test_referrer_host_drops_www_and_port_and_case() -> None:
    context = {"page": {"referrer": "HTTPS://WWW.Google.COM:443/search?q=leadbot"}}
    assert behaviour_answer("crit", _spec("referrer_domain"), context, NOW).value == "google.com"


# ----------------------------------------------------------------- page_context merges the widget's keys


def _meta(**overrides: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "page": {"path": "/pricing"},
        "visit": {"started_at": "2026-12-01T18:00:00.000Z", "sent_at": "2026-12-01T18:05:12.000Z"},
        "visitor": {"id": VISITOR_ID, "visits": 2, "returning": True},
    }
    meta.update(overrides)
    return meta


def test_visit_start_is_moved_to_the_server_clock() -> None:
    # The browser's clock is three hours behind: only the time between its two stamps counts.
    context = page_context(None, _meta(), NOW)
    assert context is not None
    assert context["visit"] == {"started_at": (NOW - timedelta(seconds=312)).isoformat()}
    assert behaviour_answer("crit", _spec("seconds_on_site"), context, NOW).value == 312.0


@pytest.mark.parametrize(
    ("visit", "started"),
    [
        ({"started_at": "2026-12-01T21:00:00Z"}, NOW - timedelta(minutes=10)),  # no sent_at: the clocks agree
        ({"started_at": "2026-12-01T23:00:00Z"}, NOW),  # in the future: no time on site yet
        ({"started_at": "2020-01-01T00:00:00Z", "sent_at": "2026-12-01T21:00:00Z"}, NOW - timedelta(days=1)),
        ({"started_at": "2026-12-01T21:00:00Z", "sent_at": "2026-12-01T20:00:00Z"}, NOW),
    ],
)
def test_visit_start_is_bounded(visit: dict[str, str], started: datetime) -> None:
    context = page_context(None, {"visit": visit}, NOW)
    assert context is not None and context["visit"]["started_at"] == started.isoformat()


@pytest.mark.parametrize(
    "visit",
    [None, "2026-12-01", {"started_at": "soon"}, {"started_at": "2026-12-01T21:00:00"}, {"started_at": 1e12}],
    ids=["null", "text", "words", "no-zone", "number"],
)
def test_a_bad_visit_start_is_not_kept(visit: Any) -> None:
    assert "visit" not in (page_context(None, {"page": {"path": "/"}, "visit": visit}, NOW) or {})


@pytest.mark.parametrize(
    ("visitor", "kept"),
    [
        ({"id": VISITOR_ID, "visits": 2}, {"id": VISITOR_ID, "visits": 2, "returning": True}),
        ({"id": "a" * 32, "visits": 1}, {"id": "a" * 32, "visits": 1, "returning": False}),
        (
            {"id": VISITOR_ID, "visits": True, "returning": False},
            {"id": VISITOR_ID, "visits": None, "returning": False},
        ),
        ({"id": VISITOR_ID, "visits": -4}, {"id": VISITOR_ID, "visits": None, "returning": None}),
        ({"id": VISITOR_ID, "visits": 10**9}, {"id": VISITOR_ID, "visits": None, "returning": None}),
        ({"id": "<script>alert(1)</script>", "visits": 2}, None),
        ({"id": "x" * 65, "visits": 2}, None),
        ({"id": 12345678, "visits": 2}, None),
        ("3f0c9a1e", None),
    ],
)
def test_visitor_id_is_a_bounded_token(visitor: Any, kept: dict[str, Any] | None) -> None:
    context = page_context(None, {"page": {"path": "/"}, "visitor": visitor}, NOW) or {}
    assert context.get("visitor") == kept


def test_visitor_null_forgets_the_id_an_earlier_message_carried() -> None:
    first = page_context(None, _meta(), NOW)
    assert first is not None and first["visitor"]["id"] == VISITOR_ID
    later = page_context(first, _meta(visitor=None), NOW)  # Do Not Track switched on, consent withdrawn
    assert later is not None and "visitor" not in later
    kept = page_context(first, {"page": {"path": "/"}}, NOW)  # an older widget says nothing: keep it
    assert kept is not None and kept["visitor"]["id"] == VISITOR_ID


SIGNALS = ("pages", "page_count", "seconds_on_site", "returning", "utm_source", "utm_campaign", "referrer_domain")


# `now` is the server's clock: this century, whatever the browser's says.
SERVER_CLOCK = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(timezone.utc))


@settings(max_examples=300, deadline=None)
@given(first=hostile_metadata, second=hostile_metadata, now=SERVER_CLOCK)
def test_any_metadata_gives_a_bounded_answer_for_every_signal(first: Any, second: Any, now: datetime) -> None:
    context = page_context(page_context(None, first, now), second, now)
    for signal in SIGNALS:
        answer = behaviour_answer("crit", _spec(signal, ["/pricing*"]), context, now)
        assert answer.kind in (Kind.VALUE, Kind.UNKNOWN)
        if isinstance(answer.value, float):
            assert 0 <= answer.value <= 86400
        assert len(answer.reason) < 400


# ----------------------------------------------------------------- scoring


@pytest.fixture(scope="module")
def behaviour_sla(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("behaviour-sla")
    (tmp / "training").symlink_to(ROOT / "training")
    path = tmp / "sla.yml"
    path.write_text(behaviour_sla_text(), encoding="utf-8")
    return path


def test_the_test_sla_with_behaviour_criteria_passes_leadbot_check(behaviour_sla: Path) -> None:
    assert check_sla(behaviour_sla, ROOT / "domain.yml") == []


def test_behaviour_criteria_are_scored_on_every_snapshot_without_being_asked(behaviour_sla: Path) -> None:
    sla = load_sla(behaviour_sla)
    context = page_context(None, {**_meta(), "utm": {"utm_source": "Newsletter"}, "pages": [{"path": "/pricing"}]}, NOW)
    score = score_slots({"page_context": context}, sla, NOW.date(), NOW)
    lines = {c.criterion: c for c in score.breakdown}
    assert [n for n in lines if n in BEHAVIOUR_NAMES] == list(BEHAVIOUR_NAMES)  # the SLA's order
    assert (lines["pricing_interest"].points, lines["returning_visitor"].points, lines["campaign"].points) == (4, 3, 3)
    assert lines["campaign"].rule == "in: [newsletter, partner]"
    assert lines["pricing_interest"].explanation == "looked at pricing or case studies (viewed /pricing)"
    assert not any(lines[n].asked for n in BEHAVIOUR_NAMES)
    assert score.total == 10


def test_snapshot_measures_time_on_site_at_the_last_message(behaviour_sla: Path) -> None:
    sla = load_sla(behaviour_sla)
    context = page_context(None, _meta(), NOW)  # the visit began 312 s before NOW
    events = [
        {"event": "user", "text": "hi", "timestamp": (NOW - timedelta(seconds=60)).timestamp()},
        {"event": "bot", "text": "Hello!", "timestamp": NOW.timestamp()},
        {"event": "user", "text": "pricing?", "timestamp": (NOW + timedelta(seconds=30)).timestamp()},
    ]
    lead = snapshot("conv-1", {"page_context": context}, events, sla)
    assert lead.answers["time_on_site"].value == 342.0
    assert (
        lead.score.criterion("time_on_site").explanation
        == "two minutes or more on the site (on the site for 5 min 42 s)"
    )
    assert snapshot("conv-1", {"page_context": context}, events, sla).answers == lead.answers  # rebuilt: the same


def test_the_default_sla_has_no_behaviour_criteria_and_keeps_viewed_pricing() -> None:
    sla = load_sla(ROOT / "sla.yml")
    context = page_context(None, _meta(pages=[{"path": "/pricing"}]), NOW)
    assert behaviour_answers(sla, context, NOW) == {}
    score = score_slots({"page_context": context}, sla, NOW.date(), NOW)
    assert [c.criterion for c in score.breakdown] == ["need", "budget", "role", "timing", "viewed_pricing"]
    viewed = score.criterion("viewed_pricing")
    assert viewed is not None and (viewed.points, viewed.rule) == (0, "viewed_pricing: yes")
    assert score.total == 0
