"""Sales' verdict reasons: the lists a rep picks from when accepting or rejecting a lead.

`verdict_reasons:` in sla.yml (docs/sla.md). A reason's `key` is what the database keeps
(`feedback.reason_code`), so marketing can count rejections per reason; its `label` is what the
rep reads, in the SLA's `sales_language`. Checked by `leadbot check` (bot/sla/check_verdicts.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Extra, Field


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class VerdictReason(_Strict):
    key: str
    label: str


def _default_accept() -> list[VerdictReason]:
    return [VerdictReason(key="fits", label="Fits the SLA")]


def _default_reject() -> list[VerdictReason]:
    return [VerdictReason(key="not_a_fit", label="Not a fit")]


class VerdictReasons(_Strict):
    accept: list[VerdictReason] = Field(default_factory=_default_accept)
    reject: list[VerdictReason] = Field(default_factory=_default_reject)

    def for_verdict(self, verdict: str) -> list[VerdictReason]:
        return list(self.accept if verdict == "accept" else self.reject)

    def label(self, verdict: str, key: str | None) -> str | None:
        return next((r.label for r in self.for_verdict(verdict) if r.key == key), None)


_cache: dict[str, tuple[float, VerdictReasons]] = {}


def load_verdict_reasons(path: str | Path) -> VerdictReasons:
    """Only the `verdict_reasons:` of an SLA file, re-read when the file changes.

    The console needs nothing else, and loading the whole SLA trains its answer classifiers
    (seconds). A file that does not parse gives the defaults; `leadbot check` reports why."""
    key = os.fspath(path)
    try:
        mtime = os.stat(key).st_mtime
    except OSError:
        return VerdictReasons()
    cached = _cache.get(key)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        with open(key, encoding="utf-8") as fh:
            data: Any = yaml.safe_load(fh) or {}
        reasons = VerdictReasons.parse_obj(data.get("verdict_reasons") or {}) if isinstance(data, dict) else None
    except Exception:
        reasons = None
    reasons = reasons or VerdictReasons()
    _cache[key] = (mtime, reasons)
    return reasons
