"""Rasa SDK actions: thin shells that read the tracker, call `bot/`, and return events.

No parsing or scoring happens here; see bot/conversation/dialogue.py, bot/scoring.py and bot/conversation/lead.py.
"""
