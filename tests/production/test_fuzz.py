"""Hostile input through nginx and the REST channel: random and adversarial messages and metadata
never produce a 5xx or kill a server, and visitor text never reaches a summary unescaped.

LEADBOT_FUZZ_EXAMPLES sets how many messages hypothesis sends (default 150, about a minute).
"""

from __future__ import annotations

import os
import re
import unicodedata
from itertools import cycle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.delivery.summary import render_summary
from bot.ops.production import ProductionStack
from bot.storage import LeadStore
from tests.production.conftest import Visitor, rasa_alive

pytestmark = [pytest.mark.production, pytest.mark.timeout(420)]

EXAMPLES = int(os.environ.get("LEADBOT_FUZZ_EXAMPLES", "150"))
PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<iframe src=javascript:alert(1)>",
    "\x1b[31mred\x1b[0m \u202eevil\u202c",
    "'; DROP TABLE leads; --",
    "{{7*7}} ${jndi:ldap://x} %s%s%n",
    "*bold* _it_ `code` <!here> <@U123> [x](javascript:alert(1))",
    "\ud7ff\ufffd\u0000",
    "our sales reps waste hours on bad leads <svg onload=alert(1)>",
    "20k a year <b>bold</b>",
]
DANGEROUS = re.compile(r"<\s*(script|img|iframe|svg|b)\b", re.IGNORECASE)

# JSON has no NaN or Infinity: no client can send them (requests refuses to encode them).
finite = st.floats(allow_nan=False, allow_infinity=False)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), finite, st.text(max_size=200))
json_value = st.recursive(
    json_leaf, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4), max_leaves=12
)
page = st.fixed_dictionaries({"url": st.sampled_from(PAYLOADS) | st.text(), "title": st.sampled_from(PAYLOADS)})
metadata = st.one_of(
    st.just({}),
    st.dictionaries(st.text(max_size=20), json_value, max_size=5),
    st.fixed_dictionaries(
        {
            "page": page,
            "utm": st.dictionaries(st.sampled_from(["utm_source", "utm_campaign", "x"]), st.sampled_from(PAYLOADS)),
            "pages": st.lists(st.fixed_dictionaries({"path": st.text(max_size=50), "seconds": json_leaf}), max_size=3),
            "language": st.sampled_from(["en", "es", "<x>", "", "zz-ZZ"]),
        }
    ),
    json_leaf,
)
message = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=400),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(PAYLOADS), st.text(max_size=100)),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FFF), max_size=2000),
)


def _unsafe_controls(text: str) -> list[str]:
    return [c for c in text if c not in "\n\t" and (unicodedata.category(c) in {"Cc", "Cf"})]


def test_hostile_messages_and_metadata_never_cause_5xx_or_unescaped_summaries(
    healthy: ProductionStack, leads: LeadStore
) -> None:
    pool = [Visitor(healthy) for _ in range(max(10, EXAMPLES // 5))]
    for visitor in pool:
        visitor.say("hi")
    rotation = cycle(pool)
    statuses: dict[int, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=message, meta=metadata)
    def one_message(text: str, meta: object) -> None:
        visitor = next(rotation)
        visitor.metadata = meta  # type: ignore[assignment]
        response = visitor.post(text, timeout=60)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (text[:80], response.status_code)

    one_message()
    rasa_alive(healthy)
    print(f"\nfuzz: {EXAMPLES} messages, HTTP statuses {statuses}")

    checked = 0
    for visitor in pool:
        lead = leads.get(visitor.sender)
        if lead is None:
            continue
        checked += 1
        assert not _unsafe_controls(lead.summary or ""), (visitor.sender, lead.summary)
        html = render_summary(lead, language="en", fmt="html")
        assert not DANGEROUS.search(html), (visitor.sender, DANGEROUS.search(html))
        assert not _unsafe_controls(html)
    assert checked >= len(pool) // 2, f"only {checked} leads to check"
