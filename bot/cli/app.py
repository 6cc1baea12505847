"""`leadbot`: the command line for marketing, sales and ops (check, leads, export, report, outbox…).

`leadbot serve` runs the outbox worker beside the web app of `bot/web` (the console and the API).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.cli import insights, users
from bot.cli import leads as lead_commands
from bot.cli.check import check_command
from bot.cli.common import clean as _clean
from bot.cli.common import open_store as _store
from bot.cli.common import sla_or_none as _sla_or_none
from bot.cli.csv_export import to_csv
from bot.settings import current_settings

log = logging.getLogger("leadbot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except LookupError as exc:
        print(f"leadbot: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"leadbot: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadbot", description="Lead qualification assistant: leads, outbox, SLA.")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: LEADBOT_DATABASE_URL or sqlite:///leads.db)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command")

    check = sub.add_parser("check", help="validate the SLA file against the domain")
    check.add_argument("path", nargs="?", help="SLA file (default: LEADBOT_SLA or sla.yml)")
    check.add_argument("--domain", default="domain.yml", help="Rasa domain file (default: domain.yml)")
    check.set_defaults(handler=check_command)

    evaluate = sub.add_parser(
        "evaluate", help="how well the SLA's parsers and examples read a labelled set of visitor answers"
    )
    evaluate.add_argument("path", nargs="?", help="SLA file (default: LEADBOT_SLA or sla.yml)")
    evaluate.add_argument("--corpus", default="eval/corpus/answers.yml", help="labelled answers (eval/corpus format)")
    evaluate.add_argument("--misses", action="store_true", help="list the items read wrong (only the dev half)")
    evaluate.set_defaults(handler=_evaluate)

    leads = sub.add_parser("leads", help="list or show leads")
    leads_sub = leads.add_subparsers(dest="leads_command")
    lst = leads_sub.add_parser("list", help="list leads, newest first")
    _add_filters(lst)
    lst.add_argument("--status", help="in_progress | sales_ready | nurture | disqualified | stopped")
    lst.add_argument("--limit", type=int, default=None)
    lst.set_defaults(handler=lead_commands.list_leads)
    show = leads_sub.add_parser("show", help="one lead: summary, breakdown, transcript, handoff, feedback")
    show.add_argument("id", help="lead id or conversation id")
    show.set_defaults(handler=lead_commands.show_lead)

    export = sub.add_parser("export", help="export leads that answered at least one question")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("--output", "-o", help="file to write (default: stdout)")
    _add_filters(export)
    export.set_defaults(handler=lead_commands.export)

    feedback = sub.add_parser("feedback", help="record sales' verdict on a lead")
    feedback.add_argument("id", help="lead id or conversation id")
    feedback.add_argument("verdict", choices=("accept", "reject"))
    feedback.add_argument("--reason", default="")
    feedback.add_argument("--by", default=None)
    feedback.set_defaults(handler=_feedback)

    report = sub.add_parser("report", help="tiers, handoffs, acceptance, delivery time, follow-up breaches")
    report.add_argument("--since", type=_date)
    report.add_argument("--until", type=_date)
    report.add_argument("--follow-up-minutes", type=int, help="override the SLA's follow_up.within_minutes")
    report.add_argument("--json", action="store_true", help="machine-readable output")
    insights.add_report_options(report)
    report.set_defaults(handler=_report)

    insights.add_simulate(sub, _date)

    outbox = sub.add_parser("outbox", help="the handoff outbox")
    outbox_sub = outbox.add_subparsers(dest="outbox_command")
    outbox.set_defaults(handler=_outbox_list, status=None)
    olist = outbox_sub.add_parser("list", help="handoffs, newest first")
    olist.add_argument("--status", choices=("pending", "sent", "dead"))
    olist.set_defaults(handler=_outbox_list)
    retry = outbox_sub.add_parser("retry", help="re-queue a dead or waiting handoff now")
    retry.add_argument("id", type=int)
    retry.set_defaults(handler=_outbox_retry)

    forget = sub.add_parser("forget", help="erase every trace of a visitor by email (GDPR)")
    forget.add_argument("email")
    forget.set_defaults(handler=_forget)

    purge = sub.add_parser("purge", help="retention: erase leads not updated for N days")
    purge.add_argument("--days", type=int, required=True)
    purge.set_defaults(handler=_purge)

    users.add_parser(sub)

    serve = sub.add_parser("serve", help="run the outbox worker and the web app (console, feedback/health API)")
    serve.add_argument("--port", type=int, help="default: LEADBOT_API_PORT or 5056")
    serve.add_argument("--host", help="default: LEADBOT_API_HOST or 127.0.0.1 (this machine only)")
    serve.set_defaults(handler=_serve)

    worker = sub.add_parser("worker", help="run the outbox worker only")
    worker.add_argument("--once", action="store_true", help="one delivery pass, then exit")
    worker.set_defaults(handler=_worker)
    return parser


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tier", choices=("sales_ready", "nurture", "disqualified"))
    p.add_argument("--since", type=_date, help="started on or after (YYYY-MM-DD or ISO time)")
    p.add_argument("--until", type=_date, help="started before (YYYY-MM-DD or ISO time)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--handed-off", dest="handed_off", action="store_const", const=True, default=None)
    group.add_argument("--not-handed-off", dest="handed_off", action="store_const", const=False)


def _date(value: str) -> date | datetime:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date: {value!r} (use YYYY-MM-DD)") from exc


# --------------------------------------------------------------------------- commands


def _evaluate(args: argparse.Namespace) -> int:
    """Marketing's check that an edit to phrases or examples helps: accuracy before and after."""
    from datetime import date

    from bot.evaluation import evaluate_corpus, load_corpus
    from bot.sla import SLAError, load_sla

    path = args.path or current_settings().sla_path
    try:
        sla = load_sla(path)
    except SLAError as error:
        print(error, file=sys.stderr)
        return 1
    items = load_corpus(args.corpus)
    tallies = evaluate_corpus(items, sla, date.today())
    keys = ("need", "budget", "role", "timing", "fields", "incidental", "corrections", "questions")
    print(f"{'':14}" + "".join(f"{split:>12}" for split in ("dev", "test", "all")))
    for key in keys:
        cells = []
        for split in ("dev", "test", "all"):
            share = tallies[split].share(key)
            cells.append(f"{share:>12.1%}" if share is not None else f"{'-':>12}")
        print(f"{key:14}" + "".join(cells))
    if args.misses:  # the test half stays unread, so its numbers keep meaning something
        texts = {item.id: item.text for item in items}
        for item_id, field, expected, got in tallies["dev"].misses:
            print(f"{item_id}: {field} expected {expected}, read {got}: {texts.get(item_id, '')}")
    return 0


def _feedback(args: argparse.Namespace) -> int:
    fb = _store(args).feedback(args.id, args.verdict, args.reason, args.by)
    print(f"feedback recorded on lead {fb.lead_id}: {fb.verdict}" + (f" — {fb.reason}" if fb.reason else ""))
    return 0


def _report(args: argparse.Namespace) -> int:
    minutes = args.follow_up_minutes
    sla = _sla_or_none()
    if minutes is None:
        minutes = sla.follow_up.within_minutes if sla else None
    store = _store(args)
    started = time.perf_counter()
    report = store.report(follow_up_minutes=minutes, since=args.since, until=args.until)
    print(f"report: totals computed in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    health = insights.compute_health(store, sla, args, minutes)
    insights.write_exports(health, args)
    if args.json:
        data = {k: v for k, v in report.__dict__.items() if not isinstance(v, datetime)}
        data["acceptance_rate"] = report.acceptance_rate
        data["criteria"] = [dataclasses.asdict(tally) for tally in report.criteria]
        data["health"] = health.as_dict()
        print(json.dumps(data, indent=2, default=str))
        return 0
    period = f"{args.since or 'beginning'} – {args.until or 'now'}"
    print(f"Leads ({period}): {report.leads}")
    for tier in ("sales_ready", "nurture", "disqualified"):
        print(f"  {tier:13} {report.per_tier.get(tier, 0)}")
    print(f"  {'in progress':13} {report.per_status.get('in_progress', 0)} (not finished yet)")
    print(f"Handoffs: {report.handoffs_sent} delivered, {report.handoffs_pending} pending, {report.handoffs_dead} dead")
    rate = report.acceptance_rate
    print(
        f"Sales feedback: {report.accepted} accepted, {report.rejected} rejected; acceptance rate "
        + (f"{rate:.0%}" if rate is not None else "n/a (no feedback yet)")
    )
    if report.delivery_minutes_median is not None:
        print(
            f"Last answer → delivered: median {report.delivery_minutes_median:.1f} min, "
            f"p95 {report.delivery_minutes_p95:.1f} min"
        )
    else:
        print("Last answer → delivered: n/a (nothing delivered)")
    if report.follow_up_within_minutes is None:
        print("Follow-up: n/a (SLA not loaded; pass --follow-up-minutes)")
    else:
        print(
            f"Follow-up within {report.follow_up_within_minutes} min: {report.follow_up_met} met, "
            f"{report.follow_up_breached} breached, {report.follow_up_open} still open"
        )
        print(
            "  (clock starts when the handoff is queued; sales' first feedback counts as the follow-up;"
            " no feedback past the deadline counts as a breach)"
        )
    if report.unanswered_questions:
        print("Questions the assistant could not answer (add the frequent ones to product_answers in sla.yml):")
        for question, leads in report.unanswered_questions:
            print(f"  {leads:>4} × {_clean(question)}")
    else:
        print("Questions the assistant could not answer: none")
    if report.criteria:
        print("By criterion (answered, not understood, mean points; which rules fired):")
        for tally in report.criteria:
            mean = f"{tally.points_mean:.1f}" if tally.points_mean is not None else "–"
            print(
                f"  {tally.criterion}: {tally.answered} answered, {tally.not_understood} not understood, "
                f"mean {mean}/{tally.max_points} points"
            )
            for explanation, leads in tally.outcomes[:5]:
                print(f"  {leads:>6} × {_clean(explanation)}")
    insights.print_health(health, _clean)
    return 0


def _outbox_list(args: argparse.Namespace) -> int:
    handoffs = _store(args).handoffs(status=getattr(args, "status", None))
    print(
        f"{'ID':>5}  {'LEAD':>5}  {'STATUS':7}  {'TRIES':>5}  {'CREATED (UTC)':16}  {'NEXT/SENT':16}  "
        "CHANNELS / LAST ERROR"
    )
    for h in handoffs:
        when = h.sent_at or h.next_attempt_at
        channels = ",".join(f"{c}{'✓' if c in h.delivered else ''}" for c in h.channels) or "(none configured)"
        print(
            f"{h.id:>5}  {h.lead_id:>5}  {h.status:7}  {h.attempts:>5}  {h.created_at:%Y-%m-%d %H:%M}  "
            f"{f'{when:%Y-%m-%d %H:%M}' if when else '-':16}  {channels}"
            + (f"  {_clean(h.last_error)[:120]}" if h.last_error else "")
        )
    print(f"{len(handoffs)} handoff(s)", file=sys.stderr)
    return 0


def _outbox_retry(args: argparse.Namespace) -> int:
    if not _store(args).retry_handoff(args.id):
        raise LookupError(f"no handoff {args.id} to retry (unknown or already sent)")
    print(f"handoff {args.id} re-queued")
    return 0


def _forget(args: argparse.Namespace) -> int:
    result = _store(args).forget_details(args.email)
    if not result.leads:
        print(f"no lead mentions {args.email}")
    else:
        print(
            f"deleted {result.leads} lead(s) ({', '.join(result.conversation_ids)}): {result.answers} answer(s), "
            f"{result.handoffs} handoff(s), {result.delivery_attempts} delivery attempt(s), "
            f"{result.feedback} feedback record(s)"
        )
    if result.tracker_events is None:
        print("tracker events: not deleted (LEADBOT_TRACKER_DB_URL not set)")
    else:
        print(f"deleted {result.tracker_events} Rasa tracker event(s)")
    return 0


def _purge(args: argparse.Namespace) -> int:
    if args.days < 0:
        raise ValueError("--days must be >= 0")
    ids = _store(args).purge(args.days)
    print(f"purged {len(ids)} lead(s) not updated for {args.days} day(s)")
    return 0


def _worker(args: argparse.Namespace) -> int:
    from bot.delivery.worker import Worker

    worker = Worker(_store(args))
    if args.once:
        print(f"{worker.deliver_due()} handoff(s) delivered")
        return 0
    stop = _stop_on_signals()
    worker.run(stop)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from bot.delivery.worker import Worker
    from bot.web import WebServer  # Starlette and the pages: only `serve` needs them

    settings = current_settings()
    store = _store(args)
    worker = Worker(store, settings)  # first: a channel misconfiguration stops us before the API listens
    server = WebServer(store, settings, host=args.host or settings.api_host, port=args.port or settings.api_port)
    stop = _stop_on_signals()
    worker_thread = threading.Thread(target=worker.run, args=(stop,), name="handoff-worker")
    worker_thread.start()
    try:
        server.start()
    except BaseException:
        stop.set()
        worker_thread.join(timeout=30)
        raise
    log.info("leadbot web app on %s (console at /console/, POST /feedback/<lead_id>, GET /health)", server.url)
    stop.wait()
    server.stop()
    worker_thread.join(timeout=30)
    return 0


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def _handler(signum: int, _frame: Any) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    return stop


__all__ = ["main", "to_csv"]
