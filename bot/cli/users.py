"""`leadbot users add/list/disable/passwd`: the console's accounts, managed by an admin.

A password is read from a prompt (twice) on a terminal, or as one line on standard input
(`printf '%s\\n' "$PASSWORD" | leadbot users add …`); never from the command line, where
`ps` and the shell history would show it.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.domain.console import ROLES
from bot.storage import ConsoleStore
from bot.web.passwords import hash_password, password_problem


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users = sub.add_parser("users", help="console accounts: add, list, disable, passwd")
    users_sub = users.add_subparsers(dest="users_command")
    users.set_defaults(handler=_list)
    add = users_sub.add_parser("add", help="make an account (password from a prompt or stdin)")
    add.add_argument("email")
    add.add_argument("--role", choices=ROLES, required=True, help="sales: inbox and verdicts; marketing: reads; admin")
    add.add_argument("--name", default="", help="shown in the console")
    add.set_defaults(handler=_add)
    users_sub.add_parser("list", help="every account").set_defaults(handler=_list)
    disable = users_sub.add_parser("disable", help="the account can no longer sign in; its sessions end")
    disable.add_argument("email")
    disable.set_defaults(handler=_disable)
    passwd = users_sub.add_parser("passwd", help="set a new password (signs the account out everywhere)")
    passwd.add_argument("email")
    passwd.set_defaults(handler=_passwd)


def _store(args: argparse.Namespace) -> ConsoleStore:
    return ConsoleStore(args.database_url)


def read_password(prompt: str = "Password: ") -> str:
    """From a prompt typed twice on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Again: ") != first:
            raise ValueError("the two passwords differ")
        password = first
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return password


def _add(args: argparse.Namespace) -> int:
    password = read_password()
    user = _store(args).add_user(args.email, role=args.role, name=args.name, password_hash=hash_password(password))
    print(f"user {user.email} added ({user.role})")
    return 0


def _list(args: argparse.Namespace) -> int:
    users = _store(args).users()
    print(f"{'EMAIL':40}  {'ROLE':9}  {'ACTIVE':6}  {'LAST SIGN-IN (UTC)':18}  NAME")
    for user in users:
        last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "-"
        print(f"{user.email:40}  {user.role:9}  {'yes' if user.active else 'no':6}  {last:18}  {user.name}")
    print(f"{len(users)} user(s)", file=sys.stderr)
    return 0


def _disable(args: argparse.Namespace) -> int:
    user = _store(args).disable_user(args.email)
    print(f"user {user.email} disabled (signed out everywhere)")
    return 0


def _passwd(args: argparse.Namespace) -> int:
    password = read_password("New password: ")
    user = _store(args).set_password(args.email, hash_password(password))
    print(f"password of {user.email} changed (signed out everywhere)")
    return 0
