"""The domain: the lead records and statuses, pure (no I/O, no SQLAlchemy, no Rasa).

Everything else in `bot/` may import it; it imports only types from the reading and the scorer.
"""

from bot.domain.records import (
    HANDOFF_STATUSES,
    LEAD_STATUSES,
    VERDICTS,
    AnswerRecord,
    Contact,
    CriterionRecord,
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
from bot.domain.units import Unit, unit_of

__all__ = [
    "HANDOFF_STATUSES",
    "LEAD_STATUSES",
    "VERDICTS",
    "AnswerRecord",
    "Contact",
    "CriterionRecord",
    "DeliveryAttempt",
    "Feedback",
    "ForgetResult",
    "Handoff",
    "Lead",
    "LeadRecord",
    "LeadSnapshot",
    "QueuedHandoff",
    "Report",
    "Turn",
    "Unit",
    "unit_of",
    "utcnow",
]
