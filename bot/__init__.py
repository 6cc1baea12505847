"""leadbot: marketing's lead-qualification SLA as a conversation, scored and handed to sales.

A library of packages, one responsibility each (see docs/architecture.md); only `bot.ops`
imports Rasa.
"""

__version__ = "0.1.0"
