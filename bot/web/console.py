"""The sales console's pages: sign-in, the inbox, a lead with its verdict and outcome, and the
confirmation page of the one-click links a handoff carries.

Server-rendered Jinja2 with autoescape on (every word a visitor typed is escaped), a CSRF
token on every POST, nothing changed by a GET.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.delivery.summary import LABELS
from bot.delivery.verdict_links import VerdictLinkError, read_verdict_link
from bot.domain import VERDICTS
from bot.domain.booking import chat_to_booking
from bot.domain.console import OUTCOME_LABELS, OUTCOMES, User
from bot.settings import Settings
from bot.sla.verdicts import VerdictReasons, load_verdict_reasons
from bot.storage import ConsoleStore, LinkAlreadyUsed
from bot.storage.console import VERDICT_FILTERS
from bot.web.passwords import hash_password, needs_rehash, verify_password
from bot.web.security import CSRF_FIELD, Forbidden, LoginThrottle, check_csrf, csrf_token, current_user, sign_in

log = logging.getLogger("leadbot")
TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGE_SIZE = 50
TIERS = ("sales_ready", "nurture", "disqualified")
Handler = Callable[[Request], Awaitable[Response]]


class Console:
    """The pages, bound to one store, the settings and the SLA's verdict reasons (re-read when
    the file changes)."""

    def __init__(self, store: ConsoleStore, settings: Settings, prefix: str = "/console") -> None:
        self.store = store
        self.settings = settings
        self.prefix = prefix
        self.throttle = LoginThrottle(settings.login_max_failures, settings.login_window_seconds)
        self.env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True)
        self.env.globals.update(
            prefix=prefix, csrf_field=CSRF_FIELD, labels=LABELS["en"], outcome_labels=OUTCOME_LABELS
        )

    # ------------------------------------------------------------------ plumbing

    def routes(self) -> list[Route]:
        p = self.prefix
        return [
            Route(f"{p}/login", self.login, methods=["GET", "POST"]),
            Route(f"{p}/logout", self.logout, methods=["POST"]),
            Route(f"{p}/", self.signed_in(self.inbox), methods=["GET"]),
            Route(f"{p}", lambda r: RedirectResponse(f"{p}/", 308), methods=["GET"]),
            Route(f"{p}/leads/{{lead_id:int}}", self.signed_in(self.lead_page), methods=["GET"]),
            Route(f"{p}/leads/{{lead_id:int}}/verdict", self.signed_in(self.verdict), methods=["POST"]),
            Route(f"{p}/leads/{{lead_id:int}}/outcome", self.signed_in(self.outcome), methods=["POST"]),
            Route(f"{p}/verdict/{{token}}", self.link, methods=["GET", "POST"]),
        ]

    def reasons(self) -> VerdictReasons:
        return load_verdict_reasons(self.settings.sla_path)

    def render(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("user", request.scope.get("leadbot.user"))
        html = self.env.get_template(name).render(csrf=csrf_token(request), **context)
        headers = {
            # Pages show personal data: never cached, never framed, no inline script needed.
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        }
        return HTMLResponse(html, status_code=status, headers=headers)

    def signed_in(self, handler: Callable[[Request, User], Awaitable[Response]]) -> Handler:
        """Only for a signed-in user; anyone else is sent to the sign-in page (no lead data)."""

        async def guarded(request: Request) -> Response:
            user = await current_user(request, self.store)
            if user is None:
                if request.method != "GET":
                    return self.render(request, "message.html", 403, title="Signed out", text="Sign in again.")
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"{self.prefix}/login?{urlencode({'next': target})}", 303)
            request.scope["leadbot.user"] = user
            try:
                return await handler(request, user)
            except Forbidden as exc:
                return self.render(request, "message.html", 403, title="Refused", text=str(exc))

        return guarded

    async def form(self, request: Request) -> dict[str, str]:
        """The posted form, after its CSRF token was checked (Forbidden otherwise)."""
        data = await request.form()
        values = {k: v for k, v in data.items() if isinstance(v, str)}
        check_csrf(request, values.get(CSRF_FIELD))
        return values

    # ------------------------------------------------------------------ sign-in

    async def login(self, request: Request) -> Response:
        next_url = _safe_next(request.query_params.get("next"), self.prefix)
        if request.method == "GET":
            return self.render(request, "login.html", next=next_url)
        try:
            values = await self.form(request)
        except Forbidden as exc:
            return self.render(request, "login.html", 403, error=str(exc), next=next_url)
        email, password = values.get("email", ""), values.get("password", "")
        address = request.client.host if request.client else "?"
        wait = self.throttle.retry_after(address, email)
        if wait:
            error = f"Too many failed sign-ins. Try again in {wait // 60 + 1} minute(s)."
            response = self.render(request, "login.html", 429, error=error, email=email, next=next_url)
            response.headers["Retry-After"] = str(wait)
            return response
        found = await run_in_threadpool(self.store.credentials, email) if "@" in email else None
        ok = await run_in_threadpool(verify_password, found[1] if found else None, password)
        if not ok or found is None or not found[0].active:
            self.throttle.failed(address, email)
            log.info("console: failed sign-in for %r from %s", email[:100], address)
            error = "Wrong email or password (or the account is disabled)."
            return self.render(request, "login.html", 401, error=error, email=email, next=next_url)
        user, stored = found
        self.throttle.succeeded(address, email)
        if needs_rehash(stored):
            await run_in_threadpool(self.store.rehash, user.id, hash_password(password))
        await run_in_threadpool(self.store.signed_in, user.id)
        sign_in(request, user)
        log.info("console: %s signed in (%s)", user.email, user.role)
        return RedirectResponse(_safe_next(values.get("next"), self.prefix), 303)

    async def logout(self, request: Request) -> Response:
        try:
            await self.form(request)
        except Forbidden as exc:
            return self.render(request, "message.html", 403, title="Refused", text=str(exc))
        request.session.clear()
        return RedirectResponse(f"{self.prefix}/login", 303)

    # ------------------------------------------------------------------ the inbox and a lead

    async def inbox(self, request: Request, user: User) -> Response:
        q = request.query_params
        filters = {
            "tier": q.get("tier") if q.get("tier") in TIERS else None,
            "verdict": q.get("verdict") if q.get("verdict") in VERDICT_FILTERS else None,
            "since": _day(q.get("since")),
            "until": _day(q.get("until")),
            "text": (q.get("q") or "").strip()[:200] or None,
            "assignee": (q.get("assignee") or "").strip()[:320] or None,
        }
        page = max(1, _int(q.get("page"), 1))
        until = filters["until"]
        query = {**filters, "until": until + timedelta(days=1) if isinstance(until, date) else None}
        found = await run_in_threadpool(
            lambda: self.store.inbox(**query, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)  # type: ignore[arg-type]
        )
        leads = [lead for lead in [await run_in_threadpool(self.store.get, i) for i in found.lead_ids] if lead]
        owners = {lead.id: await run_in_threadpool(self.store.assignment, lead.id) for lead in leads}
        reasons = self.reasons()
        rows = [
            {
                "lead": lead,
                "who": _who(lead),
                "assignee": owners.get(lead.id),
                "verdict": lead.feedback[-1] if lead.feedback else None,
                "reason": _reason_label(reasons, lead.feedback[-1]) if lead.feedback else "",
            }
            for lead in leads
        ]
        pages = max(1, -(-found.total // PAGE_SIZE))
        args = {k: v for k, v in q.items() if k != "page" and v}
        return self.render(
            request,
            "inbox.html",
            rows=rows,
            total=found.total,
            page=page,
            pages=pages,
            filters=filters,
            tiers=TIERS,
            verdict_filters=VERDICT_FILTERS,
            assignees=await run_in_threadpool(self.store.assignees),
            prev_url=f"?{urlencode({**args, 'page': page - 1})}" if page > 1 else None,
            next_url=f"?{urlencode({**args, 'page': page + 1})}" if page < pages else None,
        )

    async def lead_page(self, request: Request, user: User, *, status: int = 200, error: str | None = None) -> Response:
        lead_id = int(request.path_params["lead_id"])
        lead = await run_in_threadpool(self.store.get, lead_id)
        if lead is None:
            return self.render(request, "message.html", 404, title="Not found", text=f"There is no lead {lead_id}.")
        outcomes = await run_in_threadpool(self.store.outcomes, lead_id)
        booking = await run_in_threadpool(self.store.booking_of, lead_id)
        assignments = await run_in_threadpool(self.store.assignments, lead_id)
        reasons = self.reasons()
        return self.render(
            request,
            "lead.html",
            status,
            lead=lead,
            who=_who(lead),
            breakdown=_breakdown(lead),
            page=_page(lead),
            feedback=[(fb, _reason_label(reasons, fb)) for fb in lead.feedback],
            outcomes=outcomes,
            booking=booking,
            chat_to_booking=chat_to_booking(lead.finished_at, booking),
            assignments=list(reversed(assignments)),  # the current one first
            outcome_choices=OUTCOMES,
            reasons={v: reasons.for_verdict(v) for v in VERDICTS},
            error=error,
        )

    async def verdict(self, request: Request, user: User) -> Response:
        values = await self.form(request)
        if not user.can_decide:
            raise Forbidden(f"a {user.role} account cannot record verdicts (sales and admin can)")
        lead_id = int(request.path_params["lead_id"])
        verdict = values.get("verdict", "")
        code = values.get("reason_code") or None
        note = values.get("note", "").strip()[:2000]
        reasons = self.reasons()
        if verdict not in VERDICTS or (code is not None and reasons.label(verdict, code) is None):
            return await self.lead_page(request, user, status=400, error="Pick accept or reject and a listed reason.")
        if code is None and not note:
            return await self.lead_page(request, user, status=400, error="Pick a reason or say why in the note.")
        reason = " — ".join(x for x in (reasons.label(verdict, code) or "", note) if x)
        try:
            await run_in_threadpool(lambda: self.store.feedback(lead_id, verdict, reason, user.email, reason_code=code))
        except LookupError:
            return self.render(request, "message.html", 404, title="Not found", text=f"There is no lead {lead_id}.")
        return RedirectResponse(f"{self.prefix}/leads/{lead_id}?saved=verdict", 303)

    async def outcome(self, request: Request, user: User) -> Response:
        values = await self.form(request)
        if not user.can_decide:
            raise Forbidden(f"a {user.role} account cannot record outcomes (sales and admin can)")
        lead_id = int(request.path_params["lead_id"])
        outcome = values.get("outcome", "")
        if outcome not in OUTCOMES:
            return await self.lead_page(request, user, status=400, error="Pick one of the listed outcomes.")
        note = values.get("note", "").strip()[:2000]
        try:
            await run_in_threadpool(lambda: self.store.record_outcome(lead_id, outcome, note=note, by=user.email))
        except LookupError:
            return self.render(request, "message.html", 404, title="Not found", text=f"There is no lead {lead_id}.")
        return RedirectResponse(f"{self.prefix}/leads/{lead_id}?saved=outcome", 303)

    # ------------------------------------------------------------------ one-click links

    async def link(self, request: Request) -> Response:
        """GET shows what the link will do and asks to confirm; only the POST records it."""
        try:
            link = read_verdict_link(request.path_params["token"], self.settings)
        except VerdictLinkError as exc:
            text = (
                "This link has expired: record the verdict in the console instead."
                if exc.reason == "expired"
                else "This link is not valid (it was changed or not made by leadbot)."
            )
            return self.render(request, "message.html", 400 if exc.reason == "forged" else 410, title="Link refused",
                               text=text)  # fmt: skip
        if await run_in_threadpool(self.store.link_used, link.nonce):
            return self.render(
                request, "message.html", 409, title="Link already used",
                text="A verdict was already recorded from this message. Change it in the console.",
            )  # fmt: skip
        lead = await run_in_threadpool(self.store.get, link.lead_id)
        if lead is None:
            return self.render(request, "message.html", 404, title="Not found", text="That lead no longer exists.")
        reasons = self.reasons().for_verdict(link.verdict)
        user = await current_user(request, self.store)
        if request.method == "GET":
            return self.render(request, "confirm.html", link=link, lead_id=lead.id, reasons=reasons, user=user)
        try:
            values = await self.form(request)
        except Forbidden as exc:
            return self.render(request, "message.html", 403, title="Refused", text=str(exc))
        code = values.get("reason_code") or None
        label = next((r.label for r in reasons if r.key == code), None)
        if code is not None and label is None:
            return self.render(request, "confirm.html", 400, link=link, lead_id=lead.id, reasons=reasons,
                               user=user, error="Pick one of the listed reasons.")  # fmt: skip
        note = values.get("note", "").strip()[:2000]
        reason = " — ".join(x for x in (label or "", note) if x)
        by = user.email if user is not None else "one-click link"
        try:
            await run_in_threadpool(
                lambda: self.store.feedback_from_link(link.nonce, lead.id, link.verdict, reason, by, reason_code=code)
            )
        except LinkAlreadyUsed:
            return self.render(request, "message.html", 409, title="Link already used",
                               text="A verdict was already recorded from this message.")  # fmt: skip
        done = "accepted" if link.verdict == "accept" else "rejected"
        return self.render(request, "message.html", title="Thank you", text=f"Lead {lead.id} {done}.")


# --------------------------------------------------------------------------- view helpers


def _safe_next(value: str | None, prefix: str) -> str:
    """Only a path inside the console: `next=//evil.example` must not send a rep elsewhere."""
    if value and value.startswith(prefix + "/") and not value.startswith("//") and "\\" not in value:
        return value
    return prefix + "/"


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _who(lead: Any) -> str:
    contact = lead.contact
    parts = [contact.name, contact.company, contact.email] if contact else []
    return " · ".join(p for p in parts if p) or "(no contact details)"


def _reason_label(reasons: VerdictReasons, fb: Any) -> str:
    return str(fb.reason or reasons.label(fb.verdict, fb.reason_code) or "")


def _breakdown(lead: Any) -> list[dict[str, Any]]:
    """Per criterion: the visitor's own words, the points and the rule that gave them."""
    rows = []
    by_name = {c.criterion: c for c in lead.breakdown}
    for name in [*(c.criterion for c in lead.breakdown), *(n for n in lead.answers if n not in by_name)]:
        scored, answer = by_name.get(name), lead.answers.get(name)
        rows.append(
            {
                "label": LABELS["en"].get(name) or name.replace("_", " ").capitalize(),
                "words": answer.raw if answer else "",
                "points": scored.points if scored else (answer.points if answer else 0),
                "max_points": scored.max_points if scored else (answer.max_points if answer else 0),
                "explanation": scored.explanation if scored else (answer.explanation if answer else ""),
                "knock_out": bool(scored.knock_out if scored else answer and answer.knock_out),
            }
        )
    return rows


def _page(lead: Any) -> dict[str, Any]:
    context = lead.page_context if isinstance(lead.page_context, dict) else {}
    raw_page, raw_utm = context.get("page"), context.get("utm")
    page: dict[str, Any] = raw_page if isinstance(raw_page, dict) else {}
    utm: dict[str, Any] = raw_utm if isinstance(raw_utm, dict) else {}
    pages = [p for p in context.get("pages") or [] if isinstance(p, dict)][:20]
    return {
        "url": page.get("url") or page.get("path"),
        "title": page.get("title"),
        "referrer": page.get("referrer") or context.get("referrer"),
        "utm": {str(k): str(v) for k, v in utm.items() if v},
        "pages": pages,
    }
