"""Working hours in a rep's own time zone: parsing `mon-fri: "09:00-13:00, 15:00-18:00"`,
whether a rep works at an instant, and when they next start (across DST changes).

Every function takes the instant to judge (`at`, timezone-aware): no clock is read here, so the
tables in tests/unit/test_routing.py run on a frozen one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
LOOK_AHEAD_DAYS = 62  # a rep who does not start within two months is not "opening soon"

Interval = tuple[int, int]  # minutes since local midnight, [start, end)


@dataclass(frozen=True)
class Week:
    """Per weekday (Monday first), the intervals a rep works."""

    days: tuple[tuple[Interval, ...], ...]


def zone(name: str) -> ZoneInfo | None:
    """The IANA time zone, or None when the name is not one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None


def parse_week(spec: Mapping[str, str]) -> tuple[Week, list[tuple[str, str]]]:
    """The week a `working_hours:` mapping describes, and (key, problem) for each bad entry."""
    days: list[list[Interval]] = [[] for _ in DAYS]
    problems: list[tuple[str, str]] = []
    for key, value in spec.items():
        indexes, problem = _day_keys(str(key))
        if problem:
            problems.append((str(key), problem))
            continue
        intervals, problem = _intervals(str(value))
        if problem:
            problems.append((str(key), problem))
            continue
        for index in indexes:
            days[index].extend(intervals)
    for index, intervals in enumerate(days):
        intervals.sort()
        for (_, end), (start, _) in itertools.pairwise(intervals):
            if start < end:
                problems.append((DAYS[index], f"{DAYS[index]}: working hours overlap"))
                break
    return Week(tuple(tuple(d) for d in days)), problems


def _day_keys(key: str) -> tuple[list[int], str | None]:
    indexes: list[int] = []
    for part in key.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            return [], f"'{key}' is not a day or a range of days (mon, tue, … sun; e.g. mon-fri or sat,sun)"
        a, b = DAYS.index(first), DAYS.index(last or first)
        if b < a:
            return [], f"'{key}': a range of days goes forward in the week (e.g. mon-fri)"
        indexes.extend(range(a, b + 1))
    return indexes, None


def _intervals(text: str) -> tuple[list[Interval], str | None]:
    if text.strip().lower() in ("", "off", "closed"):
        return [], None
    found: list[Interval] = []
    for part in text.split(","):
        match = _INTERVAL.match(part)
        if not match:
            return [], f"'{part.strip()}' is not a time range: write HH:MM-HH:MM, e.g. \"09:00-17:30\" (or off)"
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 > 23 or m1 > 59 or m2 > 59 or end > 24 * 60:
            return [], f"'{part.strip()}': hours run from 00:00 to 24:00"
        if end <= start:
            return [], f"'{part.strip()}' ends before it starts: split a night shift over two days"
        found.append((start, end))
    return found, None


def is_working(week: Week, tz: ZoneInfo, away: Callable[[date], bool], at: datetime) -> bool:
    local = at.astimezone(tz)
    if away(local.date()):
        return False
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in week.days[local.weekday()])


def next_start(week: Week, tz: ZoneInfo, away: Callable[[date], bool], at: datetime) -> datetime | None:
    """The first instant at or after `at` the rep works, or None within LOOK_AHEAD_DAYS."""
    if is_working(week, tz, away, at):
        return at
    local = at.astimezone(tz)
    for offset in range(LOOK_AHEAD_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        if away(day):
            continue
        for start, _ in week.days[day.weekday()]:
            # Built from the wall clock in the rep's zone: 09:00 stays 09:00 across a DST change.
            opening = datetime(day.year, day.month, day.day, start // 60, start % 60, tzinfo=tz)
            if opening > at:
                return opening
    return None


def describe(at: datetime, tz: ZoneInfo) -> str:
    """ "Mon 2026-03-09 09:00 America/New_York": when a rep starts, as their clock shows it."""
    return f"{at.astimezone(tz):%a %Y-%m-%d %H:%M} {tz.key}"
