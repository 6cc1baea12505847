"""`leadbot export --format csv`: the export objects flattened, one column set per SLA criterion."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from bot.domain import Unit, unit_of
from bot.insights.health_csv import spreadsheet_safe

# The CSV columns around the answers; the answer columns (`need_raw`, `need_value`, `need_points`…,
# and `budget_currency` for a money criterion) come from the SLA's criteria, in its order.
CSV_LEAD_COLUMNS = ("conversation_id", "started_at", "language")
CSV_OUTCOME_COLUMNS = (
    "score",
    "tier",
    "knocked_out_by",
    "qualified",
    "handed_off",
    "contact_name",
    "contact_email",
    "contact_company",
    "summary",
    "lead_id",
    "status",
    "human_requested",
    "handoff_status",
    "assignee_id",
    "assignee_name",
    "assignee_pool",
    "booking_status",
    "booking_starts_at",
)
# The nested objects flattened into `<object>_<key>` columns (the rest of them stays in the JSON).
_FLATTENED = {
    "contact": ("name", "email", "company"),
    "assignee": ("id", "name", "pool"),
    "booking": ("status", "starts_at"),
}


def csv_columns(criteria: Sequence[str]) -> list[str]:
    """The CSV header for these criteria: three columns each, then the currency of money criteria,
    then each criterion's explanation (the rule that scored it, as sales reads it)."""
    answer_columns = [f"{c}_{f}" for c in criteria for f in ("raw", "value", "points")]
    currency_columns = [f"{c}_currency" for c in criteria if unit_of(c) is Unit.MONEY]
    explanation_columns = [f"{c}_explanation" for c in criteria]
    return [*CSV_LEAD_COLUMNS, *answer_columns, *currency_columns, *explanation_columns, *CSV_OUTCOME_COLUMNS]


def to_csv(objects: Sequence[dict[str, Any]], criteria: Sequence[str] | None = None) -> str:
    """Flatten export objects to CSV columns (`need_raw`, `budget_value`, `contact_email`…).

    One set of answer columns per criterion of the SLA (``criteria``); by default, every
    criterion the objects hold, in the order they first appear."""
    if criteria is None:
        criteria = list(dict.fromkeys(name for obj in objects for name in obj["answers"]))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_columns(criteria), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for obj in objects:
        row: dict[str, Any] = {k: v for k, v in obj.items() if not isinstance(v, (dict, list))}
        for name, answer in obj["answers"].items():
            for key in ("raw", "value", "points", "currency", "explanation"):
                if key in answer:
                    row[f"{name}_{key}"] = answer[key]
        for name, keys in _FLATTENED.items():
            nested = obj.get(name) or {}
            row.update((f"{name}_{key}", nested.get(key)) for key in keys)
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    return spreadsheet_safe(value)
