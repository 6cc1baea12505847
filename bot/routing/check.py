"""Loading and `leadbot check` of the routing file: structure and meaning, each problem at its
line (`file:line:col`), and the current routing per file, re-read when it changes.

A broken edit never goes live: the last good routing stays in use and its problems are logged.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.routing.hours import parse_week, zone
from bot.routing.model import LEAD_FIELDS, Absence, Pool, Rep, RoutingConfig, RoutingRule
from bot.sla.marks import _Located, _Path, _read_yaml
from bot.sla.model import SLA, Problem, _sorted, _suggest

log = logging.getLogger("bot.routing")
_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class RoutingError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def routing_path(sla: SLA, sla_path: str | Path) -> Path | None:
    """The routing file an SLA references (`routing:`), next to the SLA file; None without one."""
    return Path(sla_path).parent / sla.routing if sla.routing else None


def check_routing(path: str | Path, sla: SLA | None = None) -> list[Problem]:
    """Every problem of a routing file, sorted by line; `sla` adds its criteria to the fields a
    rule may test."""
    return _analyse(Path(path), sla)[1]


def load_routing(path: str | Path, sla: SLA | None = None) -> RoutingConfig:
    config, problems = _analyse(Path(path), sla)
    if config is None or problems:
        raise RoutingError(problems)
    return config


def _analyse(path: Path, sla: SLA | None) -> tuple[RoutingConfig | None, list[Problem]]:
    file = str(path)
    data, located, problems = _read_yaml(path)
    if data is None and problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [*problems, Problem(file, 1, 1, "expected a mapping of routing keys (reps, pools, rules…)")]
    try:
        config = RoutingConfig.parse_obj(data)
    except ValidationError as error:
        return None, _sorted(problems + [_structure(file, e, located) for e in error.errors()])
    checker = _Checker(file, config, located, sla)
    checker.run()
    return config, _sorted(problems + checker.problems)


def _structure(file: str, error: Any, located: _Located) -> Problem:
    loc: _Path = tuple(part for part in error["loc"] if part != "__key__")
    if error["type"] == "value_error.extra":
        line, col = located.key(loc)
        known = _fields_at(loc[:-1])
        return Problem(file, line, col, f"unknown key '{loc[-1]}'" + _suggest(str(loc[-1]), known))
    if error["type"] == "value_error.missing":
        line, col = located.key(loc[:-1]) if loc[:-1] else (1, 1)
        return Problem(file, line, col, f"missing required key '{loc[-1]}'")
    line, col = located.value(loc)
    return Problem(file, line, col, f"{'.'.join(str(p) for p in loc)}: {error['msg']}")


def _fields_at(loc: _Path) -> list[str]:
    """The keys allowed where an unknown one was written (for "did you mean")."""
    shapes: dict[str, type[BaseModel]] = {"reps": Rep, "pools": Pool, "rules": RoutingRule}
    target: type[BaseModel] = shapes.get(str(loc[0]), RoutingConfig) if loc else RoutingConfig
    if loc and loc[0] == "reps" and len(loc) >= 4 and loc[2] == "out_of_office":
        target = Absence
    return sorted(f.alias for f in target.__fields__.values())


class _Checker:
    def __init__(self, file: str, config: RoutingConfig, located: _Located, sla: SLA | None) -> None:
        self.file, self.config, self.located, self.sla = file, config, located, sla
        self.problems: list[Problem] = []

    def _key(self, path: _Path, message: str) -> None:
        self.problems.append(Problem(self.file, *self.located.key(path), message))

    def _value(self, path: _Path, message: str) -> None:
        self.problems.append(Problem(self.file, *self.located.value(path), message))

    def run(self) -> None:
        c = self.config
        if c.version != 1:
            self._value(("version",), f"unsupported version {c.version}; this assistant reads version 1")
        if c.reassign_after_minutes is not None and c.reassign_after_minutes < 1:
            self._value(("reassign_after_minutes",), "reassign_after_minutes: at least 1 (or null: never reassign)")
        self._hours(c.working_hours, ("working_hours",))
        if not c.reps:
            self._key(("reps",), "reps: list at least one rep")
        self._reps()
        self._pools()
        self._rules()
        if c.fallback_pool is not None and c.fallback_pool not in c.pools:
            pools = list(c.pools)
            self._value(("fallback_pool",), f"unknown pool '{c.fallback_pool}'" + _suggest(c.fallback_pool, pools))
        self._rep_ref(c.default_owner, ("default_owner",))

    def _rep_ref(self, rep_id: str, path: _Path) -> None:
        if self.config.rep(rep_id) is None:
            self._value(path, f"unknown rep '{rep_id}'" + _suggest(rep_id, [r.id for r in self.config.reps]))

    def _hours(self, spec: dict[str, str], path: _Path) -> None:
        for key, problem in parse_week(spec)[1]:
            self._value((*path, key), problem)

    def _reps(self) -> None:
        seen: set[str] = set()
        languages = self.sla.languages if self.sla is not None else None
        for index, rep in enumerate(self.config.reps):
            path: _Path = ("reps", index)
            if not _ID.match(rep.id):
                self._value((*path, "id"), f"rep id '{rep.id}': letters, digits, _ . - (it is stored with every lead)")
            elif rep.id in seen:
                self._value((*path, "id"), f"rep id '{rep.id}' is listed twice")
            seen.add(rep.id)
            if "@" not in rep.email:
                self._value((*path, "email"), f"rep {rep.id}: '{rep.email}' is not an email address")
            if rep.slack_user_id is not None and not _SLACK_ID.match(rep.slack_user_id):
                self._value((*path, "slack_user_id"),
                            f"rep {rep.id}: '{rep.slack_user_id}' is not a Slack user id (like U024BE7LH: "
                            "profile → ⋮ → Copy member ID)")  # fmt: skip
            if zone(rep.time_zone) is None:
                self._value((*path, "time_zone"),
                            f"rep {rep.id}: unknown time zone '{rep.time_zone}' (an IANA name such as "
                            "Europe/Madrid or America/New_York)")  # fmt: skip
            if rep.working_hours is not None:
                self._hours(rep.working_hours, (*path, "working_hours"))
            for number, entry in enumerate(rep.out_of_office):
                if isinstance(entry, Absence) and entry.to < entry.from_:
                    self._value((*path, "out_of_office", number), f"rep {rep.id}: out of office ends before it starts")
            for number, language in enumerate(rep.languages):
                if languages is not None and language not in languages:
                    self._value((*path, "languages", number),
                                f"rep {rep.id}: '{language}' is not one of the SLA's languages "
                                f"({', '.join(languages)})")  # fmt: skip
            if rep.booking_url is not None and not rep.booking_url.startswith(("https://", "http://")):
                self._value((*path, "booking_url"), f"rep {rep.id}: booking_url must be an http(s) URL")

    def _pools(self) -> None:
        for name, pool in self.config.pools.items():
            path: _Path = ("pools", name)
            if not pool.reps:
                self._key(path, f"pool '{name}' is empty: list at least one rep under reps")
            for number, rep_id in enumerate(pool.reps):
                self._rep_ref(rep_id, (*path, "reps", number))
            if pool.email is not None and "@" not in pool.email:
                self._value((*path, "email"), f"pool {name}: '{pool.email}' is not an email address")

    def _rules(self) -> None:
        c = self.config
        criteria = [*(self.sla.criteria if self.sla else {}), *(self.sla.extra_criteria if self.sla else {})]
        fields = [*LEAD_FIELDS, *criteria]
        for index, rule in enumerate(c.rules):
            path: _Path = ("rules", index)
            targets = [t for t in ("rep", "pool", "crm_owner") if getattr(rule, t) not in (None, False)]
            if len(targets) != 1:
                self._key(path, f"{rule.label(index)}: give exactly one target: rep: ID, pool: NAME or crm_owner: true"
                          + (f" (found {', '.join(targets)})" if targets else ""))  # fmt: skip
            if rule.rep is not None:
                self._rep_ref(rule.rep, (*path, "rep"))
            if rule.pool is not None and rule.pool not in c.pools:
                self._value((*path, "pool"), f"unknown pool '{rule.pool}'" + _suggest(rule.pool, list(c.pools)))
            for field, condition in rule.when.items():
                where: _Path = (*path, "when", field)
                if self.sla is not None and field not in fields:
                    self._key(where, f"{rule.label(index)}: unknown lead field '{field}'" + _suggest(field, fields))
                self._condition(condition, where)

    def _condition(self, condition: Any, path: _Path) -> None:
        if isinstance(condition, list):
            for number, item in enumerate(condition):
                if isinstance(item, (list, dict)):
                    self._value((*path, number), "a list of values holds plain values (text, numbers, true/false)")
            return
        if isinstance(condition, dict):
            unknown = [k for k in condition if k not in ("min", "max")]
            if unknown or not condition:
                self._value(path, "a range is {min: N, max: N} (either may be left out)")
                return
            bounds = [condition.get(k) for k in ("min", "max")]
            if any(b is not None and (isinstance(b, bool) or not isinstance(b, (int, float))) for b in bounds):
                self._value(path, "min and max are numbers")
            elif None not in bounds and bounds[0] >= bounds[1]:  # type: ignore[operator]
                self._value(path, f"min ({bounds[0]}) must be below max ({bounds[1]})")


class RoutingFiles:
    """The current routing per file, re-read only when the file changes; a broken edit keeps the
    last good one (or None when there never was one) and is logged once."""

    def __init__(self) -> None:
        self._loaded: dict[str, tuple[tuple[int, int], RoutingConfig | None]] = {}
        self._lock = threading.Lock()

    def get(self, path: str | Path, sla: SLA | None = None) -> RoutingConfig | None:
        key = os.fspath(path)
        try:
            stat = os.stat(key)
            signature = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            signature = (-1, -1)
        with self._lock:
            loaded = self._loaded.get(key)
            if loaded is not None and loaded[0] == signature:
                return loaded[1]
            config, problems = _analyse(Path(key), sla)
            if config is None or problems:
                for problem in problems:
                    log.error("%s", problem)
                kept = loaded[1] if loaded else None
                log.warning("%s: routing edit rejected; %s", key,
                            "still using the last valid routing" if kept else "handoffs are not routed")  # fmt: skip
                config = kept
            self._loaded[key] = (signature, config)
            return config


_files = RoutingFiles()


def current_routing(path: str | Path, sla: SLA | None = None) -> RoutingConfig | None:
    return _files.get(path, sla)
