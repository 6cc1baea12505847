"""The domain: the lead records and statuses, pure (no I/O, no SQLAlchemy, no Rasa).

Everything else in `bot/` may import it; it imports only types from the reading and the scorer.
"""

from bot.domain.questions import question_key, top_questions
from bot.domain.records import (
    HANDOFF_STATUSES,
    VERDICTS,
    AnswerRecord,
    Contact,
    CriterionRecord,
    CriterionTally,
    DeliveryAttempt,
    Feedback,
    ForgetResult,
    Handoff,
    Lead,
    LeadRecord,
    LeadSnapshot,
    QueuedHandoff,
    Report,
    Turn,
    utcnow,
)
from bot.domain.status import FINISHED, IN_PROGRESS, LEAD_STATUSES, STOPPED, Move, move_for, next_status, rank
from bot.domain.units import Unit, built_in, unit_of

__all__ = [
    "FINISHED",
    "HANDOFF_STATUSES",
    "IN_PROGRESS",
    "LEAD_STATUSES",
    "STOPPED",
    "VERDICTS",
    "AnswerRecord",
    "Contact",
    "CriterionRecord",
    "CriterionTally",
    "DeliveryAttempt",
    "Feedback",
    "ForgetResult",
    "Handoff",
    "Lead",
    "LeadRecord",
    "LeadSnapshot",
    "Move",
    "QueuedHandoff",
    "Report",
    "Turn",
    "Unit",
    "built_in",
    "move_for",
    "next_status",
    "question_key",
    "rank",
    "top_questions",
    "unit_of",
    "utcnow",
]
