"""Calendar arithmetic for ``parse_timing``: months from the conversation date until a day, month or period.

Owns when each season and holiday falls and the reading of absolute dates (the conventions are in ``bot.parse.timing``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache

from dateparser.date import DateDataParser
from dateutil.easter import easter

from bot.parse.timing_words import _DAYS_PER_MONTH, _END, _MID, _START


def _months_until(today: dt.date, target: dt.date) -> float:
    """Calendar months, so 1 Oct -> 1 Jan is exactly 3.0 (not 3.02 by day count)."""
    whole = (target.year - today.year) * 12 + target.month - today.month
    return whole + (target.day - today.day) / _DAYS_PER_MONTH


def _first_of(year: int, month: int) -> dt.date:
    """First day of ``month`` in ``year``, rolling months past 12 into the next years."""
    year += (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1)


def _within_year(today: dt.date, year: int, modifier: str | None) -> float:
    """Months until early/mid/late ``year`` (no modifier = the middle)."""
    if modifier and re.match(_START, modifier):
        return _months_until(today, dt.date(year, 2, 1))
    if modifier and re.match(_END, modifier):
        return _months_until(today, dt.date(year + 1, 1, 1))
    return _months_until(today, dt.date(year, 7, 1))


def _until_month(today: dt.date, month: int, year: int | None, modifier: str | None) -> float | None:
    if year is None:
        year = today.year if month >= today.month else today.year + 1
    if (year, month) < (today.year, today.month):
        return None
    start = dt.date(year, month, 1)
    if (year, month) == (today.year, today.month) or (modifier and re.match(_END, modifier)):
        return _months_until(today, _first_of(year, month + 1))
    if modifier and re.match(_MID, modifier):
        return _months_until(today, start) + 0.5
    return _months_until(today, start)


def _until_period(today: dt.date, year: int | None, index: int, current: int, size: int, at_end: bool) -> float | None:
    """Months until the start of period ``index`` (quarters: size 3, halves: size 6).

    The current period reads as "this quarter/half" (until its end); a passed one without a
    year means next year's; a passed one with a year was a mistake and is ignored.
    """
    start_month = (index - 1) * size + 1
    if year is None:
        year = today.year if index >= current else today.year + 1
    if (year, index) < (today.year, current) or not 1 <= index <= 12 // size:
        return None
    if at_end or (year == today.year and index == current):
        return _months_until(today, _first_of(year, start_month + size))
    return _months_until(today, dt.date(year, start_month, 1))


@lru_cache(maxsize=4)
def _date_parser(today: dt.date) -> DateDataParser:
    # Built once per conversation date: constructing a DateDataParser costs milliseconds.
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": dt.datetime(today.year, today.month, today.day),
        "DATE_ORDER": "DMY",  # European visitors: 03/04 is 3 April
    }
    return DateDataParser(languages=["en", "es"], settings=settings)


def _dateparser_months(said: str, today: dt.date) -> float | None:
    try:
        found = _date_parser(today).get_date_data(said).date_obj
    except Exception:  # third-party parser on visitor text: a date we cannot read is no date
        return None
    if found is None or found.date() < today:
        return None
    return _months_until(today, found.date())


def _season_key(name: str) -> str:
    for key, stems in _SEASON_NAMES:
        if name.startswith(stems):
            return key
    return "christmas"  # "the holidays", "las fiestas", "fiestas navideñas"


def _occurrence(
    period: Callable[[int], tuple[dt.date, dt.date]], today: dt.date, year: int | None, next_one: bool
) -> tuple[dt.date, dt.date] | None:
    """The season meant: of the year said, else the current or coming one ("next": a later one)."""
    if year:
        first, after = period(year)
        return (first, after) if after > today else None
    for candidate in range(today.year - 1, today.year + 3):
        first, after = period(candidate)
        if (first > today) if next_one else (after > today):
            return first, after
    return None


def _black_friday(year: int) -> dt.date:
    """The day after the fourth Thursday of November."""
    first = dt.date(year, 11, 1)
    thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thursday + dt.timedelta(days=1)


def _days(day: dt.date, first: int, after: int) -> tuple[dt.date, dt.date]:
    return day + dt.timedelta(days=first), day + dt.timedelta(days=after)


# Each season or holiday as (first day, day after it ends) in a given year; see the conventions in bot.parse.timing.
_SEASON_PERIODS: dict[str, Callable[[int], tuple[dt.date, dt.date]]] = {
    "spring": lambda y: (dt.date(y, 3, 1), dt.date(y, 6, 1)),
    "summer": lambda y: (dt.date(y, 6, 1), dt.date(y, 9, 1)),
    "summer_holidays": lambda y: (dt.date(y, 8, 1), dt.date(y, 9, 1)),
    "autumn": lambda y: (dt.date(y, 9, 1), dt.date(y, 12, 1)),
    "winter": lambda y: (dt.date(y, 12, 1), dt.date(y + 1, 3, 1)),
    "christmas": lambda y: (dt.date(y, 12, 24), dt.date(y + 1, 1, 7)),
    "new_year": lambda y: (dt.date(y, 1, 1), dt.date(y, 1, 7)),
    "epiphany": lambda y: (dt.date(y, 1, 6), dt.date(y, 1, 7)),
    "easter": lambda y: _days(easter(y), -7, 2),
    "black_friday": lambda y: _days(_black_friday(y), 0, 4),
    "cyber_monday": lambda y: _days(_black_friday(y), 3, 4),
    "thanksgiving": lambda y: _days(_black_friday(y), -1, 0),
    "buen_fin": lambda y: _days(_black_friday(y), -14, -10),  # Mexico: mid-November weekend
    "school": lambda y: (dt.date(y, 9, 1), dt.date(y, 9, 15)),
}
_SEASON_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("summer_holidays", ("summer holiday", "summer vacation", "summer break", "vacaciones", "las vacaciones")),
    ("spring", ("spring", "primavera")),
    ("summer", ("summer", "verano")),
    ("autumn", ("autumn", "fall", "oto")),
    ("winter", ("winter", "invierno")),
    (
        "school",
        (
            "back to school",
            "vuelta al cole",
            "cole",
            "nuevo curso",
            "próximo curso",
            "proximo curso",
            "new school",
            "next school",
        ),
    ),
    ("new_year", ("new", "año nuevo", "ano nuevo", "nuevo año", "nuevo ano")),
    ("epiphany", ("reyes", "epiphany")),
    ("easter", ("easter", "pascua", "semana santa", "holy week")),
    ("black_friday", ("black friday",)),
    ("cyber_monday", ("cyber monday",)),
    ("thanksgiving", ("thanksgiving",)),
    ("buen_fin", ("buen fin",)),
)
