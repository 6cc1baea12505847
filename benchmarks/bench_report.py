"""`leadbot report`, `report --html` and `simulate` on a leads database of 100,000 leads (SQLite).

    .venv/bin/python benchmarks/bench_report.py [--leads 100000] [--templates 800] [--keep DB]

How the database is filled:
1. `--templates` conversations go through the real path: the visitor's words (the SLA's button
   titles 70 % of the time, typed answers from eval/corpus/answers.yml otherwise) are read and
   scored by `bot.conversation.lead.snapshot`, stored by `finish_lead` (or `save` for visitors
   who left early), so every stored column has the shape the actions write.
2. Those rows are copied by bulk INSERTs of the same columns up to `--leads`: new conversation
   ids, start dates spread over the last 365 days, UTM source/campaign/landing page drawn from
   small lists, handoffs delivered a few seconds later, and sales' verdicts on 60 % of the
   handoffs (more often "accept" the higher the score) with reasons from a list.
The visitors' words therefore repeat as they do in real traffic (buttons, common answers):
`simulate` reads each distinct answer once per reading of the SLA (bot/conversation/rescore.py).

Then each command runs in its own process (`python -m bot`), timed wall-clock, with stdout/stderr
to files; two what-ifs: a rules-only edit (a stricter budget: read once, scored twice) and an edit
that changes reading (one more exchange rate: every distinct answer read with both SLAs).
Writes benchmarks/results/report.md.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bot.conversation.lead import snapshot  # noqa: E402
from bot.conversation.visit import page_context  # noqa: E402
from bot.delivery import finish_lead  # noqa: E402
from bot.sla import SLA, load_sla  # noqa: E402
from bot.storage import LeadStore, dispose_engines  # noqa: E402
from bot.storage.tables import AnswerRow, FeedbackRow, HandoffRow, LeadRow  # noqa: E402

SOURCES = ["google", "linkedin", "newsletter", "partner", "capterra", "direct-mail", "<b>odd & co</b>"]
CAMPAIGNS = ["winter-promo", "webinar-q4", "retargeting", "brand", "ebook-pipeline"]
PAGES = ["/pricing", "/demo", "/blog/lead-scoring", "/features/routing", "/"]
REASONS = ["too small", "no budget after all", "wrong contact", "student", "already a customer", "timing", ""]
NOW = datetime.now(timezone.utc)


def _pools(sla: SLA) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    buttons = {q.slot: [b.title.get("en", "") for b in (q.buttons or [])] for q in sla.questions}
    corpus = yaml.safe_load((ROOT / "eval/corpus/answers.yml").read_text(encoding="utf-8"))
    typed: dict[str, list[str]] = {}
    for item in corpus["answers"]:
        typed.setdefault(item["asked"], []).append(str(item["text"]))
    return buttons, typed


def _words(slot: str, buttons: dict[str, list[str]], typed: dict[str, list[str]], rng: random.Random) -> str:
    if buttons.get(slot) and rng.random() < 0.7:
        return rng.choice(buttons[slot])
    return rng.choice(typed.get(slot) or buttons[slot])


def make_templates(store: LeadStore, sla: SLA, count: int, rng: random.Random) -> None:
    buttons, typed = _pools(sla)
    slots_asked = [s for s in sla.slots if s in sla.criteria]
    for i in range(count):
        at = NOW - timedelta(days=rng.uniform(0, 365))
        answered = slots_asked if rng.random() < 0.8 else slots_asked[: rng.randrange(0, len(slots_asked))]
        words = {slot: _words(slot, buttons, typed, rng) for slot in answered}
        context = page_context(
            None,
            {
                "page": {"url": f"https://example.com{rng.choice(PAGES)}?utm_source=x", "path": "/"},
                "utm": {"utm_source": rng.choice(SOURCES), "utm_campaign": rng.choice(CAMPAIGNS)},
            },
            at,
        )
        texts = list(words.values()) or ["hi"]
        events = [{"event": "user", "text": text, "timestamp": at.timestamp() + 20 * n} for n, text in enumerate(texts)]
        slots = {**words, "page_context": context}
        conversation = f"tpl-{i}"
        if len(answered) < len(slots_asked):
            store.save(snapshot(conversation, slots, events, sla, status="in_progress"))
            if rng.random() < 0.5:
                store.save(snapshot(conversation, slots, events, sla, status="stopped"))
            continue
        snap = snapshot(conversation, slots, events, sla, status="in_progress")
        snap = snapshot(conversation, slots, events, sla, status=snap.score.tier.value)
        finish_lead(store, snap, sla=sla, handoff=snap.score.qualified)
        if (i + 1) % 100 == 0:
            print(f"  {i + 1}/{count} conversations through the real path", file=sys.stderr, flush=True)


def _columns(row: Any, table: Any, skip: set[str]) -> dict[str, Any]:
    return {c.name: getattr(row, c.name) for c in table.__table__.columns if c.name not in skip}


def replicate(store: LeadStore, total: int, rng: random.Random) -> None:
    with store.session() as session:
        templates = list(session.execute(select(LeadRow)).scalars())
        pattern = [
            (
                _columns(t, LeadRow, {"id", "conversation_id"}),
                [_columns(a, AnswerRow, {"id", "lead_id"}) for a in t.answers],
                _columns(t.handoff, HandoffRow, {"id", "lead_id", "idempotency_key"}) if t.handoff else None,
            )
            for t in templates
        ]
    next_id = len(pattern) + 1
    batch = 5000
    made = len(pattern)
    while made < total:
        leads, answers, handoffs, feedback = [], [], [], []
        for _ in range(min(batch, total - made)):
            lead, lead_answers, handoff = rng.choice(pattern)
            started = NOW - timedelta(days=rng.uniform(0, 365))
            shift = started - lead["started_at"]
            row = {k: (v + shift if isinstance(v, datetime) else v) for k, v in lead.items()}
            context = dict(row.get("page_context") or {})
            context["utm"] = {"utm_source": rng.choice(SOURCES), "utm_campaign": rng.choice(CAMPAIGNS)}
            context["landing_page"] = f"https://example.com{rng.choice(PAGES)}?utm_campaign=x"
            row.update(id=next_id, conversation_id=f"bench-{next_id}", page_context=context)
            leads.append(row)
            answers.extend({**a, "lead_id": next_id, "updated_at": a["updated_at"] + shift} for a in lead_answers)
            if handoff is not None:
                created = handoff["created_at"] + shift
                sent = created + timedelta(seconds=rng.uniform(0.2, 30))
                handoffs.append(
                    {**handoff, "lead_id": next_id, "idempotency_key": str(uuid.uuid4()), "status": "sent",
                     "created_at": created, "sent_at": sent, "next_attempt_at": None}
                )  # fmt: skip
                if rng.random() < 0.6:
                    accept = rng.random() < (0.35 + 0.5 * (row["score"] - 70) / 30)
                    feedback.append(
                        {"lead_id": next_id, "verdict": "accept" if accept else "reject",
                         "reason": "" if accept else rng.choice(REASONS), "by": "rep",
                         "at": sent + timedelta(minutes=rng.expovariate(1 / 45))}
                    )  # fmt: skip
            next_id += 1
        with store.session() as session:
            session.execute(insert(LeadRow), leads)
            session.execute(insert(AnswerRow), answers)
            if handoffs:
                session.execute(insert(HandoffRow), handoffs)
            if feedback:
                session.execute(insert(FeedbackRow), feedback)
        made += len(leads)
        print(f"  {made:,}/{total:,} leads", file=sys.stderr, flush=True)


CODE = ROOT  # the checkout whose `bot` the commands run (--code: measure another one, e.g. main)


def _timed(label: str, argv: list[str], url: str, workdir: Path) -> tuple[str, float, int, str]:
    env = {**os.environ, "LEADBOT_DATABASE_URL": url, "LEADBOT_SLA": str(ROOT / "sla.yml"), "PYTHONPATH": str(CODE)}
    out, err = workdir / f"{label}.out", workdir / f"{label}.err"
    start, cpu_before = time.perf_counter(), _children_cpu()
    with out.open("w") as stdout, err.open("w") as stderr:
        # cwd too: `python -m` puts the working directory before PYTHONPATH on sys.path.
        code = subprocess.call([sys.executable, "-m", "bot", *argv], env=env, cwd=CODE, stdout=stdout, stderr=stderr)
    seconds = time.perf_counter() - start
    # CPU seconds of the command (user + system): on shared cores far steadier than wall-clock.
    cpu = _children_cpu() - cpu_before
    # The commands say on stderr how long the work itself took, start-up and training apart.
    lines = err.read_text().splitlines()
    said = [line.split(": ", 1)[1] for line in lines if line.startswith(("report:", "simulate:"))]
    phases = "; ".join(line for line in said if " in " in line and line.endswith(" s"))
    phases = f"{cpu:.1f} | {phases}"
    print(f"{label}: {seconds:.1f} s (exit {code}) {phases}", file=sys.stderr, flush=True)
    return label, seconds, code, phases


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--templates", type=int, default=800)
    parser.add_argument("--keep", help="reuse (or keep) this SQLite file instead of a temporary one")
    parser.add_argument("--output", default=str(HERE / "results" / "report.md"))
    parser.add_argument("--code", help="run the commands with this checkout's bot package (default: this one)")
    args = parser.parse_args()
    global CODE
    CODE = Path(args.code).resolve() if args.code else ROOT
    workdir = Path(tempfile.mkdtemp(prefix="bench-report-"))
    db = Path(args.keep) if args.keep else workdir / "leads.db"
    url = f"sqlite:///{db}"
    sla = load_sla(ROOT / "sla.yml")
    fill_seconds = None
    if not db.exists():
        rng = random.Random(12)
        store = LeadStore(url)
        start = time.perf_counter()
        make_templates(store, sla, args.templates, rng)
        replicate(store, args.leads, rng)
        fill_seconds = time.perf_counter() - start
        dispose_engines()
    stricter = workdir / "stricter.yml"
    text = (ROOT / "sla.yml").read_text(encoding="utf-8")
    stricter.write_text(
        text.replace("{min: 10000, points: 25", "{min: 50000, points: 25").replace(
            "{min: 5000, max: 10000, points: 15", "{min: 5000, max: 50000, points: 15"
        )
    )
    rates = workdir / "rates.yml"
    rates.write_text(text.replace("  GBP: 1.17\n", "  GBP: 1.17\n  CHF: 1.05\n"))
    if not (workdir / "training").exists():  # the SLA's example files are relative to it
        (workdir / "training").symlink_to(ROOT / "training")
    domain = str(ROOT / "domain.yml")
    runs = [
        _timed("report", ["report"], url, workdir),
        _timed("report_json", ["report", "--json"], url, workdir),
        _timed("report_html", ["report", "--html", str(workdir / "health.html")], url, workdir),
        _timed("simulate_rules", ["simulate", str(stricter), "--domain", domain], url, workdir),
        _timed("simulate_reading", ["simulate", str(rates), "--domain", domain], url, workdir),
    ]
    leads = LeadStore(url).count_leads()
    answers_distinct = _distinct_answers(url)
    html_kb = (workdir / "health.html").stat().st_size / 1024 if (workdir / "health.html").exists() else 0
    load = os.getloadavg()
    lines = [
        "# leadbot report / report --html / simulate on a large leads database",
        "",
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/bench_report.py` on SQLite, "
        f"{os.cpu_count()} cores shared with other work (load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}).",
        "",
        f"- leads: {leads:,} ({args.templates} conversations through the real snapshot + store, the rest bulk copies"
        " of their rows with new dates, UTM tags and verdicts)",
        f"- distinct (question, words) pairs among the stored answers: {answers_distinct:,}",
        f"- filling the database: {fill_seconds:.0f} s" if fill_seconds is not None else "- database reused (--keep)",
        f"- HTML report size: {html_kb:.0f} KiB (7 inline SVG charts)",
        "",
        f"Code measured: `{CODE}`.",
        "",
        "| command | wall-clock s (process start to exit) | CPU s (user + system)"
        " | the work itself (the command's own timing) | exit |",
        "|---|---:|---:|---|---:|",
    ]
    names = {
        "report": "`leadbot report` (text: totals + SLA health)",
        "report_json": "`leadbot report --json`",
        "report_html": "`leadbot report --html FILE` (text + the HTML file)",
        "simulate_rules": "`leadbot simulate` a stricter budget (rules only: answers read once, scored twice)",
        "simulate_reading": "`leadbot simulate` one more exchange rate (reads differently: read with both SLAs)",
    }
    lines += [f"| {names[label]} | {seconds:.1f} | {phases} | {code} |" for label, seconds, code, phases in runs]
    lines += [
        "",
        "Each time includes the Python start-up and imports (several seconds for Rasa's stack), and for `simulate`",
        "loading both SLAs and training their classifiers (the same examples: trained once). Run on demand; CI never",
        "times this. Progress: on a terminal `simulate` and `report` draw a tqdm bar on stderr; otherwise they print",
        "a line every 10 %.",
        "",
    ]
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if all(run[2] == 0 for run in runs) else 1


def _distinct_answers(url: str) -> int:
    from sqlalchemy import func

    store = LeadStore(url)
    with store.session() as session:
        pairs = select(AnswerRow.criterion, AnswerRow.raw).distinct().subquery()
        return int(session.execute(select(func.count()).select_from(pairs)).scalar_one())


if __name__ == "__main__":
    sys.exit(main())
