"""Bootstrap of the production servers: PostgreSQL (initdb, role, databases), Redis and nginx.

Config files are written with secrets inside (mode 0600), never on a command line (`ps`).
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from bot.ops.supervisor import ROOT
from bot.settings import Settings

DEPLOY = ROOT / "deploy"


def service_user(name: str) -> str | None:
    """The OS user a server runs as when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(name)
        return name
    except KeyError:
        return "nobody"


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return Path(found[-1]).parent


def require(binary: str, package: str) -> str:
    candidates = (shutil.which(binary), f"/usr/sbin/{binary}", f"/usr/bin/{binary}")
    path = next((p for p in candidates if p and Path(p).exists()), None)
    if path is None:
        raise RuntimeError(f"{binary} is not installed: apt-get install -y {package}")
    return path


def write_redis_conf(s: Settings) -> Path:
    """A config file, not argv: `requirepass` must not show up in `ps`."""
    directory = s.var_dir / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "redis.conf"
    body = (
        f"port {s.redis_port}\nbind 127.0.0.1\nprotected-mode yes\ndaemonize no\n"
        f'dir {directory}\nsave ""\nappendonly no\nrequirepass {s.redis_password}\n'
    )
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        out.write(body)
    return path


def write_nginx_conf(s: Settings) -> Path:
    prefix = s.var_dir / "nginx"
    for sub in ("logs", "temp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    worker_user = service_user("www-data")
    if worker_user:
        shutil.chown(prefix / "temp", user=worker_user)
    origins = [f'    "{o}" 1;' for o in s.cors_origins if _safe_origin(o)]
    values = {
        "USER_DIRECTIVE": f"user {worker_user};" if worker_user else "",
        "PREFIX": str(prefix),
        "PUBLIC_LISTEN": f"{s.public_host}:{s.public_port}",
        "ACTIONS_LISTEN": f"127.0.0.1:{s.actions_lb_port}",
        "RASA_SERVERS": "\n".join(
            f"    server 127.0.0.1:{s.rasa_port(i)} max_fails=1 fail_timeout=5s;" for i in range(s.rasa_instances)
        ),
        "ACTION_SERVERS": "\n".join(
            f"    server 127.0.0.1:{s.actions_port(i)} max_fails=1 fail_timeout=3s;" for i in range(s.action_servers)
        ),
        "API_SERVER": f"127.0.0.1:{s.api_port}",
        "ORIGINS": "\n".join(origins),
        "NO_ORIGIN": "1" if s.webhook_allow_no_origin else "0",
        "WEBHOOK_RATE": s.webhook_rate,
        "WEBHOOK_BURST": str(s.webhook_burst),
    }
    path = prefix / "nginx.conf"
    path.write_text(render_template((DEPLOY / "nginx.conf.template").read_text(), values))
    return path


# ----------------------------------------------------------------- PostgreSQL


def init_postgres(s: Settings) -> None:
    """initdb once (as the postgres user when root); a kept data dir is reused as is."""
    if (s.postgres_data / "PG_VERSION").exists():
        return
    user = service_user("postgres")
    s.postgres_data.parent.mkdir(parents=True, exist_ok=True)
    s.postgres_data.mkdir(mode=0o700, exist_ok=True)
    if user:
        shutil.chown(s.postgres_data, user=user, group=user)
        _check_traversable(s.postgres_data, user)
    with tempfile.NamedTemporaryFile("w", prefix="leadbot-pw-", delete=False) as pw:
        pw.write(s.require("pg_admin_password") + "\n")
    try:
        if user:
            shutil.chown(pw.name, user=user)
        subprocess.run(
            [
                str(postgres_bin() / "initdb"), "-D", str(s.postgres_data), "-U", "postgres",
                f"--pwfile={pw.name}",
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
            ],
            check=True, capture_output=True, timeout=180, user=user, group=user,
            env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"},
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"initdb failed: {exc.stderr.decode(errors='replace')[-500:]}") from exc
    finally:
        os.unlink(pw.name)


def bootstrap_databases(s: Settings) -> None:
    """The `leadbot` role owns two databases: the leads (`leadbot`) and Rasa's tracker store."""
    import psycopg2

    admin = psycopg2.connect(
        host="127.0.0.1", port=s.pg_port, user="postgres", password=s.pg_admin_password, dbname="postgres"
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = 'leadbot'")
            verb = "ALTER" if cur.fetchone() else "CREATE"
            cur.execute(f"{verb} ROLE leadbot LOGIN PASSWORD %s", (s.pg_password,))
            for db in ("leadbot", "rasa_tracker"):
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
                if not cur.fetchone():
                    cur.execute(f'CREATE DATABASE "{db}" OWNER leadbot')
    finally:
        admin.close()


def render_template(template: str, values: Mapping[str, str]) -> str:
    """Fill `${UPPER_CASE}` placeholders; nginx's own `$variables` pass through untouched."""
    return re.sub(r"\$\{([A-Z_]+)\}", lambda m: values[m.group(1)], template)


def _safe_origin(origin: str) -> bool:
    """An origin goes into nginx.conf verbatim: allow only scheme://host[:port]."""
    return re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d+)?", origin) is not None


def _check_traversable(path: Path, user: str) -> None:
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if parent.stat().st_uid != pwd.getpwnam(user).pw_uid and not mode & 0o001:
            raise RuntimeError(
                f"{user} cannot reach {path}: {parent} is not world-searchable; set LEADBOT_PG_DATA elsewhere"
            )
