"""Routing on a frozen clock: working hours per time zone, out of office, a DST change, the
first-match rules, the outside-hours policies, the CRM owner and the reassignment plan.

Every instant is written out (UTC); nothing sleeps and nothing reads the clock.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
import yaml

from bot.domain import Contact, Lead
from bot.domain.routing import Assignee, Assignment
from bot.routing import RoutingConfig, lead_facts, plan_reassignment, plan_route
from bot.routing.hours import is_working, next_start, parse_week, zone

TEAM = """
outside_hours: assign
reassign_after_minutes: 30
working_hours: {mon-fri: "09:00-17:00"}
reps:
  - {id: lucia, name: Lucía, email: lucia@example.com, slack_user_id: U0LUCIA01, languages: [es, en],
     time_zone: Europe/Madrid, working_hours: {mon-thu: "09:00-14:00, 16:00-19:00", fri: "08:00-15:00"},
     out_of_office: [2026-12-24, {from: 2026-12-28, to: 2027-01-06}]}
  - {id: javier, name: Javier, email: javier@example.com, languages: [es], time_zone: Europe/Madrid}
  - {id: emma, name: Emma, email: emma@example.com, languages: [en], time_zone: Europe/London}
  - {id: noah, name: Noah, email: noah@example.com, languages: [en], time_zone: America/New_York}
  - {id: sam, name: Sam, email: sam@example.com, time_zone: Europe/Madrid}
  - {id: old, name: Gone, email: old@example.com, active: false}
pools:
  spanish: {reps: [lucia, javier], email: ventas@example.com, booking_url: https://cal.com/team/ventas}
  inbound: {reps: [emma, noah], outside_hours: queue}
  nobody: {reps: [old]}
rules:
  - {name: owner, when: {}, crm_owner: true}
  - {name: gone, when: {utm_campaign: retired}, pool: nobody}
  - {name: spanish, when: {language: es}, pool: spanish}
  - {name: big, when: {landing_page: "/enterprise*", budget: {min: 50000}}, rep: sam}
  - {name: fintech, when: {industry: [fintech, banking]}, rep: emma}
  - {name: english, when: {language: en, tier: sales_ready}, pool: inbound}
fallback_pool: spanish
default_owner: sam
"""


def _config(**changes: Any) -> RoutingConfig:
    data = yaml.safe_load(TEAM)
    data.update(changes)
    return RoutingConfig.parse_obj(data)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _rep(rep_id: str) -> Any:
    rep = _config().rep(rep_id)
    assert rep is not None
    return rep


def _working(rep_id: str, at: str) -> bool:
    rep = _rep(rep_id)
    tz = zone(rep.time_zone)
    assert tz is not None
    week, problems = parse_week(_config().hours_of(rep))
    assert problems == []
    return is_working(week, tz, rep.away_on, _at(at))


# 2026-12-02 is a Wednesday. Madrid is UTC+1 in winter, London UTC+0, New York UTC-5.
@pytest.mark.parametrize(
    ("rep", "at", "working"),
    [
        ("lucia", "2026-12-02T08:00", True),  # 09:00 in Madrid: the morning starts
        ("lucia", "2026-12-02T07:59", False),
        ("lucia", "2026-12-02T13:30", False),  # 14:30: the Spanish lunch break
        ("lucia", "2026-12-02T15:00", True),  # 16:00: the afternoon
        ("lucia", "2026-12-02T18:00", False),  # 19:00: the end is not included
        ("lucia", "2026-12-04T13:59", True),  # Friday 14:59 (08:00-15:00)
        ("lucia", "2026-12-04T14:00", False),
        ("lucia", "2026-12-05T10:00", False),  # Saturday
        ("lucia", "2026-12-24T10:00", False),  # out of office, one day
        ("lucia", "2026-12-30T10:00", False),  # out of office, a range
        ("lucia", "2027-01-06T10:00", False),  # the range's last day is included
        ("lucia", "2027-01-07T10:00", True),
        ("noah", "2026-12-02T13:59", False),  # 08:59 in New York
        ("noah", "2026-12-02T14:00", True),  # 09:00
        ("noah", "2026-12-02T21:59", True),  # 16:59
        ("emma", "2026-12-02T09:00", True),  # London = UTC in winter
        ("emma", "2026-12-02T17:00", False),
    ],
)
def test_working_hours_are_read_in_the_reps_own_time_zone(rep: str, at: str, working: bool) -> None:
    assert _working(rep, at) is working


# US clocks go forward on Sunday 2026-03-08, Spain's three weeks later (2026-03-29).
@pytest.mark.parametrize(
    ("rep", "at", "working"),
    [
        ("noah", "2026-03-06T13:30", False),  # Friday 08:30 EST (UTC-5)
        ("noah", "2026-03-09T13:30", True),  # Monday 09:30 EDT (UTC-4): same UTC hour, now working
        ("noah", "2026-03-09T21:30", False),  # 17:30 EDT
        ("javier", "2026-03-27T08:00", True),  # Friday 09:00 CET (UTC+1)
        ("javier", "2026-03-30T07:30", True),  # Monday 09:30 CEST (UTC+2)
        ("javier", "2026-03-30T16:30", False),  # 18:30 CEST, was 17:30 the week before
    ],
)
def test_a_dst_change_moves_working_hours_in_utc(rep: str, at: str, working: bool) -> None:
    assert _working(rep, at) is working


def test_the_next_start_is_the_reps_wall_clock_across_a_dst_change() -> None:
    rep = _rep("noah")
    tz = zone(rep.time_zone)
    assert tz is not None
    week, _ = parse_week(_config().hours_of(rep))
    # Friday 2026-03-06 at 18:00 EST: the next start is Monday 09:00 EDT, 13:00 UTC (not 14:00).
    opens = next_start(week, tz, rep.away_on, _at("2026-03-06T23:00"))
    assert opens is not None and opens.astimezone(timezone.utc) == _at("2026-03-09T13:00")


def _lead(language: str = "en", **facts: Any) -> dict[str, Any]:
    return {"tier": "sales_ready", "score": 85, "language": language, **facts}


WEDNESDAY_MORNING = _at("2026-12-02T10:00")  # Madrid 11:00, London 10:00, New York 05:00


@pytest.mark.parametrize(
    ("facts", "rule", "choices"),
    [
        (_lead("es"), "rule 3 'spanish'", ["lucia", "javier"]),
        (_lead("en", landing_page="/enterprise/pricing", budget=80000.0), "rule 4 'big'", ["sam"]),
        (_lead("en", landing_page="/enterprise", budget=20000.0), "rule 6 'english'", ["emma"]),
        (_lead("en", industry="Banking"), "rule 5 'fintech'", ["emma"]),
        # the inbound pool works now (emma in London): New York is still asleep
        (_lead("en"), "rule 6 'english'", ["emma"]),
        # a rule whose pool has nobody available passes the lead on to the next one
        (_lead("es", utm_campaign="retired"), "rule 3 'spanish'", ["lucia", "javier"]),
        # no rule matches a nurture lead in German: the fallback pool
        ({"tier": "nurture", "language": "de"}, "fallback pool", ["lucia", "javier"]),
    ],
)
def test_the_first_matching_rule_with_someone_available_takes_the_lead(
    facts: dict[str, Any], rule: str, choices: list[str]
) -> None:
    plan = plan_route(_config(), facts, WEDNESDAY_MORNING)
    assert plan.rule == rule
    assert [c.rep_id for c in plan.choices] == choices


def test_a_spanish_lead_goes_to_the_spanish_pool_with_its_address_and_booking_link() -> None:
    plan = plan_route(_config(), _lead("es"), WEDNESDAY_MORNING)
    assert plan.target == "pool" and plan.pool == "spanish"
    lucia = plan.choices[0]
    assert (lucia.slack_user_id, lucia.pool_email, lucia.booking_url) == (
        "U0LUCIA01",
        "ventas@example.com",
        "https://cal.com/team/ventas",
    )
    assert "no CRM owner lookup configured" in plan.steps[0]
    assert {c.rep_id: c.eligible for c in plan.candidates} == {"lucia": True, "javier": True}


def test_a_pool_prefers_reps_who_speak_the_visitors_language() -> None:
    config = _config(pools={"mixed": {"reps": ["emma", "lucia"]}}, rules=[{"when": {}, "pool": "mixed"}])
    plan = plan_route(config, _lead("es"), WEDNESDAY_MORNING)
    assert [c.rep_id for c in plan.choices] == ["lucia"]
    emma = next(c for c in plan.candidates if c.rep_id == "emma")
    assert not emma.eligible and emma.why.startswith("does not speak es")
    # Nobody speaks German: everyone working stays eligible (a lead is never dropped).
    assert [c.rep_id for c in plan_route(config, _lead("de"), WEDNESDAY_MORNING).choices] == ["emma", "lucia"]


def test_out_of_office_and_inactive_reps_are_never_chosen() -> None:
    christmas_eve = _at("2026-12-24T10:00")  # a Thursday: javier works, lucia is away
    plan = plan_route(_config(), _lead("es"), christmas_eve)
    assert [c.rep_id for c in plan.choices] == ["javier"]
    assert next(c for c in plan.candidates if c.rep_id == "lucia").why.startswith("out of office")
    gone = plan_route(_config(rules=[{"when": {}, "pool": "nobody"}], fallback_pool=None), _lead(), christmas_eve)
    assert gone.target == "default_owner" and gone.choices[0].rep_id == "sam"
    assert "old: inactive" in gone.steps[-1]


def test_outside_hours_assign_keeps_the_pool_and_says_so() -> None:
    night = _at("2026-12-02T23:00")  # midnight in Madrid
    plan = plan_route(_config(), _lead("es"), night)
    assert plan.pool == "spanish" and plan.outside_hours and plan.deliver_at is None
    assert [c.rep_id for c in plan.choices] == ["lucia", "javier"]


def test_outside_hours_queue_holds_the_handoff_until_the_first_rep_starts() -> None:
    night = _at("2026-12-02T23:00")  # London 23:00, New York 18:00
    plan = plan_route(_config(), _lead("en"), night)
    assert plan.pool == "inbound" and not plan.outside_hours
    # Emma starts first: Thursday 09:00 in London, 09:00 UTC (New York starts at 14:00 UTC).
    assert plan.deliver_at == _at("2026-12-03T09:00")
    assert [c.rep_id for c in plan.choices] == ["emma"]
    assert "queued until 2026-12-03 09:00 UTC" in plan.reason


def test_the_default_owner_takes_any_lead_at_any_hour() -> None:
    config = _config(rules=[], fallback_pool=None)
    plan = plan_route(config, _lead(), _at("2026-12-05T03:00"))  # Saturday night
    assert plan.target == "default_owner" and plan.choices[0].rep_id == "sam"
    assert plan.outside_hours and "no rule matched" in plan.steps


class FakeCRM:
    """An in-process `OwnerLookup`: the CRM channels provide the real ones."""

    def __init__(self, owners: dict[str, str], fail: bool = False) -> None:
        self.owners, self.fail, self.asked = owners, fail, []

    def owner_email(self, visitor_email: str) -> str | None:
        self.asked.append(visitor_email)
        if self.fail:
            raise ConnectionError("CRM down")
        return self.owners.get(visitor_email)


@pytest.mark.parametrize(
    ("crm", "target", "who"),
    [
        (FakeCRM({"ana@acme.com": "NOAH@example.com"}), "crm_owner", "noah"),  # the owner, found by email
        (FakeCRM({"ana@acme.com": "ae@partner.example"}), "crm_owner", None),  # an owner not in routing.yml
        (FakeCRM({}), "pool", "lucia"),  # the CRM knows nobody: next rule
        (FakeCRM({}, fail=True), "pool", "lucia"),  # the CRM is down: next rule
        (None, "pool", "lucia"),  # no CRM configured: next rule
    ],
)
def test_the_crm_owner_comes_first_when_the_crm_knows_one(crm: FakeCRM | None, target: str, who: str | None) -> None:
    afternoon = _at("2026-12-02T15:00")  # New York 10:00: noah works
    plan = plan_route(_config(), _lead("es"), afternoon, owner_lookup=crm, visitor_email="ana@acme.com")
    assert plan.target == target
    assert plan.choices[0].rep_id == who
    if crm is not None:
        assert crm.asked == ["ana@acme.com"]


def test_an_owner_out_of_office_passes_the_lead_to_the_next_rule() -> None:
    crm = FakeCRM({"ana@acme.com": "lucia@example.com"})
    plan = plan_route(_config(), _lead("es"), _at("2026-12-24T10:00"), owner_lookup=crm, visitor_email="ana@acme.com")
    assert plan.rule == "rule 3 'spanish'" and [c.rep_id for c in plan.choices] == ["javier"]


def _assignment(rep: str, pool: str | None, attempt: int = 0) -> Assignment:
    return Assignment(
        id=1, lead_id=1, assignee=Assignee(rep, rep.capitalize(), pool=pool), rule="rule 3 'spanish'",
        target="pool", reason="", candidates=(), steps=(), attempt=attempt, assigned_at=WEDNESDAY_MORNING,
        deliver_at=None, respond_by=None, outside_hours=False, current=True,
    )  # fmt: skip


def test_a_lead_nobody_judged_is_reassigned_once_in_its_pool_then_to_the_default_owner() -> None:
    later = _at("2026-12-02T10:31")
    first = plan_reassignment(_config(), _lead("es"), _assignment("lucia", "spanish"), later)
    assert first is not None and first.attempt == 1 and [c.rep_id for c in first.choices] == ["javier"]
    assert "no verdict from Lucia within 30 min" in first.reason
    second = plan_reassignment(_config(), _lead("es"), _assignment("javier", "spanish", attempt=1), later)
    assert second is not None and second.target == "default_owner" and second.attempt == 2
    assert plan_reassignment(_config(), _lead("es"), _assignment("sam", None, attempt=2), later) is None


def test_facts_come_from_the_lead_record() -> None:
    from tests.integration.conftest import make_snapshot

    snap = make_snapshot(email="Ann@Acme.COM")
    lead = Lead(
        id=1, conversation_id="c", started_at=snap.started_at, updated_at=snap.started_at, finished_at=None,
        last_answer_at=None, language="es", status="sales_ready", score=90, tier="sales_ready", knocked_out_by=None,
        qualified=True, human_requested=False, contact_consent=True, contact=Contact("Ann", "Ann@Acme.COM", "Acme"),
        currency="EUR", page_context=snap.page_context or {}, transcript=(), answers={}, breakdown=(), summary=None,
    )  # fmt: skip
    facts = lead_facts(lead)
    assert facts["language"] == "es" and facts["landing_page"] == "/pricing"
    assert facts["utm_source"] == "google" and facts["utm_campaign"] == "spring" and facts["utm_medium"] is None
    assert facts["referrer_domain"] == "google.com" and facts["email_domain"] == "acme.com"


def test_an_out_of_office_day_is_the_reps_local_date() -> None:
    # 23:30 UTC on 23 December is already the 24th in Madrid: Lucía is away.
    assert _rep("lucia").away_on(date(2026, 12, 24))
    assert not _working("lucia", "2026-12-23T23:30")
