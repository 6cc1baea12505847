"""leadbot: marketing's lead-qualification SLA as a conversation, scored and handed to sales.

A plain library (no Rasa imports): SLA model, parsers, scorer, store, handoff, CLI.
"""

__version__ = "0.1.0"
