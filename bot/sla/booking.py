"""Meeting booking: which scheduling tool a sales-ready visitor is offered, and the words.

`booking:` in sla.yml (docs/booking.md). The link itself is built per visitor by
`bot.conversation.booking.booking_link`; the webhook secrets are ops' (`.env`). Checked by
`leadbot check` (bot/sla/check_booking.py).
"""

from __future__ import annotations

from pydantic import BaseModel, Extra, Field

PROVIDERS = ("calcom", "calendly", "hubspot")
# Where each provider carries our lead id when the booking link does not say otherwise: Cal.com
# puts `metadata[...]` in the webhook's payload.metadata; Calendly prefills custom question
# answers `a1`..`a10` and sends them back in questions_and_answers; HubSpot meetings prefill a
# form field by its contact property's internal name.
LEAD_ID_FIELDS = {"calcom": "metadata[lead_id]", "calendly": "a1", "hubspot": "leadbot_lead_id"}
# The closings a booking link may be offered in (bot.conversation.dialogue.closing).
OFFERED_IN = {"sales_ready": "utter_close_sales_ready", "human": "utter_close_human"}


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


def _default_utm() -> dict[str, str]:
    return {"utm_source": "leadbot", "utm_medium": "chat", "utm_campaign": "booking"}


class BookingConfig(_Strict):
    enabled: bool = True
    provider: str  # calcom | calendly | hubspot
    url: str  # the default booking page; a rep's or pool's own page overrides it
    offer: dict[str, str]  # language -> sentence holding {link}, appended to the closing
    offer_in: list[str] = Field(default_factory=lambda: ["sales_ready", "human"])
    # Sent when the visit brought no UTM tags of its own (the visitor's own tags win).
    utm: dict[str, str] = Field(default_factory=_default_utm)
    lead_id_field: str | None = None  # default per provider: LEAD_ID_FIELDS

    @property
    def lead_id_param(self) -> str:
        return self.lead_id_field or LEAD_ID_FIELDS.get(self.provider, "lead_id")

    def offered_in(self, response: str) -> bool:
        """Whether the closing `response` (a domain response name) offers the booking link."""
        return self.enabled and any(OFFERED_IN.get(name) == response for name in self.offer_in)
