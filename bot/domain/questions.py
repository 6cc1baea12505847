"""The visitors' questions the assistant could not answer, grouped and counted for `leadbot report`.

Marketing reads the most frequent ones to decide what to add to `product_answers` in sla.yml.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

_NOT_WORD = re.compile(r"[^\w]+")


def question_key(text: str) -> str:
    """What two phrasings of one question share: case, accents, punctuation and spacing folded
    ("¿Tenéis API?" and "teneis api" are one question)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", plain).split())


def top_questions(per_lead: Iterable[Iterable[str]], limit: int = 10) -> tuple[tuple[str, int], ...]:
    """(the question as most often written, how many leads asked it), most asked first.

    Counted once per lead; ties keep the order the questions were first asked in."""
    leads: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for questions in per_lead:
        seen: set[str] = set()
        for question in questions:
            key = question_key(question)
            if not key:
                continue
            spellings.setdefault(key, Counter())[question.strip()] += 1
            if key not in seen:
                seen.add(key)
                leads[key] += 1
    ranked = sorted(leads, key=lambda key: -leads[key])  # stable: first asked first among equals
    return tuple((spellings[key].most_common(1)[0][0], leads[key]) for key in ranked[:limit])
