"""A real SMTP receiver's handler for aiosmtpd: keeps every message it is sent."""

from __future__ import annotations

import email
from email.message import Message
from typing import Any


class SmtpInbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"
