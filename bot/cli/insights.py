"""`leadbot simulate` and the SLA-health part of `leadbot report` (text, --json, --html), with progress.

The numbers come from `bot.insights`; this module only prints them, so the console can show the same.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.insights import Health, WhatIf
    from bot.sla import SLA
    from bot.storage import LeadStore

TIERS = ("sales_ready", "nurture", "disqualified")


# --------------------------------------------------------------------------- progress


@contextmanager
def progress(label: str, total: int, unit: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal (tqdm), plain lines every 10 % otherwise (logs, CI)."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        with tqdm(total=total, desc=label, unit=unit, file=sys.stderr, leave=False) as bar:
            yield bar.update
        return
    done = 0
    shown = -1

    def update(n: int) -> None:
        nonlocal done, shown
        done += n
        tenth = done * 10 // total if total else 10
        if tenth != shown:
            shown = tenth
            print(f"{label}: {done:,}/{total:,} {unit} ({min(100, tenth * 10)}%)", file=sys.stderr, flush=True)

    yield update


# --------------------------------------------------------------------------- simulate


def add_simulate(sub: Any, date_type: Callable[[str], Any]) -> None:
    simulate = sub.add_parser(
        "simulate", help="what-if: re-score past leads against an edited SLA, judged by sales' verdicts"
    )
    simulate.add_argument("other", help="the edited SLA file to try")
    simulate.add_argument("--current", help="the SLA in force (default: LEADBOT_SLA or sla.yml)")
    simulate.add_argument("--domain", default="domain.yml", help="Rasa domain file (default: domain.yml)")
    simulate.add_argument("--since", type=date_type, help="leads started on or after (YYYY-MM-DD or ISO time)")
    simulate.add_argument("--until", type=date_type, help="leads started before (YYYY-MM-DD or ISO time)")
    simulate.add_argument("--json", action="store_true", help="machine-readable output")
    simulate.set_defaults(handler=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    from bot.insights import simulate
    from bot.settings import current_settings
    from bot.sla import SLAError, check_sla, load_sla
    from bot.storage import LeadStore

    problems = check_sla(args.other, args.domain)
    for problem in problems:
        print(f"{problem.file}:{problem.line}:{problem.col}: {problem.message}")
    if problems:
        print(f"{args.other}: {len(problems)} problem(s); fix them before simulating", file=sys.stderr)
        return 1
    current_path = args.current or current_settings().sla_path
    try:
        current, other = load_sla(current_path), load_sla(args.other)
    except SLAError as error:
        print(error, file=sys.stderr)
        return 1
    print("simulate: training both SLAs' classifiers…", file=sys.stderr, flush=True)
    current.own_models()
    other.own_models()
    store = LeadStore(args.database_url)
    total = store.count_leads(since=args.since, until=args.until)
    started = time.perf_counter()
    with progress("simulate", total, "leads") as update:
        result = simulate(store, current, other, since=args.since, until=args.until, on_progress=update)
    print(f"simulate: {result.leads:,} leads re-scored in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if args.json:
        print(json.dumps({"current_sla": str(current_path), "other_sla": args.other, **result.as_dict()}, indent=2))
        return 0
    print_whatif(result, str(current_path), args.other)
    return 0


def print_whatif(result: WhatIf, current: str, other: str) -> None:
    period = f"{result.since or 'beginning'} – {result.until or 'now'}"
    print(f"What-if: {other} instead of {current}")
    print(f"Leads started {period}, re-scored from the visitor's stored words: {result.leads}")
    print(f"  {'tier':14}{'current':>9}{'other':>9}{'change':>9}")
    for tier in TIERS:
        cur, new = result.current[tier], result.other[tier]
        print(f"  {tier:14}{cur:>9}{new:>9}{new - cur:>+9}")
    print(f"Leads that change tier: {result.changed}")
    print(f"  {'current ↓ other →':18}" + "".join(f"{tier:>14}" for tier in TIERS))
    for tier in TIERS:
        print(f"  {tier:18}" + "".join(f"{result.matrix[tier][new]:>14}" for new in TIERS))
    change = result.handoffs_other - result.handoffs_current
    print(f"Handed off to sales: {result.handoffs_current} → {result.handoffs_other} ({change:+})")
    print("Against sales' verdicts:")
    print(f"  accepted leads: {result.accepted}, still handed off: {result.accepted_kept}")
    print(
        f"  accepted leads that would no longer be handed off: {result.accepted_lost}{_ids(result.accepted_lost_ids)}"
    )
    print(f"  rejected leads: {result.rejected}, still handed off: {result.rejected_kept}")
    print(
        f"  rejected leads that would have been filtered out: {result.rejected_filtered}"
        f"{_ids(result.rejected_filtered_ids)}"
    )
    net = result.net_verdicts
    verdict = "sales would see fewer bad leads" if net > 0 else "sales would lose good leads" if net < 0 else "even"
    print(
        f"  net effect: {result.rejected_filtered} rejected spared − {result.accepted_lost} accepted lost = "
        f"{net:+} ({verdict})"
    )
    print(f"  newly handed off, never judged by sales: {result.new_handoffs_unjudged}")
    if result.stored_differs:
        print(
            f"Note: {result.stored_differs} lead(s) were stored with another tier than the current SLA gives them"
            " today (the readers changed since); both columns above are read today, so the change is the edit's."
        )
    for question, leads in result.unanswered.items():
        print(
            f"Note: {leads} lead(s) have no stored answer to '{question}' (the visitor left before it, or it was"
            " not asked then): scored as not answered."
        )


def _ids(ids: list[int]) -> str:
    return f" (lead {', '.join(map(str, ids))}{', …' if len(ids) >= 20 else ''})" if ids else ""


# --------------------------------------------------------------------------- report


def add_report_options(report: argparse.ArgumentParser) -> None:
    report.add_argument("--html", metavar="FILE", help="also write the SLA health as one HTML file, charts included")
    report.add_argument(
        "--csv", metavar="FILE", help="also write the SLA-health figures as one long CSV (docs/console.md)"
    )


def compute_health(store: LeadStore, sla: SLA | None, args: argparse.Namespace, minutes: int | None) -> Health:
    from bot.insights import sla_health
    from bot.storage.health import HealthStore

    started = time.perf_counter()
    with progress("report", HealthStore.STEPS, "steps") as update:
        health = sla_health(
            store, sla, since=args.since, until=args.until, follow_up_minutes=minutes, on_progress=update
        )
    print(f"report: SLA health computed in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return health


def write_html(health: Health, path: str) -> None:
    from bot.insights.report_html import render_html

    Path(path).write_text(render_html(health), encoding="utf-8")
    print(f"SLA health written to {path}", file=sys.stderr)


def write_exports(health: Health, args: argparse.Namespace) -> None:
    """The --html and --csv files `leadbot report` was asked for."""
    if args.html:
        write_html(health, args.html)
    if args.csv:
        from bot.insights.health_csv import health_csv

        Path(args.csv).write_text(health_csv(health), encoding="utf-8")
        print(f"SLA-health figures written to {args.csv}", file=sys.stderr)


def print_health(health: Health, clean: Callable[[str], str]) -> None:
    """The SLA-health figures after the report's totals; `clean` makes stored words printable."""
    print("Funnel:")
    for step, n in health.funnel:
        print(f"  {n:>7}  {step}")
    print("Drop-off (left at this question):")
    for question, n in health.drop_off:
        print(f"  {n:>7}  {question}")
    print(f"Tier mix per {health.bucket} (sales_ready / nurture / disqualified):")
    for period, mix in health.tier_mix[-12:]:
        print(f"  {period:10}  " + " / ".join(str(mix.get(t, 0)) for t in TIERS))
    print("Acceptance by tier (accepted / rejected):")
    for rate in health.by_tier:
        print(f"  {rate.label:13} {rate.accepted} / {rate.rejected}  {_pct(rate.acceptance)}")
    print("Acceptance by answer (leads, accepted / rejected):")
    for criterion, rates in health.by_value.items():
        for rate in rates:
            print(
                f"  {criterion}: {clean(rate.label)}: {rate.leads}, {rate.accepted} / {rate.rejected}"
                f"  {_pct(rate.acceptance)}"
            )
    print("Top rejection reasons:" + ("" if health.rejection_reasons else " none"))
    for reason, n in health.rejection_reasons:
        print(f"  {n:>7} × {clean(reason)}")
    s = health.speed
    print(
        f"Speed to lead: system (tiered → delivered) median {_min(s.system_median)}, p95 {_min(s.system_p95)}"
        f" over {s.delivered} delivered; human (delivered → first verdict) median {_min(s.human_median)},"
        f" p95 {_min(s.human_p95)} over {s.judged} judged"
    )
    if s.promise_minutes is not None:
        print(f"  within the {s.promise_minutes}-minute promise: {s.within_promise} of {s.judged} judged")
    if health.bookings is not None:
        b = health.bookings
        print(
            f"Meetings booked: {b.booked} of {b.handed_off} handed off ({_pct(b.booked_rate)}),"
            f" {b.cancelled} cancelled, {b.rescheduled} rescheduled;"
            f" chat → booking median {_min(b.median_minutes)}, p95 {_min(b.p95_minutes)}"
        )
    for name, rows in health.sources.items():
        print(f"Quality per {name} (leads, % sales-ready, accepted, % accepted of judged):")
        for row in rows[:10]:
            print(
                f"  {clean(row.value)[:60]:60} {row.leads:>6} {_pct(row.sales_ready_share):>5} {row.accepted:>6}"
                f" {_pct(row.acceptance):>5}"
            )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _min(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} min"
