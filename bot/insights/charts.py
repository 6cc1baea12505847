"""The report's charts as inline SVG, drawn by matplotlib (already installed with Rasa).

Every label may be a visitor's or a rep's words (UTM values, rejection reasons): matplotlib
escapes XML in the SVG it writes, and `_label` defuses its mathtext ("$...$") and bounds length.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

from markupsafe import Markup
from matplotlib import rc_context
from matplotlib.figure import Figure

from bot.insights.health import TIERS, Health, Rate

COLOURS = {"sales_ready": "#2e7d32", "nurture": "#f9a825", "disqualified": "#9e9e9e"}
BAR = "#1565c0"
_MAX_LABEL = 40
_MAX_BARS = 12
_RC_LOCK = threading.Lock()


SERIES_COLOURS = ("#1565c0", "#2e7d32", "#f9a825")


def charts(health: Health) -> dict[str, Markup]:
    """One SVG per chart of the report, by name, safe to place in the HTML as it is.

    `acceptance_<criterion>` and `sources_<field>` come one per criterion and per source field."""
    drawn = {
        "funnel": _barh("Funnel: leads at each step", health.funnel),
        "drop_off": _barh("Drop-off: visitors who left at each question", health.drop_off),
        "tier_mix": _tier_mix(health),
        "acceptance_by_tier": _rates("Acceptance and win rate by tier (%)", health.by_tier),
    }
    for criterion, rates in health.by_value.items():
        drawn[f"acceptance_{criterion}"] = _rates(f"Acceptance and win rate by {criterion} answer (%)", rates)
    drawn["rejection_reasons"] = _barh("Top rejection reasons", health.rejection_reasons)
    drawn["speed"] = _speed(health)
    for name, rows in health.sources.items():
        drawn[f"sources_{name}"] = _grouped(
            f"Quality per {name}: leads, sales-ready, accepted",
            [row.value for row in rows],
            [
                ("leads", [row.leads for row in rows]),
                ("sales-ready", [row.sales_ready for row in rows]),
                ("accepted", [row.accepted for row in rows]),
            ],
        )
    return drawn


def _rates(title: str, rates: Sequence[Rate]) -> Markup:
    """Acceptance (of judged leads) and win rate (of accepted leads) per group, in %."""
    shown = [r for r in rates if r.acceptance is not None]

    def pct(value: float | None) -> float:
        return round(100 * value, 1) if value is not None else 0.0

    return _grouped(
        title,
        [r.label for r in shown],
        [("accepted %", [pct(r.acceptance) for r in shown]), ("won %", [pct(r.win_rate) for r in shown])],
    )


def _grouped(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> Markup:
    """Horizontal bars, one group per label (first on top), one bar per series."""
    labels = list(labels)[:_MAX_BARS]
    figure = _figure(max(len(labels) * len(series) // 2, len(labels)))
    axes = figure.add_subplot()
    if not labels:
        _empty(axes, title)
        return _svg(figure, title)
    height = 0.8 / len(series)
    rows = range(len(labels))[::-1]
    for i, (name, values) in enumerate(series):
        offsets = [row + 0.4 - height * (i + 0.5) for row in rows]
        bars = axes.barh(offsets, list(values)[: len(labels)], height=height, color=SERIES_COLOURS[i], label=name)
        axes.bar_label(bars, padding=3, fontsize=8)
    axes.set_yticks(list(rows), [_label(label) for label in labels])
    axes.legend(loc="lower right", frameon=False)
    axes.set_title(title, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.12)
    return _svg(figure, title)


def _label(text: str) -> str:
    text = " ".join(str(text).split())
    text = text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"
    return text.replace("$", r"\$")  # no mathtext from a visitor's words


def _figure(rows: int = 6) -> Figure:
    return Figure(figsize=(8, max(2.4, 0.42 * rows + 1.2)), layout="constrained")


def _svg(figure: Figure, name: str) -> Markup:
    buffer = io.StringIO()
    # Text stays text (small, selectable); the salt keeps element ids apart between charts.
    # rcParams are process-wide: the console draws in a thread pool, so one chart at a time.
    with _RC_LOCK, rc_context({"svg.fonttype": "none", "svg.hashsalt": f"leadbot-{name}"}):
        figure.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return Markup(svg[svg.index("<svg") :])  # matplotlib escapes the text it writes


def _empty(axes: object, title: str) -> None:
    axes.set_title(title, loc="left")  # type: ignore[attr-defined]
    axes.text(0.5, 0.5, "no data in this period", ha="center", va="center", transform=axes.transAxes)  # type: ignore[attr-defined]
    axes.set_axis_off()  # type: ignore[attr-defined]


def _barh(title: str, data: Sequence[tuple[str, float]]) -> Markup:
    data = list(data)[:_MAX_BARS]
    figure = _figure(len(data))
    axes = figure.add_subplot()
    if not data:
        _empty(axes, title)
        return _svg(figure, title)
    labels = [_label(label) for label, _ in data][::-1]
    values = [value for _, value in data][::-1]
    bars = axes.barh(range(len(values)), values, color=BAR)
    axes.set_yticks(range(len(values)), labels)
    axes.bar_label(bars, padding=3)
    axes.set_title(title, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.12)
    return _svg(figure, title)


def _tier_mix(health: Health) -> Markup:
    title = f"Tier mix per {health.bucket}"
    figure = _figure(8)
    axes = figure.add_subplot()
    if not health.tier_mix:
        _empty(axes, title)
        return _svg(figure, title)
    periods = [period for period, _ in health.tier_mix]
    bottom = [0] * len(periods)
    for tier in TIERS:
        values = [mix.get(tier, 0) for _, mix in health.tier_mix]
        axes.bar(range(len(periods)), values, bottom=bottom, color=COLOURS[tier], label=tier)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, len(periods) // 12)
    axes.set_xticks(range(0, len(periods), step), periods[::step], rotation=45, ha="right")
    axes.legend(loc="upper left", frameon=False)
    axes.set_title(title, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, title)


def _speed(health: Health) -> Markup:
    speed = health.speed
    title = "Speed to lead (minutes): system vs human"
    figure = _figure(4)
    axes = figure.add_subplot()
    values = [
        ("system median", speed.system_median),
        ("system p95", speed.system_p95),
        ("human median", speed.human_median),
        ("human p95", speed.human_p95),
    ]
    shown = [(label, value) for label, value in values if value is not None]
    if not shown:
        _empty(axes, title)
        return _svg(figure, title)
    bars = axes.bar([label for label, _ in shown], [round(v, 1) for _, v in shown], color=BAR)
    axes.bar_label(bars, padding=3)
    if speed.promise_minutes is not None:
        axes.axhline(speed.promise_minutes, color="#c62828", linestyle="--", label="follow-up promise")
        axes.legend(loc="upper left", frameon=False)
    axes.set_title(title, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, title)
