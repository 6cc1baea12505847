"""`leadbot report --html`: the SLA-health figures as one self-contained HTML file, charts inline;
and the same sections for the console's health page (`render_sections`).

Jinja2 with autoescape: every string from the database (UTM values, reasons) is escaped; the
charts are matplotlib's own escaped SVG (`bot.insights.charts`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.insights.charts import charts
from bot.insights.health import Health

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True), trim_blocks=True
    )
    environment.filters["pct"] = pct
    environment.filters["minutes"] = minutes
    return environment


def render_html(health: Health, *, title: str = "SLA health", generated: datetime | None = None) -> str:
    template = _environment().get_template("report.html.j2")
    return template.render(
        health=health,
        charts=charts(health),
        title=title,
        generated=(generated or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC"),
    )


def render_sections(health: Health) -> Markup:
    """The report's sections (charts and tables) as one escaped fragment, for another page."""
    template = _environment().get_template("health_sections.html.j2")
    return Markup(template.render(health=health, charts=charts(health)))


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def minutes(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} min"
