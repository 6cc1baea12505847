"""The SLA-health figures the console adds, on SQLite and PostgreSQL: the widget's beacon counters,
"won" in the funnel and the win rates, and migration 0008 down one step and up again."""

from __future__ import annotations

from datetime import date, datetime, timezone

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from bot.insights import sla_health
from bot.sla import load_sla
from bot.storage import ConsoleStore
from bot.storage.engine import MIGRATIONS_DIR
from tests.insights_data import ROOT, seed_leads

DAY = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


def test_beacons_count_per_day_and_won_leads_close_the_funnel(database_url: str) -> None:
    leads = seed_leads(database_url)
    store = ConsoleStore(database_url)
    for at in (DAY, DAY, DAY.replace(day=21)):
        store.count_widget_event("widget_opened", at=at)
    store.count_widget_event("first_message", at=DAY)
    store.record_outcome(leads["accepted_20k"].id, "won")
    store.record_outcome(leads["accepted_top"].id, "won")
    store.record_outcome(leads["accepted_top"].id, "lost")  # the latest outcome counts

    assert store.widget_events() == {"widget_opened": 3, "first_message": 1}
    assert store.widget_events(since=date(2026, 11, 21)) == {"widget_opened": 1, "first_message": 0}
    # A time inside a day counts the whole day (the counters are per day).
    assert store.widget_events(until=datetime(2026, 11, 20, 12, tzinfo=timezone.utc))["widget_opened"] == 2

    health = sla_health(store, load_sla(ROOT / "sla.yml"), since=date(2026, 11, 1), until=date(2026, 12, 1))
    funnel = dict(health.funnel)
    assert (funnel["widget opened"], funnel["first message"], funnel["won"]) == (3, 1, 1)
    ready = next(rate for rate in health.by_tier if rate.label == "sales_ready")
    assert (ready.accepted, ready.won, ready.win_rate) == (2, 1, 0.5)
    budget = {rate.label: rate for rate in health.by_value["budget"]}
    assert budget["annual budget of 10,000 or more"].won == 1
    newsletter = next(row for row in health.sources["utm_source"] if row.value == "newsletter")
    assert newsletter.won == 1


def test_migration_0008_goes_down_one_step_and_up_again(database_url: str) -> None:
    store = ConsoleStore(database_url)  # migrated to head on first use
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    assert "widget_events" not in inspect(store.engine).get_table_names()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert "ix_feedback_lead_at" in {ix["name"] for ix in inspect(store.engine).get_indexes("feedback")}
    store.count_widget_event("first_message")
    assert store.widget_events()["first_message"] == 1
