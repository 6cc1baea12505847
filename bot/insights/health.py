"""SLA health for marketing: the store's figures in the SLA's order and words, ready to print or chart.

One `Health` object feeds the text of `leadbot report`, its `--json` and its `--html`, so the
three always show the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any
from urllib.parse import urlsplit

from bot.scoring import describe_rule
from bot.sla import SLA
from bot.storage import LeadStore
from bot.storage.convert import percentile
from bot.storage.health import HealthFigures, SourceTally

TIERS = ("sales_ready", "nurture", "disqualified")
LEFT_AT_THE_END = "(after the last question)"


@dataclass(frozen=True)
class Rate:
    """Leads of a group, how many sales accepted and rejected, and how many were won."""

    label: str
    leads: int
    accepted: int
    rejected: int
    won: int = 0

    @property
    def acceptance(self) -> float | None:
        judged = self.accepted + self.rejected
        return self.accepted / judged if judged else None

    @property
    def win_rate(self) -> float | None:
        """Won of the accepted leads: the SLA judged on closes, not only on sales' first look."""
        return self.won / self.accepted if self.accepted else None


@dataclass(frozen=True)
class Speed:
    """Speed to lead, in minutes: the system's part and the human part, against the promise."""

    handed_off: int
    delivered: int
    system_median: float | None
    system_p95: float | None
    judged: int
    human_median: float | None
    human_p95: float | None
    promise_minutes: int | None
    within_promise: int | None  # delivered leads judged within the promise (None: no promise)


@dataclass(frozen=True)
class Bookings:
    """Meetings booked from the chat's booking link (docs/booking.md), over the handed-off leads."""

    handed_off: int
    booked: int  # booked now
    cancelled: int  # booked, then cancelled
    rescheduled: int  # leads whose meeting moved at least once
    median_minutes: float | None  # the chat's end -> the first booking
    p95_minutes: float | None

    @property
    def booked_rate(self) -> float | None:
        return self.booked / self.handed_off if self.handed_off else None


@dataclass(frozen=True)
class SourceRow:
    value: str
    leads: int
    sales_ready: int
    accepted: int
    judged: int
    won: int = 0

    @property
    def sales_ready_share(self) -> float:
        return self.sales_ready / self.leads if self.leads else 0.0

    @property
    def acceptance(self) -> float | None:
        return self.accepted / self.judged if self.judged else None


@dataclass
class Health:
    since: datetime | date | None
    until: datetime | date | None
    funnel: list[tuple[str, int]]
    drop_off: list[tuple[str, int]]  # question slot -> visitors who left there
    bucket: str  # day | week | month
    tier_mix: list[tuple[str, dict[str, int]]]
    by_tier: list[Rate]
    by_value: dict[str, list[Rate]]  # criterion -> one rate per rule that fired
    rejection_reasons: list[tuple[str, int]]
    speed: Speed
    sources: dict[str, list[SourceRow]] = field(default_factory=dict)
    bookings: Bookings | None = None

    def as_dict(self) -> dict[str, Any]:
        def rate(r: Rate) -> dict[str, Any]:
            return {**asdict(r), "acceptance": r.acceptance, "win_rate": r.win_rate}

        def source(s: SourceRow) -> dict[str, Any]:
            return {**asdict(s), "sales_ready_share": s.sales_ready_share, "acceptance": s.acceptance}

        return {
            "since": str(self.since) if self.since is not None else None,
            "until": str(self.until) if self.until is not None else None,
            "funnel": [{"step": step, "leads": n} for step, n in self.funnel],
            "drop_off": [{"question": q, "left": n} for q, n in self.drop_off],
            "tier_mix": {"bucket": self.bucket, "periods": [{"period": p, **t} for p, t in self.tier_mix]},
            "acceptance_by_tier": [rate(r) for r in self.by_tier],
            "acceptance_by_value": {c: [rate(r) for r in rates] for c, rates in self.by_value.items()},
            "rejection_reasons": [{"reason": r, "leads": n} for r, n in self.rejection_reasons],
            "speed_to_lead": asdict(self.speed),
            "sources": {name: [source(s) for s in rows] for name, rows in self.sources.items()},
            "bookings": {**asdict(self.bookings), "booked_rate": self.bookings.booked_rate} if self.bookings else None,
        }


def sla_health(
    store: LeadStore,
    sla: SLA | None,
    *,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    follow_up_minutes: int | None = None,
    now: datetime | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Health:
    """The health figures of leads started in [since, until); `sla` gives the question order,
    the rules' words and the follow-up promise (without it, stored names and order)."""
    figures = store.health(since=since, until=until, now=now, on_progress=on_progress)
    questions = _questions(sla, figures)
    if follow_up_minutes is None and sla is not None:
        follow_up_minutes = sla.follow_up.within_minutes
    bucket, tier_mix = _tier_mix(figures)
    return Health(
        since=since,
        until=until,
        funnel=[
            ("widget opened", figures.widget_opened),
            ("first message", figures.first_message),
            ("conversations started", figures.started),
            *((f"answered {q}", figures.answered.get(q, 0)) for q in questions),
            ("finished", figures.finished),
            ("sales-ready", figures.sales_ready),
            ("delivered to sales", figures.delivered),
            ("accepted by sales", figures.accepted),
            ("won", figures.won),
        ],
        drop_off=_drop_off(figures, questions),
        bucket=bucket,
        tier_mix=tier_mix,
        by_tier=[_rate(tier, figures.verdicts_by_tier, tier, figures.won_by_tier.get(tier, 0)) for tier in TIERS],
        by_value=_by_value(figures, sla, questions),
        rejection_reasons=[(reason or "(no reason given)", n) for reason, n in figures.rejection_reasons],
        speed=_speed(figures, follow_up_minutes),
        sources={name: _sources(name, rows) for name, rows in figures.sources.items()},
        bookings=_bookings(figures),
    )


def _questions(sla: SLA | None, figures: HealthFigures) -> list[str]:
    if sla is not None:
        return [slot for slot in sla.slots if slot in sla.criteria]
    return sorted(figures.answered)


def _drop_off(figures: HealthFigures, questions: list[str]) -> list[tuple[str, int]]:
    left = dict.fromkeys([*questions, LEFT_AT_THE_END], 0)
    for answered, n in figures.left_with.items():
        where = next((q for q in questions if q not in answered), LEFT_AT_THE_END)
        left[where] += n
    return list(left.items())


def _tier_mix(figures: HealthFigures) -> tuple[str, list[tuple[str, dict[str, int]]]]:
    days = [day for day, _ in figures.tiers_by_day]
    if not days:
        return "day", []
    span = (max(days) - min(days)).days
    bucket = "day" if span <= 45 else "week" if span <= 366 else "month"
    mix: dict[str, dict[str, int]] = {}
    for (day, tier), n in sorted(figures.tiers_by_day.items()):
        label = _bucket(day, bucket)
        row = mix.setdefault(label, dict.fromkeys(TIERS, 0))
        row[tier] = row.get(tier, 0) + n
    return bucket, sorted(mix.items())


def _bucket(day: date, bucket: str) -> str:
    if bucket == "day":
        return day.isoformat()
    if bucket == "week":
        return (day - timedelta(days=day.weekday())).isoformat()  # the week's Monday
    return f"{day:%Y-%m}"


def _rate(label: str, verdicts: dict[tuple[str, str], int], key: str, won: int) -> Rate:
    accepted, rejected = verdicts.get((key, "accept"), 0), verdicts.get((key, "reject"), 0)
    return Rate(label, accepted + rejected, accepted, rejected, won)


def _by_value(figures: HealthFigures, sla: SLA | None, questions: list[str]) -> dict[str, list[Rate]]:
    """Acceptance per criterion value: leads grouped by the rule their answer fired (a budget
    band, a role category), labelled with the rule's `explain` from the SLA."""
    grouped: dict[str, dict[str, list[int]]] = {}
    for (criterion, rule, verdict), n in figures.by_rule.items():
        counts = grouped.setdefault(criterion, {}).setdefault(rule, [0, 0, 0])
        counts[0] += n
        counts[1] += n if verdict == "accept" else 0
        counts[2] += n if verdict == "reject" else 0
    order = [*questions, *sorted(set(grouped) - set(questions))]
    result = {}
    for criterion in order:
        if criterion not in grouped:
            continue
        labels = _rule_labels(sla, criterion)
        rows = [
            Rate(labels.get(rule, rule), leads, accepted, rejected, figures.won_by_rule.get((criterion, rule), 0))
            for rule, (leads, accepted, rejected) in grouped[criterion].items()
        ]
        result[criterion] = sorted(rows, key=lambda r: -r.leads)
    return result


def _rule_labels(sla: SLA | None, criterion: str) -> dict[str, str]:
    if sla is None or criterion not in sla.criteria:
        return {}
    return {describe_rule(rule): rule.explain or describe_rule(rule) for rule in sla.criteria[criterion].rules}


def _speed(figures: HealthFigures, promise: int | None) -> Speed:
    system = [t.system_minutes for t in figures.timings if t.system_minutes is not None]
    human = [t.human_minutes for t in figures.timings if t.human_minutes is not None]
    return Speed(
        handed_off=len(figures.timings),
        delivered=len(system),
        system_median=median(system) if system else None,
        system_p95=percentile(system, 95) if system else None,
        judged=len(human),
        human_median=median(human) if human else None,
        human_p95=percentile(human, 95) if human else None,
        promise_minutes=promise,
        within_promise=sum(1 for m in human if m <= promise) if promise is not None else None,
    )


def _bookings(figures: HealthFigures) -> Bookings:
    minutes = [b.minutes_to_book for b in figures.bookings if b.minutes_to_book is not None]
    return Bookings(
        handed_off=len(figures.timings),
        booked=sum(1 for b in figures.bookings if b.booked),
        cancelled=sum(1 for b in figures.bookings if not b.booked),
        rescheduled=sum(1 for b in figures.bookings if b.reschedules),
        median_minutes=median(minutes) if minutes else None,
        p95_minutes=percentile(minutes, 95) if minutes else None,
    )


def _sources(name: str, tallies: list[SourceTally]) -> list[SourceRow]:
    merged: dict[str, list[int]] = {}
    for tally in tallies:
        value = _page(tally.value) if name == "landing_page" else tally.value
        row = merged.setdefault(value or "(none)", [0, 0, 0, 0, 0])
        for i, n in enumerate((tally.leads, tally.sales_ready, tally.accepted, tally.judged, tally.won)):
            row[i] += n
    rows = [SourceRow(value, *counts) for value, counts in merged.items()]
    return sorted(rows, key=lambda r: (-r.leads, r.value))


def _page(url: str) -> str:
    """A landing page without its query and fragment: the UTM tags are counted apart."""
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}" if parts.netloc else parts.path or url
