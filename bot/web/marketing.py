"""The console's marketing side: the SLA-health page (charts and tables), its CSV export, and the
"try a change" page that re-scores the stored leads against an edited SLA.

The figures are `bot.insights`' (the same `Health` as `leadbot report`, the same what-if as
`leadbot simulate`); this module only asks for them, caches them a little and renders them.
Who sees what: every role reads the health page and its CSV (aggregates only, no lead data
beyond the inbox's; it is how both teams see whether the definition holds), only marketing
and admin may try a change (marketing's tool, and a what-if keeps a core busy).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.domain import utcnow
from bot.domain.console import User
from bot.insights import Health, sla_health
from bot.insights.health_csv import health_csv
from bot.insights.report_html import minutes, pct, render_sections
from bot.insights.trial import SLATrials, Trial, TrialBusy
from bot.sla import SLA, SLAError, load_sla
from bot.web.console import TIERS, Console, _day
from bot.web.security import CSRF_FIELD, Forbidden, check_csrf

log = logging.getLogger("leadbot")
TRYING_ROLES = ("marketing", "admin")  # may run a what-if of an edited SLA
DEFAULT_DAYS = 90  # the health page's period when none is asked for
_CACHE_ENTRIES = 32


@dataclass(frozen=True)
class Period:
    """A date range as the forms give it: both days included; None is open-ended."""

    since: date | None
    until: date | None

    @property
    def until_exclusive(self) -> date | None:
        return self.until + timedelta(days=1) if self.until else None

    @property
    def slug(self) -> str:
        return f"{self.since or 'start'}_{self.until or 'now'}"


@dataclass(frozen=True)
class _Computed:
    health: Health
    sections: Markup
    at: float


class Marketing:
    """The health, CSV and try-a-change pages, on the console's sessions, templates and CSRF."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.store = console.store
        self.settings = console.settings
        self.trials = SLATrials(console.settings.sla_path)
        self._cache: dict[Period, _Computed] = {}
        self._cache_lock = threading.Lock()
        console.env.filters.update(pct=pct, minutes=minutes)
        console.env.globals.update(trying_roles=TRYING_ROLES)

    def routes(self) -> list[Route]:
        p, signed_in = self.console.prefix, self.console.signed_in
        return [
            Route(f"{p}/health", signed_in(self.health_page), methods=["GET"]),
            Route(f"{p}/health.csv", signed_in(self.health_export), methods=["GET"]),
            Route(f"{p}/try", signed_in(self.try_page), methods=["GET", "POST"]),
        ]

    # ------------------------------------------------------------------ SLA health

    def period(self, request: Request, *, default_days: int | None = DEFAULT_DAYS) -> Period:
        """The asked period; with neither field in the URL, the last `default_days` days
        (an empty field means open-ended: `?since=` is since the beginning)."""
        q = request.query_params
        if "since" not in q and "until" not in q and default_days is not None:
            today = utcnow().date()
            return Period(today - timedelta(days=default_days - 1), today)
        return Period(_day(q.get("since")), _day(q.get("until")))

    def _sla(self) -> SLA | None:
        try:
            return load_sla(self.settings.sla_path)
        except (SLAError, OSError):  # a broken SLA still leaves the stored figures worth showing
            return None

    async def computed(self, period: Period) -> _Computed:
        """The period's figures and rendered sections, kept LEADBOT_HEALTH_CACHE_SECONDS: a
        dashboard reload must not rerun a 100,000-lead aggregation."""
        ttl = self.settings.health_cache_seconds
        with self._cache_lock:
            cached = self._cache.get(period)
        if cached is not None and time.monotonic() - cached.at < ttl:
            return cached

        def compute() -> _Computed:
            health = sla_health(self.store, self._sla(), since=period.since, until=period.until_exclusive)
            return _Computed(health, render_sections(health), time.monotonic())

        fresh = await run_in_threadpool(compute)
        with self._cache_lock:
            self._cache[period] = fresh
            if len(self._cache) > _CACHE_ENTRIES:
                del self._cache[min(self._cache, key=lambda k: self._cache[k].at)]
        return fresh

    async def health_page(self, request: Request, user: User) -> Response:
        period = self.period(request)
        computed = await self.computed(period)
        return self.console.render(
            request,
            "health.html",
            title="SLA health",
            period=period,
            health=computed.health,
            sections=computed.sections,
            csv_query=f"since={period.since or ''}&until={period.until or ''}",
            cache_seconds=self.settings.health_cache_seconds,
        )

    async def health_export(self, request: Request, user: User) -> Response:
        period = self.period(request)
        computed = await self.computed(period)
        return Response(
            health_csv(computed.health),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="sla-health_{period.slug}.csv"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    # ------------------------------------------------------------------ try a change

    async def try_page(self, request: Request, user: User) -> Response:
        if user.role not in TRYING_ROLES:
            raise Forbidden(f"a {user.role} account cannot try SLA changes (marketing and admin can)")
        if request.method == "GET":
            return self._try_form(request, text=self._current_text(), period=self.period(request, default_days=None))
        limit = self.settings.whatif_max_kib * 1024
        if int(request.headers.get("content-length") or 0) > limit + 16 * 1024:  # room for the other fields
            return self._try_form(request, 413, error=f"The SLA is larger than {self.settings.whatif_max_kib} KiB.")
        async with request.form(max_files=1, max_fields=8, max_part_size=limit + 1) as form:
            check_csrf(request, form.get(CSRF_FIELD))
            upload = form.get("sla_file")
            name, raw = None, str(form.get("sla_text") or "").encode("utf-8")
            if isinstance(upload, UploadFile) and upload.filename:
                name, raw = upload.filename, await upload.read(limit + 1)
            period = Period(_day(_text(form.get("since"))), _day(_text(form.get("until"))))
        if len(raw) > limit:
            return self._try_form(request, 413, error=f"The SLA is larger than {self.settings.whatif_max_kib} KiB.")
        try:
            text = raw.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError:
            return self._try_form(request, 400, error="The file is not UTF-8 text.", period=period)
        if not text.strip():
            return self._try_form(request, 400, error="Paste an SLA or choose a file.", period=period)
        try:
            trial = await run_in_threadpool(
                lambda: self.trials.run(self.store, text, name=name, since=period.since, until=period.until_exclusive)
            )
        except TrialBusy as exc:
            return self._try_form(request, 429, error=str(exc), text=text, period=period)
        outcome = f"{len(trial.problems)} problem(s)" if trial.result is None else f"{trial.result.leads} leads"
        log.info("console: %s tried an SLA change (%s): %s", user.email, trial.name, outcome)
        return self._try_form(request, 422 if trial.problems else 200, text=text, trial=trial, period=period)

    def _current_text(self) -> str:
        try:
            with open(self.settings.sla_path, encoding="utf-8") as fh:
                return fh.read()
        except OSError:
            return ""

    def _try_form(
        self,
        request: Request,
        status: int = 200,
        *,
        text: str = "",
        trial: Trial | None = None,
        error: str | None = None,
        period: Period | None = None,
    ) -> Response:
        return self.console.render(
            request,
            "try.html",
            status,
            title="Try a change",
            text=text,
            trial=trial,
            result=trial.result if trial else None,
            error=error,
            period=period or Period(None, None),
            max_kib=self.settings.whatif_max_kib,
            tiers=TIERS,
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
