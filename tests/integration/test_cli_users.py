"""`leadbot users`: accounts made, listed, re-passworded and disabled from the command line,
the password read from standard input (never an argument)."""

from __future__ import annotations

import io

import pytest

from bot.cli import main
from bot.storage import ConsoleStore
from bot.web.passwords import verify_password


@pytest.fixture
def users_db(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> ConsoleStore:
    monkeypatch.setenv("LEADBOT_DATABASE_URL", sqlite_url)
    return ConsoleStore(sqlite_url)


def _run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin: str, *argv: str) -> tuple:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_an_admin_adds_lists_changes_and_disables_an_account(
    users_db: ConsoleStore, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = _run(capsys, monkeypatch, "first password 1\n", "users", "add", "Rep@Example.com", "--role", "sales")
    assert code == 0 and "user rep@example.com added (sales)" in out
    found = users_db.credentials("rep@example.com")
    assert found is not None and verify_password(found[1], "first password 1")
    assert "first password 1" not in found[1]  # a hash, not the password

    code, out, _ = _run(capsys, monkeypatch, "", "users", "list")
    assert code == 0 and "rep@example.com" in out and "sales" in out

    code, _, _ = _run(capsys, monkeypatch, "second password 2\n", "users", "passwd", "rep@example.com")
    user, stored = users_db.credentials("rep@example.com")  # type: ignore[misc]
    assert code == 0 and verify_password(stored, "second password 2")
    assert not verify_password(stored, "first password 1")
    assert user.session_epoch == 1  # sessions signed before the change end

    code, out, _ = _run(capsys, monkeypatch, "", "users", "disable", "rep@example.com")
    assert code == 0 and users_db.credentials("rep@example.com")[0].active is False  # type: ignore[index]


def test_bad_input_is_refused_with_a_reason(
    users_db: ConsoleStore, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = _run(capsys, monkeypatch, "short\n", "users", "add", "a@example.com", "--role", "sales")
    assert code == 2 and "at least 10 characters" in err and users_db.users() == []
    _run(capsys, monkeypatch, "long enough pw\n", "users", "add", "a@example.com", "--role", "admin")
    code, _, err = _run(capsys, monkeypatch, "long enough pw\n", "users", "add", "A@example.com", "--role", "sales")
    assert code == 2 and "exists already" in err
    code, _, err = _run(capsys, monkeypatch, "", "users", "disable", "nobody@example.com")
    assert code == 1 and "no user" in err
    with pytest.raises(SystemExit):  # there is no way to pass a password as an argument
        main(["users", "add", "b@example.com", "--role", "sales", "--password", "long enough pw"])
