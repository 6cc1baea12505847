"""The fast paths of `leadbot simulate` and `leadbot report` give exactly the figures of the plain
ones: leads that share their words are scored once (bot/insights/whatif.py), the tier mix is
counted per day in SQL (bot/storage/health.py). On SQLite and PostgreSQL, on leads stored by the
real snapshot and store, with repeated and dated answers, pricing-page visits and verdicts."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.domain import FINISHED
from bot.insights import simulate
from bot.sla import SLA, load_sla
from bot.storage import LeadStore
from bot.storage.convert import aware
from bot.storage.history import latest_verdicts
from bot.storage.tables import AnswerRow, LeadRow
from tests.insights_data import ROOT, make_lead, stricter_budget

# A year end, a quarter end and midnight UTC, so "next quarter" and "by March" mean other
# months on other days, and a lead at 23:59 belongs to another day than one at 00:01.
DAYS = [
    datetime(2026, 12, 31, 23, 59, tzinfo=timezone.utc),
    datetime(2027, 1, 1, 0, 1, tzinfo=timezone.utc),
    datetime(2027, 3, 30, 12, 0, tzinfo=timezone.utc),
    datetime(2027, 4, 2, 9, 0, tzinfo=timezone.utc),
]
WORDS = [  # (budget, role, timing, need)
    ("around 20k a year", "I'm a sales manager", "next quarter", "our sales team wastes hours on bad leads"),
    ("15k a year", "I'm the head of sales", "by March", "our sales team wastes hours on bad leads"),
    ("60k per year", "I'm a sales manager", "in 3 months", "just curious"),
    ("no budget", "engineer", "no plans", "our sales team wastes hours on bad leads"),
    ("8000 euros", "I'm the founder", "asap", "we lose leads in the CRM follow-up"),
    ("around 20k a year", "I'm a sales manager", "in about 9 months", "our sales team wastes hours on bad leads"),
    ("20k a year", "I'm a sales manager", "by September", "our sales team wastes hours on bad leads"),
]


@pytest.fixture
def leads(database_url: str) -> LeadStore:
    store, sla = LeadStore(database_url), load_sla(ROOT / "sla.yml")
    n = 0
    for day in DAYS:
        for budget, role, timing, need in WORDS:
            for path in ("/landing", "/pricing"):
                lead = make_lead(store, sla, f"v{n}", budget, role=role, timing=timing, need=need, at=day, path=path)
                if lead.tier == "sales_ready" and n % 3:
                    store.feedback(lead.id, "accept" if n % 3 == 1 else "reject", "seen")
                if n % 7 == 1:  # sales changed its mind: the latest verdict counts
                    store.feedback(lead.id, "reject", "changed our mind")
                n += 1
    return store


def _edits(tmp_path: Path) -> list[SLA]:
    text = (ROOT / "sla.yml").read_text(encoding="utf-8")
    rates = tmp_path / "rates.yml"  # reads differently: every answer is read with both SLAs
    rates.write_text(text.replace("  GBP: 1.17\n", "  GBP: 1.17\n  CHF: 1.05\n"), encoding="utf-8")
    if not (tmp_path / "training").exists():  # the SLA's example files are relative to it
        (tmp_path / "training").symlink_to(ROOT / "training")
    return [load_sla(stricter_budget(tmp_path)), load_sla(rates), load_sla(ROOT / "sla.yml")]


def test_scoring_each_shared_signature_once_gives_the_figures_of_scoring_every_lead(
    leads: LeadStore, tmp_path: Path
) -> None:
    current = load_sla(ROOT / "sla.yml")
    for other in _edits(tmp_path):
        shared = simulate(leads, current, other).as_dict()
        plain = simulate(leads, current, other, share_scores=False).as_dict()
        assert shared == plain
        assert shared["leads"] == len(DAYS) * len(WORDS) * 2
        # Read today with the SLA they were stored with, on their own dates: the same tiers.
        assert shared["stored_tier_differs_from_current"] == 0
    stricter = simulate(leads, current, load_sla(stricter_budget(tmp_path)))
    assert stricter.changed > 0 and stricter.accepted > 0 and stricter.rejected > 0


def test_the_tier_mix_counted_in_sql_equals_counting_each_lead_by_its_utc_day(leads: LeadStore) -> None:
    with leads.session() as session:
        rows = session.execute(select(LeadRow.started_at, LeadRow.status).where(LeadRow.status.in_(FINISHED)))
        expected = Counter((aware(started).date(), status) for started, status in rows)
    figures = leads.health()
    assert figures.tiers_by_day == dict(expected)
    assert {day for day, _ in figures.tiers_by_day} == {d.date() for d in DAYS}
    in_2027 = leads.health(since=DAYS[1] - timedelta(minutes=1))
    assert sum(in_2027.tiers_by_day.values()) == sum(n for (day, _), n in expected.items() if day.year == 2027)


def test_acceptance_by_rule_equals_one_outer_join_of_every_answer_to_the_latest_verdicts(leads: LeadStore) -> None:
    verdicts = latest_verdicts()
    plain = (
        select(AnswerRow.criterion, AnswerRow.rule, verdicts.c.verdict, func.count(AnswerRow.id))
        .join(LeadRow, LeadRow.id == AnswerRow.lead_id)
        .outerjoin(verdicts, verdicts.c.lead_id == AnswerRow.lead_id)
        .where(LeadRow.status.in_(FINISHED))
        .group_by(AnswerRow.criterion, AnswerRow.rule, verdicts.c.verdict)
    )
    with leads.session() as session:
        expected = {(c, r or "none", v): int(n) for c, r, v, n in session.execute(plain)}
    assert {v for _, _, v in expected} == {"accept", "reject", None}
    assert leads.health().by_rule == expected


def test_the_report_tallies_per_criterion_equal_counting_each_answer(leads: LeadStore) -> None:
    with leads.session() as session:
        answers = list(session.execute(select(AnswerRow)).scalars())
    tallies = {t.criterion: t for t in leads.report().criteria}
    for criterion in {a.criterion for a in answers}:
        mine = [a for a in answers if a.criterion == criterion]
        fired = Counter(a.explanation.removesuffix(f" ({a.reason})") if a.reason else a.explanation for a in mine)
        tally = tallies[criterion]
        assert tally.answered == len(mine)
        assert tally.not_understood == sum(1 for a in mine if a.kind == "unknown")
        assert tally.points_mean == pytest.approx(sum(a.points for a in mine) / len(mine), abs=1e-12)
        assert tally.max_points == max(a.max_points for a in mine)
        assert dict(tally.outcomes) == dict(fired)
