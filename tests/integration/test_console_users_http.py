"""User management in the console over real HTTP: an admin lists, adds, disables, re-enables
and resets passwords; nobody else may, no POST goes through without its CSRF token, and no
password is ever shown back or logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.console_helpers import PASSWORD, Console, csrf_of, running_console, signed_in

NEW_PASSWORD = "a brand new passphrase 42"


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    with running_console(tmp_path, monkeypatch) as running:
        yield running


def _users_page(http: requests.Session, console: Console) -> str:
    reply = http.get(console.console + "/users", timeout=10)
    assert reply.status_code == 200
    return reply.text


def _user_id(console: Console, email: str) -> int:
    return next(u.id for u in console.store.users() if u.email == email)


def test_an_admin_adds_an_account_that_can_then_sign_in(console: Console, caplog: pytest.LogCaptureFixture) -> None:
    admin = signed_in(console, console.add_user("boss@example.com", role="admin"))
    page = _users_page(admin, console)
    assert 'data-user="boss@example.com"' in page and 'id="nav-users"' in page
    with caplog.at_level(logging.DEBUG, logger="leadbot"):
        reply = admin.post(
            console.console + "/users",
            data={"email": "New.Rep@Example.com", "name": "New Rep", "role": "sales", "password": NEW_PASSWORD,
                  "password_again": NEW_PASSWORD, "csrf_token": csrf_of(page)},
            timeout=10,
        )  # fmt: skip
    assert reply.status_code == 200 and "Account added." in reply.text
    assert 'data-user="new.rep@example.com"' in reply.text and NEW_PASSWORD not in reply.text
    assert NEW_PASSWORD not in reply.url and NEW_PASSWORD not in caplog.text
    assert [(u.email, u.role, u.active) for u in console.store.users() if u.email.startswith("new")] == [
        ("new.rep@example.com", "sales", True)
    ]
    stored = console.store.credentials("new.rep@example.com")
    assert stored is not None and stored[1].startswith("$argon2id$")
    rep = signed_in(console, "new.rep@example.com", NEW_PASSWORD)
    assert rep.get(console.console + "/", timeout=10).status_code == 200


def test_a_refused_new_account_keeps_the_typed_fields_but_never_the_password(console: Console) -> None:
    admin = signed_in(console, console.add_user("boss@example.com", role="admin"))
    token = csrf_of(_users_page(admin, console))
    cases = [
        ({"password": "short", "password_again": "short"}, "at least 10 characters"),
        ({"password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x"}, "The two passwords differ."),
        ({"email": "boss@example.com", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}, "exists already"),
        ({"role": "root", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}, "Choose a role"),
    ]
    for fields, problem in cases:
        data = {"email": "ann@example.com", "name": "Ann", "role": "marketing", "csrf_token": token, **fields}
        reply = admin.post(console.console + "/users", data=data, timeout=10)
        assert reply.status_code == 400 and problem in reply.text, problem
        assert fields["password"] not in reply.text and NEW_PASSWORD not in reply.text
    assert [u.email for u in console.store.users()] == ["boss@example.com"]


def test_disabling_ends_the_sessions_and_enabling_lets_the_user_back_in(console: Console) -> None:
    admin = signed_in(console, console.add_user("boss@example.com", role="admin"))
    rep = signed_in(console, console.add_user("rep@example.com"))
    rep_id = _user_id(console, "rep@example.com")
    token = csrf_of(_users_page(admin, console))
    reply = admin.post(console.console + f"/users/{rep_id}/disable", data={"csrf_token": token}, timeout=10)
    assert "Account disabled" in reply.text
    assert rep.get(console.console + "/", allow_redirects=False, timeout=10).status_code == 303
    login = requests.Session()
    form = login.get(console.console + "/login", timeout=10).text
    refused = login.post(
        console.console + "/login",
        data={"email": "rep@example.com", "password": PASSWORD, "csrf_token": csrf_of(form)},
        timeout=10,
    )
    assert refused.status_code == 401
    admin.post(console.console + f"/users/{rep_id}/enable", data={"csrf_token": token}, timeout=10)
    assert signed_in(console, "rep@example.com").get(console.console + "/", timeout=10).status_code == 200
    # An admin cannot lock themselves out.
    own = admin.post(
        console.console + f"/users/{_user_id(console, 'boss@example.com')}/disable",
        data={"csrf_token": token},
        timeout=10,
    )
    assert own.status_code == 403 and console.store.users()[0].active


def test_a_password_reset_ends_the_old_sessions_and_only_the_new_password_works(console: Console) -> None:
    admin = signed_in(console, console.add_user("boss@example.com", role="admin"))
    rep = signed_in(console, console.add_user("rep@example.com"))
    token = csrf_of(_users_page(admin, console))
    url = console.console + f"/users/{_user_id(console, 'rep@example.com')}/password"
    differ = admin.post(url, data={"password": NEW_PASSWORD, "password_again": "other one!!", "csrf_token": token})
    assert differ.status_code == 400 and "differ" in differ.text
    reply = admin.post(url, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "csrf_token": token})
    assert "Password changed" in reply.text and NEW_PASSWORD not in reply.text
    assert rep.get(console.console + "/", allow_redirects=False, timeout=10).status_code == 303
    assert signed_in(console, "rep@example.com", NEW_PASSWORD).get(console.console + "/").status_code == 200
    # Resetting one's own password signs this browser out too.
    own = console.console + f"/users/{_user_id(console, 'boss@example.com')}/password"
    mine = admin.post(
        own,
        data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert mine.status_code == 303 and mine.headers["location"] == "/console/login"
    assert admin.get(console.console + "/users", allow_redirects=False).status_code == 303


@pytest.mark.parametrize("role", ["sales", "marketing"])
def test_only_an_admin_may_manage_users(console: Console, role: str) -> None:
    other = signed_in(console, console.add_user(f"{role}@example.com", role=role))
    inbox = other.get(console.console + "/", timeout=10).text
    assert 'id="nav-users"' not in inbox
    assert other.get(console.console + "/users", timeout=10).status_code == 403
    token = csrf_of(inbox)
    own_id = _user_id(console, f"{role}@example.com")
    attempts = [
        (
            "/users",
            {"email": "x@example.com", "role": "admin", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        ),
        (f"/users/{own_id}/password", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}),
        (f"/users/{own_id}/disable", {}),
    ]
    for path, data in attempts:
        reply = other.post(console.console + path, data={**data, "csrf_token": token}, timeout=10)
        assert reply.status_code == 403, path
    assert [(u.email, u.role, u.active) for u in console.store.users()] == [(f"{role}@example.com", role, True)]
    assert signed_in(console, f"{role}@example.com")  # the old password still works


def test_user_management_needs_a_session_and_a_csrf_token(console: Console) -> None:
    console.add_user("boss@example.com", role="admin")
    rep_id = _user_id(console, console.add_user("rep@example.com"))
    anonymous = requests.get(console.console + "/users", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/console/login")
    assert requests.post(console.console + f"/users/{rep_id}/disable", timeout=10).status_code == 403
    admin = signed_in(console, "boss@example.com")
    for token in (None, "forged-token"):
        data = {"csrf_token": token} if token else {}
        assert admin.post(console.console + f"/users/{rep_id}/disable", data=data, timeout=10).status_code == 403
        reply = admin.post(
            console.console + "/users",
            data={**data, "email": "x@example.com", "role": "admin", "password": NEW_PASSWORD,
                  "password_again": NEW_PASSWORD},
            timeout=10,
        )  # fmt: skip
        assert reply.status_code == 403 and "CSRF" in reply.text
    assert all(u.active for u in console.store.users()) and len(console.store.users()) == 2
