"""`leadbot report --html`: the SLA-health figures as one self-contained HTML file, charts inline.

Jinja2 with autoescape: every string from the database (UTM values, reasons) is escaped; the
charts are matplotlib's own escaped SVG (`bot.insights.charts`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.insights.charts import charts
from bot.insights.health import Health

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render_html(health: Health, *, title: str = "SLA health", generated: datetime | None = None) -> str:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True), trim_blocks=True
    )
    environment.filters["pct"] = _pct
    environment.filters["minutes"] = _minutes
    template = environment.get_template("report.html.j2")
    return template.render(
        health=health,
        charts=charts(health),
        title=title,
        generated=(generated or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC"),
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} min"
