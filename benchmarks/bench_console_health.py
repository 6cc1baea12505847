"""The console's SLA-health page and CSV on a large leads database (SQLite), over real HTTP.

    .venv/bin/python benchmarks/bench_console_health.py [--leads 100000] [--templates 60] [--keep DB]

Fills the database as benchmarks/bench_report.py does (its `make_templates` + `replicate`: real
conversations, then bulk copies over the last 365 days), starts the web app on a free port, signs
in as marketing and times, per period (the page's default 90 days, and all time): the first view
(computes the figures and draws the charts), then 20 views served from the page's cache
(LEADBOT_HEALTH_CACHE_SECONDS), and the CSV. Writes benchmarks/results/console_health.md.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_report import make_templates, replicate  # noqa: E402

from bot.settings import current_settings  # noqa: E402
from bot.sla import load_sla  # noqa: E402
from bot.storage import ConsoleStore, LeadStore, dispose_engines  # noqa: E402
from bot.web import WebServer  # noqa: E402
from bot.web.passwords import hash_password  # noqa: E402

PASSWORD = "benchmark password 123"


def _sign_in(base: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{base}/console/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    http.post(
        f"{base}/console/login",
        data={"email": "mk@example.com", "password": PASSWORD, "csrf_token": token},
        timeout=30,
    ).raise_for_status()
    return http


def _ms(http: requests.Session, url: str, params: dict[str, str]) -> float:
    start = time.perf_counter()
    reply = http.get(url, params=params, timeout=600)
    reply.raise_for_status()
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--templates", type=int, default=60)
    parser.add_argument("--keep", help="reuse (or keep) this SQLite file instead of a temporary one")
    parser.add_argument("--output", default=str(HERE / "results" / "console_health.md"))
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-console-"))
    db = Path(args.keep) if args.keep else workdir / "leads.db"
    url = f"sqlite:///{db}"
    fill = None
    if not db.exists():
        start = time.perf_counter()
        rng = random.Random(12)
        store = LeadStore(url)
        make_templates(store, load_sla(ROOT / "sla.yml"), args.templates, rng)
        replicate(store, args.leads, rng)
        fill = time.perf_counter() - start
        dispose_engines()
    os.environ.update(
        LEADBOT_DATABASE_URL=url,
        LEADBOT_SLA=str(ROOT / "sla.yml"),
        LEADBOT_CONSOLE_SECRET="benchmark-console-secret-0123456789",
        LEADBOT_HEALTH_CACHE_SECONDS="3600",
    )
    settings = current_settings()
    store = ConsoleStore(url)
    if store.credentials("mk@example.com") is None:
        store.add_user("mk@example.com", role="marketing", password_hash=hash_password(PASSWORD))
    server = WebServer(store, settings, host="127.0.0.1", port=0).start()
    rows = []
    try:
        http = _sign_in(server.url)
        for label, params in (("last 90 days (default)", {}), ("all time", {"since": "", "until": ""})):
            first = _ms(http, f"{server.url}/console/health", params)
            cached = sorted(_ms(http, f"{server.url}/console/health", params) for _ in range(20))
            csv_ms = _ms(http, f"{server.url}/console/health.csv", params)
            p95 = statistics.quantiles(cached, n=20)[18]
            rows.append(f"| {label} | {first:,.0f} | {statistics.median(cached):.0f} | {p95:.0f} | {csv_ms:.0f} |")
    finally:
        server.stop()
    leads = store.count_leads()
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# The console's SLA-health page on a large leads database",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `benchmarks/bench_console_health.py`"
        f" on SQLite, 2 cores shared with other work (load average {load}).",
        "",
        f"- leads: {leads:,} ({args.templates} real conversations, the rest bulk copies over 365 days)",
        f"- filling the database: {fill:.0f} s" if fill is not None else "- database reused (--keep)",
        "",
        "| period | first view ms (figures + charts) | cached view median ms | cached view p95 ms (20) | CSV ms |",
        "|---|---:|---:|---:|---:|",
        *rows,
        "",
        "The first view of a period computes the figures (`bot.insights.sla_health`, the same queries as",
        "`leadbot report`) and draws the charts; the following views within LEADBOT_HEALTH_CACHE_SECONDS",
        "reuse them, and the CSV of the same period reuses the cached figures too.",
    ]
    Path(args.output).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
