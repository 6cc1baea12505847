"""Hot reload: the current SLA per file, re-read when it (or an example file) changes.

A broken edit never goes live; the last good SLA stays in use and the problems are logged once.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from bot.sla.check import _analyse
from bot.sla.examples import example_paths
from bot.sla.model import SLA, SLAError

logger = logging.getLogger("bot.sla")


@dataclass
class _Loaded:
    signature: tuple[tuple[int, int, int], ...]  # what the files looked like when last read
    sla: SLA  # the last SLA that passed every check


class SLAStore:
    """The current SLA per file, re-read only when the file changes.

    The action server asks on every turn, so an unchanged file costs one `stat()`.
    A broken edit never goes live: the last good SLA stays in use and each problem
    is logged once (not on every turn) until the file changes again.
    """

    def __init__(self, domain_path: str | Path | None = "domain.yml") -> None:
        self._domain_path = domain_path
        self._loaded: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    def get(self, path: str | Path) -> SLA:
        key = os.fspath(path)
        loaded = self._loaded.get(key)
        signature = _signature([Path(key), *(example_paths(loaded.sla, key) if loaded else [])])
        if loaded is not None and loaded.signature == signature:
            return loaded.sla
        with self._lock:
            return self._reload(key, signature)

    def _reload(self, key: str, signature: tuple[tuple[int, int, int], ...]) -> SLA:
        loaded = self._loaded.get(key)
        if loaded is not None and loaded.signature == signature:
            return loaded.sla  # another thread got here first
        sla, problems = _analyse(Path(key), self._domain_path)
        if sla is not None and not problems:
            if loaded is not None:
                logger.info("%s: reloaded the SLA", key)
            # The example files this version references are watched from now on.
            self._loaded[key] = _Loaded(_signature([Path(key), *example_paths(sla, key)]), sla)
            return sla
        if loaded is None:
            raise SLAError(problems)
        for problem in problems:
            logger.error("%s", problem)
        logger.warning("%s: edit rejected, still using the last valid SLA", key)
        loaded.signature = signature  # remember the broken version so it is reported once
        return loaded.sla


def _signature(files: list[Path]) -> tuple[tuple[int, int, int], ...]:
    stats = []
    for file in files:
        try:
            stat = os.stat(file)
            stats.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
        except OSError:
            stats.append((-1, -1, -1))
    return tuple(stats)


_default_store = SLAStore()


def current_sla(path: str | Path) -> SLA:
    """The SLA to score against right now (pass `Settings.sla_path`, i.e. `LEADBOT_SLA`)."""
    return _default_store.get(path)
