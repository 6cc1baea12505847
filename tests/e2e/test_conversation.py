"""Whole-stack conversations in a real browser: site → widget → Rasa → actions → leads DB.

Uses the session-scoped `stack` fixture of tests/conftest.py (needs a trained model).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from .conftest import RASA_SOCKETIO_ROOM_BUG, ChatWidget

pytestmark = [pytest.mark.e2e, RASA_SOCKETIO_ROOM_BUG]

# What a sales-ready visitor answers, keyed by a phrase of the bot's question
# (sla.yml / domain.yml wording). "click:" answers press the button with that title.
ANSWERS: list[tuple[str, str]] = [
    ("what brings you here", "Our sales team wastes hours every week on unqualified leads from the website"),
    ("what budget", "click:Over €10k / year"),
    ("your role", "I'm the Head of Sales"),
    ("when would you like", "next month"),
    ("what's your name", "Ana García"),
    # Before "email": the consent question mentions "that email" too.
    ("may our sales team contact you", "click:Yes, please"),
    ("email", "ana.garcia@example.com"),
    ("which company", "Acme Logistics"),
]
CORRECTION = "actually our budget is 50k"


def _answer_for(question: str) -> str | None:
    q = question.lower()
    return next((answer for phrase, answer in ANSWERS if phrase in q), None)


def _reply(chat: ChatWidget, answer: str) -> list[str]:
    before = chat.bot_bubbles.count()
    if answer.startswith("click:"):
        chat.page.get_by_role("button", name=answer.removeprefix("click:"), exact=True).click()
    else:
        chat.send(answer)
    return chat.wait_for_reply(before)


def _land_on_site(web_visitor: Callable[..., Any], stack: Any) -> tuple[Any, ChatWidget]:
    """Newsletter click on the home page, a look at pricing, then the chat."""
    ctx = web_visitor(stack.rasa_url)
    page = ctx.new_page()
    page.goto(f"{stack.web_url}/index.html?utm_source=newsletter&utm_campaign=q4")
    page.get_by_role("link", name="Pricing", exact=True).click()
    page.wait_for_url("**/pricing.html")
    chat = ChatWidget(page)
    chat.open()
    chat.wait_for_reply(0, timeout=90_000)  # initialMessage "hi": greeting + first question
    return page, chat


def _export_leads(stack: Any) -> list[dict[str, Any]]:
    """`leadbot export --format json` (the contract in shared/DESIGN.md) on the test database."""
    env = dict(os.environ, LEADBOT_DATABASE_URL=stack.database_url)
    out = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout)


def _user_metadata(stack: Any, session_id: str) -> list[dict[str, Any]]:
    tracker = requests.get(
        f"{stack.rasa_url}/conversations/{session_id}/tracker", params=stack.rasa_auth, timeout=30
    ).json()
    return [e.get("metadata") or {} for e in tracker["events"] if e["event"] == "user"]


def test_visitor_from_newsletter_is_qualified_and_handed_to_sales(web_visitor, stack):
    page, chat = _land_on_site(web_visitor, stack)
    session_id = page.evaluate("Leadbot.sessionId")

    corrected = False
    answered: list[str] = []
    for _ in range(20):
        question = chat.bot_texts()[-1]
        if "sales" in question.lower() and _answer_for(question) is None:
            break  # the closing message
        if not corrected and "when would you like" in question.lower():
            # Change an earlier answer in the middle of the form.
            replies = _reply(chat, CORRECTION)
            assert any("budget" in r.lower() for r in replies), replies
            corrected = True
            continue
        answer = _answer_for(question)
        assert answer is not None, f"no scripted answer for the bot's message {question!r}"
        answered.append(answer)
        _reply(chat, answer)
    else:
        pytest.fail(f"conversation did not end; last messages: {chat.bot_texts()[-3:]}")

    final = chat.bot_texts()[-1]
    assert "sales" in final.lower(), final
    assert corrected, "the budget correction was never made"
    assert "Over €10k / year" in chat.user_texts(), "the budget button's title is shown as the visitor's message"
    assert chat.quick_replies.count() == 0

    # Every user message carried the page context (Rasa stores it on the event).
    metas = _user_metadata(stack, session_id)
    assert metas and all(m.get("widget") == "leadbot-web/1" for m in metas)
    assert all(m["utm"]["utm_source"] == "newsletter" and m["utm"]["utm_campaign"] == "q4" for m in metas)
    assert [p["path"] for p in metas[-1]["pages"]][:2] == ["/index.html", "/pricing.html"]

    lead = next(lead for lead in _export_leads(stack) if lead["conversation_id"] == session_id)
    assert lead["tier"] == "sales_ready"
    assert lead["handed_off"] is True
    assert lead["answers"]["budget"]["value"] == 50_000  # the correction won over the button
    assert lead["answers"]["role"]["value"] == "decision_maker"
    assert lead["contact"]["email"] == "ana.garcia@example.com"
    assert lead["page_context"]["utm"] == {"utm_source": "newsletter", "utm_campaign": "q4"}
    assert [p["path"] for p in lead["page_context"]["pages"]][:2] == ["/index.html", "/pricing.html"]
    assert "pricing" in lead["summary"].lower()  # sales sees how the visitor arrived
    page.screenshot(path=str(Path(__file__).parent / "artifacts" / "conversation-desktop.png"))


def test_reload_mid_conversation_keeps_history_and_form_state(web_visitor, stack):
    page, chat = _land_on_site(web_visitor, stack)
    session_id = page.evaluate("Leadbot.sessionId")
    _reply(chat, _answer_for("what brings you here"))
    assert "what budget" in chat.bot_texts()[-1].lower()
    buttons_before = chat.quick_replies.all_inner_texts()
    assert "Over €10k / year" in buttons_before
    history_before = (chat.user_texts(), chat.bot_texts())

    page.reload()
    chat.panel.wait_for(state="visible")
    chat.wait_until_connected()
    assert page.evaluate("Leadbot.sessionId") == session_id
    assert (chat.user_texts(), chat.bot_texts()) == history_before
    assert chat.quick_replies.all_inner_texts() == buttons_before

    # The server kept its side too: the next question follows the budget, not the need.
    replies = _reply(chat, "click:Over €10k / year")
    assert "your role" in replies[-1].lower(), replies
    tracker = requests.get(
        f"{stack.rasa_url}/conversations/{session_id}/tracker", params=stack.rasa_auth, timeout=30
    ).json()
    assert tracker["slots"]["need"]
    assert tracker["slots"]["budget"]
    assert tracker["slots"]["requested_slot"] == "role"


def test_widget_on_another_origin_talks_to_the_bot(web_visitor, stack, other_origin):
    config = json.dumps({"serverUrl": stack.rasa_url, "title": "Pipewise", "initialMessage": "hi"})
    url = other_origin(
        "partner.html",
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner site</title></head>
        <body><h1>A partner's page</h1>
        <script>window.LeadbotConfig = {config};</script>
        <script src="{stack.web_url}/widget/leadbot.js" defer></script></body></html>""",
    )
    ctx = web_visitor()
    page = ctx.new_page()
    page.goto(url)
    chat = ChatWidget(page)
    chat.open()
    chat.wait_for_reply(0, timeout=90_000)
    assert "what brings you here" in chat.bot_texts()[-1].lower()
    replies = _reply(chat, "We lose deals because sales follows up on leads too late")
    assert "what budget" in replies[-1].lower(), replies
    assert ctx.errors == []
