"""The domain: the lead records and statuses, pure (no I/O, no SQLAlchemy, no Rasa).

Everything else in `bot/` may import it; it imports only types from the reading and the scorer.
"""

from bot.domain.records import (
    CORE_CRITERIA,
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

__all__ = [
    "CORE_CRITERIA",
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
    "utcnow",
]
