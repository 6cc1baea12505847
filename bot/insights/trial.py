"""The console's "try a change": an edited SLA pasted or uploaded, checked like `leadbot check`,
then re-scored against every stored lead beside the SLA in force (`bot.insights.whatif`).

Nothing here writes the SLA: the edit lives in a throw-away folder for as long as the check and
the what-if read it. Example files it names are read from the current SLA's folder (they are
marketing's files too), and only by a relative path that stays inside that folder.
"""

from __future__ import annotations

import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from bot.insights.whatif import WhatIf, simulate
from bot.sla import SLA, Problem, SLAError, check_sla, load_sla
from bot.storage import LeadStore

DEFAULT_NAME = "edited-sla.yml"


class TrialBusy(Exception):
    """Another what-if is running in this process: one at a time (each keeps a core busy)."""


@dataclass
class Trial:
    """What trying an edited SLA gave: its problems (then no what-if), or the what-if."""

    name: str
    problems: list[Problem] = field(default_factory=list)
    result: WhatIf | None = None


class SLATrials:
    """Runs what-ifs of edited SLAs against the current one, one at a time.

    The current SLA is loaded and its classifiers trained once per version of the file (a
    what-if must read old answers with each SLA's own models: `SLA.own_models`)."""

    def __init__(self, current_path: str | Path) -> None:
        self.current_path = Path(current_path)
        self._lock = threading.Lock()
        self._current: tuple[float, SLA] | None = None

    def current(self) -> SLA:
        mtime = self.current_path.stat().st_mtime
        if self._current is None or self._current[0] != mtime:
            sla = load_sla(self.current_path)
            sla.own_models()
            self._current = (mtime, sla)
        return self._current[1]

    def run(
        self,
        store: LeadStore,
        text: str,
        *,
        name: str | None = None,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
    ) -> Trial:
        if not self._lock.acquire(blocking=False):
            raise TrialBusy("another what-if is running: try again in a minute")
        try:
            return self._run(store, text, safe_name(name), since, until)
        finally:
            self._lock.release()

    def _run(self, store: LeadStore, text: str, name: str, since: Any, until: Any) -> Trial:
        folder = self.current_path.resolve().parent
        problems = _outside_paths(text, name)
        if problems:
            return Trial(name, problems)
        with _workspace(folder, text, name) as path:
            domain = folder / "domain.yml"
            found = check_sla(path, domain if domain.exists() else None)
            trial = Trial(name, [_relative(p, path.parent) for p in found])
            if trial.problems:
                return trial
            try:
                other = load_sla(path)
            except SLAError as error:  # check_sla passed, so this is rare: a file changed meanwhile
                return Trial(name, [_relative(p, path.parent) for p in error.problems])
            try:
                current = self.current()
            except SLAError as error:  # the SLA in force broke since it was loaded: say so, not 500
                where = f"{self.current_path.name} (the SLA in force)"
                trial.problems = [Problem(where, p.line, p.col, p.message) for p in error.problems]
                return trial
            except OSError as error:
                message = f"cannot read the SLA in force: {error.strerror or error}"
                trial.problems = [Problem(str(self.current_path), 1, 1, message)]
                return trial
            other.own_models()
            trial.result = simulate(store, current, other, since=since, until=until)
            return trial


def safe_name(name: str | None) -> str:
    """The uploaded file's name as errors show it: its last part, plain characters, .yml."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base)[:80].lstrip(".")
    if not base:
        return DEFAULT_NAME
    return base if base.endswith((".yml", ".yaml")) else f"{base}.yml"


@contextmanager
def _workspace(folder: Path, text: str, name: str) -> Iterator[Path]:
    """A temporary folder holding the edit, with links to what it may reference beside the SLA."""
    with tempfile.TemporaryDirectory(prefix="leadbot-try-") as tmp:
        root = Path(tmp)
        for first in sorted({PurePosixPath(p).parts[0] for p in _example_files(text)}):
            source = folder / first
            if source.exists() and first != name:
                (root / first).symlink_to(source, target_is_directory=source.is_dir())
        path = root / name
        path.write_text(text, encoding="utf-8")
        yield path


def _example_files(text: str) -> list[str]:
    """The `example_files` an edit names (a quick read: the checker reads the file properly)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    criteria = data.get("criteria") if isinstance(data, dict) else None
    found = []
    for spec in (criteria or {}).values() if isinstance(criteria, dict) else ():
        files = spec.get("example_files") if isinstance(spec, dict) else None
        found += [str(f) for f in files or [] if isinstance(f, (str, int, float))] if isinstance(files, list) else []
    return found


def _outside_paths(text: str, name: str) -> list[Problem]:
    """An example file outside the SLA's folder (absolute, or with ..) is refused: the console
    must not read files an edit points it at."""
    problems = []
    for relative in _example_files(text):
        pure = PurePosixPath(relative.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            line = next((i for i, row in enumerate(text.splitlines(), 1) if relative in row), 1)
            message = f"example file '{relative}' must be a path inside the SLA's folder (no '..', not absolute)"
            problems.append(Problem(name, line, 1, message))
    return problems


def _relative(problem: Problem, root: Path) -> Problem:
    """The problem's file as the user knows it: the uploaded name, or the example file's path."""
    file = problem.file
    for prefix in (str(root) + "/", str(root.resolve()) + "/"):
        if file.startswith(prefix):
            file = file[len(prefix) :]
    return Problem(file, problem.line, problem.col, problem.message)
