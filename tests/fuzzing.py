"""Hostile visitor input for the fuzz test and benchmark, and the check that no action raised.

Rasa answers 200 even when an action raises (the turn just says less), so a fuzz run is judged
by the servers' logs: rasa_sdk logs every action that raised, Rasa every failed action call.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import strategies as st

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
    "actually our budget is 50k, mail me at fuzz@example.org",
    "stop",
    "start over",
    "I want to talk to a person",
]

# JSON has no NaN or Infinity: no client can send them (requests refuses to encode them).
finite = st.floats(allow_nan=False, allow_infinity=False)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), finite, st.text(max_size=200))
json_value = st.recursive(
    json_leaf, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4), max_leaves=12
)
page = st.fixed_dictionaries({"url": st.sampled_from(PAYLOADS) | st.text(), "title": st.sampled_from(PAYLOADS)})
# What the widget says about the visit and the visitor (behaviour criteria), and what it should not.
instant = st.sampled_from(
    ["2026-12-01T10:00:00.000Z", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2026-12-01T10:00:00"]
)
visit = st.dictionaries(st.sampled_from(["started_at", "sent_at", "x"]), instant | json_leaf, max_size=3)
visitor = json_leaf | st.fixed_dictionaries(
    {"id": st.sampled_from(["3f0c9a1e-1111-4222-8333-444455556666", *PAYLOADS]) | json_leaf},
    optional={"visits": json_leaf, "returning": json_leaf},
)
metadata = st.one_of(
    st.just({}),
    st.dictionaries(st.text(max_size=20), json_value, max_size=5),
    st.fixed_dictionaries(
        {
            "page": page,
            "utm": st.dictionaries(st.sampled_from(["utm_source", "utm_campaign", "x"]), st.sampled_from(PAYLOADS)),
            "pages": st.lists(st.fixed_dictionaries({"path": st.text(max_size=50), "seconds": json_leaf}), max_size=3),
            "language": st.sampled_from(["en", "es", "<x>", "", "zz-ZZ"]),
        },
        optional={"visit": visit | json_leaf, "visitor": visitor},
    ),
    json_leaf,
)
message = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=400),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(PAYLOADS), st.text(max_size=100)),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FFF), max_size=2000),
)

# In Rasa's log: a custom action that failed. In an action server's log: anything at ERROR level
# (rasa_sdk's "Exception occurred during execution of request", our logged exceptions) or a traceback.
_RASA_SAYS_ACTION_FAILED = re.compile(r"Encountered an exception while running action|Failed to run custom action")
_ACTIONS_ERROR = re.compile(r"\"level\": \"(?:ERROR|CRITICAL)\"|\bERROR\b|Traceback \(most recent call last\)")


def action_errors(log_dir: Path, offsets: dict[str, int] | None = None) -> list[str]:
    """Lines in the action servers' and Rasa's logs that say an action raised, after `offsets`
    (bytes already read per log file, from `log_offsets`)."""
    found = []
    for path in sorted(log_dir.glob("*.log")):
        pattern = _ACTIONS_ERROR if path.name.startswith("actions") else _RASA_SAYS_ACTION_FAILED
        if not path.name.startswith(("actions", "rasa")):
            continue
        with path.open("rb") as log:
            log.seek((offsets or {}).get(path.name, 0))
            for line in log.read().decode("utf-8", errors="replace").splitlines():
                if pattern.search(line):
                    found.append(f"{path.name}: {line[:160]} … {line[-700:]}")  # the exception is at the end
    return found


def dropped_turns(log_dir: Path, offsets: dict[str, int] | None = None) -> list[str]:
    """Messages Rasa's REST channel failed to process before any action ran (it logs
    `rest.message.received.failure` and answers 200 with no reply): the visitor gets silence."""
    found = []
    for path in sorted(log_dir.glob("rasa*.log")):
        with path.open("rb") as log:
            log.seek((offsets or {}).get(path.name, 0))
            for line in log.read().decode("utf-8", errors="replace").splitlines():
                if "rest.message.received.failure" in line:
                    cause = re.search(r'"exc_value": "((?:[^"\\]|\\.)*)"', line)
                    found.append(cause.group(1) if cause else line[:200])
    return found


def log_offsets(log_dir: Path) -> dict[str, int]:
    """How far each log file has been written: errors before a run are not the run's."""
    return {path.name: path.stat().st_size for path in log_dir.glob("*.log")}
