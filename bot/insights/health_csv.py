"""The SLA-health figures as one long-format CSV: `table,group,item,measure,value`, one figure a row.

Long format because the report's tables have different columns (a funnel step has leads, a
source has leads, sales-ready, accepted…): one file a spreadsheet pivots, and the same numbers
as `leadbot report --json` (both come from `Health`). `leadbot report --csv` and the console's
export write it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from bot.insights.health import Health, Rate

COLUMNS = ("table", "group", "item", "measure", "value")
Row = tuple[str, str, str, str, Any]


def spreadsheet_safe(value: Any) -> Any:
    """Spreadsheets run cells starting with = + - @ as formulas; visitor and rep text must not."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if value is None:
        return ""
    return value


def health_rows(health: Health) -> Iterator[Row]:
    """Every figure of `health`, in the report's order."""
    for step, n in health.funnel:
        yield "funnel", "", step, "leads", n
    for question, n in health.drop_off:
        yield "drop_off", "", question, "left", n
    for period, mix in health.tier_mix:
        for tier, n in mix.items():
            yield "tier_mix", health.bucket, period, tier, n
    for rate in health.by_tier:
        yield from _rate("acceptance_by_tier", "", rate)
    for criterion, rates in health.by_value.items():
        for rate in rates:
            yield from _rate("acceptance_by_value", criterion, rate)
    for reason, n in health.rejection_reasons:
        yield "rejection_reasons", "", reason, "leads", n
    speed = health.speed
    for item, measure, value in (
        ("system", "handed_off", speed.handed_off),
        ("system", "delivered", speed.delivered),
        ("system", "median_minutes", speed.system_median),
        ("system", "p95_minutes", speed.system_p95),
        ("human", "judged", speed.judged),
        ("human", "median_minutes", speed.human_median),
        ("human", "p95_minutes", speed.human_p95),
        ("promise", "minutes", speed.promise_minutes),
        ("promise", "judged_within", speed.within_promise),
    ):
        yield "speed_to_lead", "", item, measure, value
    for name, rows in health.sources.items():
        for row in rows:
            for measure, value in (
                ("leads", row.leads),
                ("sales_ready", row.sales_ready),
                ("sales_ready_share", row.sales_ready_share),
                ("accepted", row.accepted),
                ("judged", row.judged),
                ("acceptance", row.acceptance),
                ("won", row.won),
            ):
                yield "sources", name, row.value, measure, value


def _rate(table: str, group: str, rate: Rate) -> Iterator[Row]:
    for measure, value in (
        ("leads", rate.leads),
        ("accepted", rate.accepted),
        ("rejected", rate.rejected),
        ("won", rate.won),
        ("acceptance", rate.acceptance),
        ("win_rate", rate.win_rate),
    ):
        yield table, group, rate.label, measure, value


def health_csv(health: Health) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in health_rows(health):
        writer.writerow([spreadsheet_safe(_number(v)) for v in row])
    return out.getvalue()


def _number(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value
