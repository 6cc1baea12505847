"""One-click verdicts: the signed, expiring Accept and Reject links a handoff carries.

Made here when delivery renders the Slack message and the email, read back by the console's
confirmation page (bot/web). itsdangerous signs them (HMAC-SHA256 over a timestamped payload,
the scheme of Flask's sessions); the store spends a link's nonce once it is used.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from bot.domain import VERDICTS
from bot.settings import Settings

_SALT = "leadbot.verdict-link.v1"


class VerdictLinkError(ValueError):
    """A link the console refuses; `reason` is "forged" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VerdictLink:
    lead_id: int
    verdict: str
    nonce: str  # shared by a message's Accept and Reject links: one decision per message


def links_configured(settings: Settings) -> bool:
    return bool(settings.console_url and settings.console_secret)


def verdict_links(lead_id: int, nonce: str, settings: Settings) -> dict[str, str]:
    """{"accept": url, "reject": url}, or {} when the console's URL or secret is not set."""
    if not links_configured(settings):
        return {}
    base = str(settings.console_url).rstrip("/")
    serializer = _serializer(settings)
    return {
        verdict: f"{base}/verdict/{serializer.dumps({'l': lead_id, 'v': verdict, 'n': nonce})}" for verdict in VERDICTS
    }


def read_verdict_link(token: str, settings: Settings) -> VerdictLink:
    """The link's content, if it is ours and younger than LEADBOT_VERDICT_LINK_HOURS."""
    if not settings.console_secret:
        raise VerdictLinkError("forged")
    try:
        data = _serializer(settings).loads(token, max_age=settings.verdict_link_hours * 3600)
    except SignatureExpired as exc:
        raise VerdictLinkError("expired") from exc
    except BadSignature as exc:
        raise VerdictLinkError("forged") from exc
    if not isinstance(data, dict) or data.get("v") not in VERDICTS or not isinstance(data.get("l"), int):
        raise VerdictLinkError("forged")
    return VerdictLink(lead_id=int(data["l"]), verdict=str(data["v"]), nonce=str(data.get("n") or ""))


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        str(settings.console_secret), salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256}
    )
