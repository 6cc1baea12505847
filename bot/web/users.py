"""The console's user management for admins: list the accounts, add one, disable or re-enable
it, and set a new password; the browser side of `leadbot users`.

Same guards as every console page (a session, a CSRF token on each POST, nothing changed by a
GET) and admin only. Passwords are argon2id-hashed by `bot.web.passwords`, never shown back in
a page, a redirect or a log line; a changed password or a disabled account ends that user's
sessions (the store bumps the session epoch).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.console import ROLES, User
from bot.web.console import Console
from bot.web.passwords import hash_password, password_problem
from bot.web.security import Forbidden

log = logging.getLogger("leadbot")
ADMIN_ROLES = ("admin",)  # may manage accounts
# What a redirect after a change may say: fixed words, so nothing a user typed lands in a URL.
_DONE = {
    "added": "Account added.",
    "disabled": "Account disabled; its sessions have ended.",
    "enabled": "Account enabled again.",
    "password": "Password changed; that account's sessions have ended.",
}


class UserAdmin:
    """GET /users (the list and the forms) and its POSTs, on the console's sessions and templates."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.store = console.store
        console.env.globals.update(admin_roles=ADMIN_ROLES)

    def routes(self) -> list[Route]:
        p, signed_in = self.console.prefix, self.console.signed_in
        return [
            Route(f"{p}/users", signed_in(self.users_page), methods=["GET", "POST"]),
            Route(f"{p}/users/{{user_id:int}}/disable", signed_in(self.disable), methods=["POST"]),
            Route(f"{p}/users/{{user_id:int}}/enable", signed_in(self.enable), methods=["POST"]),
            Route(f"{p}/users/{{user_id:int}}/password", signed_in(self.password), methods=["POST"]),
        ]

    async def users_page(self, request: Request, user: User) -> Response:
        _admin_only(user)
        if request.method == "GET":
            done = _DONE.get(request.query_params.get("done", ""))
            return await self._page(request, user, notice=done)
        values = await self.console.form(request)
        email, name, role = values.get("email", "").strip(), values.get("name", "").strip()[:200], values.get("role")
        problem = _new_password_problem(values)
        if "@" not in email or len(email) > 320:
            problem = "Give the account's email address."
        elif role not in ROLES:
            problem = f"Choose a role: {', '.join(ROLES)}."
        if problem is None:
            try:
                added = await run_in_threadpool(
                    lambda: self.store.add_user(
                        email, role=str(role), name=name, password_hash=hash_password(values["password"])
                    )
                )
            except ValueError as exc:
                problem = str(exc)
            else:
                log.info("console: %s added the account %s (%s)", user.email, added.email, added.role)
                return self._done("added")
        # The typed values come back, except the password: never echoed into a page.
        return await self._page(request, user, 400, error=problem, form={"email": email, "name": name, "role": role})

    async def disable(self, request: Request, user: User) -> Response:
        _admin_only(user)
        await self.console.form(request)
        target = await self._target(request)
        if target.id == user.id:
            raise Forbidden("you cannot disable your own account (another admin can)")
        await run_in_threadpool(self.store.disable_user, target.email)
        log.info("console: %s disabled the account %s", user.email, target.email)
        return self._done("disabled")

    async def enable(self, request: Request, user: User) -> Response:
        _admin_only(user)
        await self.console.form(request)
        target = await self._target(request)
        await run_in_threadpool(self.store.enable_user, target.email)
        log.info("console: %s enabled the account %s", user.email, target.email)
        return self._done("enabled")

    async def password(self, request: Request, user: User) -> Response:
        _admin_only(user)
        values = await self.console.form(request)
        target = await self._target(request)
        problem = _new_password_problem(values)
        if problem is not None:
            return await self._page(request, user, 400, error=f"{target.email}: {problem}")
        password_hash = await run_in_threadpool(hash_password, values["password"])
        await run_in_threadpool(self.store.set_password, target.email, password_hash)
        log.info("console: %s set a new password for %s", user.email, target.email)
        if target.id == user.id:  # their own sessions ended too, this one included
            request.session.clear()
            return RedirectResponse(f"{self.console.prefix}/login", 303)
        return self._done("password")

    async def _target(self, request: Request) -> User:
        target = await run_in_threadpool(self.store.user, int(request.path_params["user_id"]))
        if target is None:
            raise Forbidden("no such account")
        return target

    def _done(self, what: str) -> Response:
        return RedirectResponse(f"{self.console.prefix}/users?{urlencode({'done': what})}", 303)

    async def _page(
        self,
        request: Request,
        user: User,
        status: int = 200,
        *,
        notice: str | None = None,
        error: str | None = None,
        form: dict[str, str | None] | None = None,
    ) -> Response:
        return self.console.render(
            request,
            "users.html",
            status,
            title="Users",
            accounts=await run_in_threadpool(self.store.users),
            roles=ROLES,
            notice=notice,
            error=error,
            form=form or {"email": "", "name": "", "role": "sales"},
        )


def _admin_only(user: User) -> None:
    if user.role not in ADMIN_ROLES:
        raise Forbidden(f"a {user.role} account cannot manage users (an admin can)")


def _new_password_problem(values: dict[str, str]) -> str | None:
    password = values.get("password", "")
    if password != values.get("password_again", ""):
        return "The two passwords differ."
    problem = password_problem(password)
    return f"{problem[0].upper()}{problem[1:]}." if problem else None
