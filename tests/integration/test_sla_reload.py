"""Marketing edits sla.yml while the assistant runs: the next conversation follows the edit.

No restart and no retraining; an invalid edit leaves the last good SLA in charge.
"""

from __future__ import annotations

from pathlib import Path

from bot.ops.local import Stack
from tests.conftest import Visitor


def _reorder_budget_first(text: str) -> str:
    """Move the budget question above the need question and reword it."""
    head, rest = text.split("questions:\n", 1)
    need_start = rest.index("  - slot: need")
    budget_start = rest.index("  - slot: budget")
    role_start = rest.index("  - slot: role")
    need, budget = rest[need_start:budget_start], rest[budget_start:role_start]
    budget = budget.replace("Roughly what budget do you have", "Let's talk money: what yearly budget do you have")
    return head + "questions:\n" + rest[:need_start] + budget + need + rest[role_start:]


def test_reordered_and_reworded_question_is_used_by_the_next_conversation(stack: Stack, sla_file: Path) -> None:
    sla_file.write_text(_reorder_budget_first(sla_file.read_text()))
    reply = Visitor(stack).say_text("hello")
    assert "Let's talk money" in reply, reply


def test_invalid_edit_keeps_the_last_good_sla(stack: Stack, sla_file: Path) -> None:
    Visitor(stack).say_text("hello")  # the action server has loaded the good SLA
    sla_file.write_text(sla_file.read_text().replace("sales_ready: 70", "sales_ready: 30"))  # below nurture: invalid
    visitor = Visitor(stack)
    assert "What brings you here" in visitor.say_text("hello")
    visitor.say_text("just curious")
    visitor.say_text("not decided yet")
    visitor.say_text("analyst")
    closing = visitor.say_text("in 9 months")
    assert "sales team" not in closing  # 15+10+8+5 = 38 stays disqualified under the good SLA
