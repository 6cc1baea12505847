"""The chat widget on its own: rendering, keyboard, layout, safety, protocol.

Runs against a fake Rasa socket.io server (fake_rasa.py), so no bot is needed.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from bot.conversation.booking import booking_link, closing_follow_up
from bot.domain import Contact, LeadSnapshot
from bot.scoring import Score, Tier
from bot.sla import load_sla

from . import fake_rasa as fake
from .conftest import RASA_SOCKETIO_ROOM_BUG, ChatWidget
from .fake_rasa import FakeRasa

ROOT = Path(__file__).resolve().parents[2]


def _landing(web_visitor, web_url, server_url, **config) -> ChatWidget:
    visitor = web_visitor(server_url, **config)
    page = visitor.new_page()
    page.goto(f"{web_url}/index.html")
    return ChatWidget(page, visitor)


def test_launcher_renders_bottom_right_and_panel_opens(web_visitor, web_url, fake_rasa, artifacts):
    chat = _landing(web_visitor, web_url, fake_rasa.url)
    chat.launcher.wait_for(state="visible")
    box = chat.launcher.bounding_box()
    assert box["x"] + box["width"] > 1280 - 40 and box["y"] + box["height"] > 800 - 40
    assert chat.panel.is_hidden()

    chat.open()
    chat.wait_for_bot_count(1)  # the initialMessage "hi" got the greeting
    chat.page.screenshot(path=str(artifacts / "widget-desktop.png"))
    assert chat.page.locator(".lb-title").inner_text() == "Pipewise"
    assert chat.input.get_attribute("aria-label") == "Your message"
    assert chat.page.locator(".lb-log").get_attribute("aria-live") == "polite"
    assert chat.visitor.errors == []


def test_keyboard_only_visitor_can_open_type_and_close(web_visitor, web_url, fake_rasa):
    chat = _landing(web_visitor, web_url, fake_rasa.url)
    chat.launcher.wait_for(state="visible")
    for _ in range(40):  # Tab through the page's links until the launcher has focus
        chat.page.keyboard.press("Tab")
        if "lb-launcher" in chat.focused_class():
            break
    assert "lb-launcher" in chat.focused_class()
    assert chat.launcher.get_attribute("aria-expanded") == "false"

    chat.page.keyboard.press("Enter")
    chat.panel.wait_for(state="visible")
    assert "lb-input" in chat.focused_class()
    assert chat.launcher.get_attribute("aria-expanded") == "true"
    chat.page.keyboard.type("typed with the keyboard")
    chat.page.keyboard.press("Enter")
    assert chat.user_texts() == ["typed with the keyboard"]

    chat.page.keyboard.press("Escape")
    chat.panel.wait_for(state="hidden")
    assert "lb-launcher" in chat.focused_class()

    chat.page.keyboard.press("Space")
    chat.panel.wait_for(state="visible")
    assert "lb-input" in chat.focused_class()


def test_panel_is_full_screen_at_375px(web_visitor, web_url, fake_rasa, artifacts):
    chat = _landing(web_visitor, web_url, fake_rasa.url, width=375, height=740)
    chat.open()
    chat.wait_for_bot_count(1)
    chat.send("I'm on my phone")
    chat.wait_for_bot_count(2)
    chat.page.screenshot(path=str(artifacts / "widget-mobile.png"))

    box = chat.panel.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 740)
    send = chat.page.locator(".lb-send").bounding_box()
    assert send["x"] + send["width"] <= 375, "send button is cut off"
    assert chat.page.evaluate("document.documentElement.scrollWidth") <= 375, "page scrolls sideways"


def test_visitor_html_is_shown_as_text_and_never_runs(web_visitor, web_url, fake_rasa):
    chat = _landing(web_visitor, web_url, fake_rasa.url)
    chat.open()
    chat.wait_for_bot_count(1)
    attack = "<img src=x onerror=alert(1)>"
    chat.send(attack)
    chat.wait_for_bot_count(2)  # the fake bot echoes it back: bot text is not HTML either

    assert chat.user_texts() == [attack]
    assert chat.bot_texts()[-1] == f"You said: {attack}"
    assert chat.page.locator(".lb-log img").count() == 0
    chat.page.wait_for_timeout(300)
    assert chat.visitor.dialogs == []
    assert chat.visitor.errors == []


def test_urls_in_bot_text_become_safe_links(web_visitor, web_url, fake_rasa):
    chat = _landing(web_visitor, web_url, fake_rasa.url)
    chat.open()
    chat.send("link please")
    chat.wait_for_bot_count(2)
    links = chat.page.locator(".lb-msg--bot a")
    assert links.count() == 2
    assert links.nth(0).get_attribute("href") == "https://example.com/docs"  # sentence dot not included
    assert links.nth(1).inner_text() == "our pricing"
    assert links.nth(1).get_attribute("href") == "https://example.com/pricing"
    assert links.nth(0).get_attribute("rel") == "noopener noreferrer"
    assert chat.bot_texts()[-1] == "Read https://example.com/docs. Or see our pricing!"


def test_clicking_a_button_sends_its_payload_and_shows_its_title(web_visitor, web_url, fake_rasa):
    chat = _landing(web_visitor, web_url, fake_rasa.url)
    chat.open()
    chat.send("buttons please")
    chat.wait_for_bot_count(2)
    assert chat.quick_replies.all_inner_texts() == ["Under €5k / year", "Over €10k / year"]

    chat.page.get_by_role("button", name="Over €10k / year").click()
    chat.quick_replies.first.wait_for(state="detached")
    chat.wait_for_bot_count(3)
    assert chat.user_texts()[-1] == "Over €10k / year"
    assert fake_rasa.messages()[-1] == "20000 EUR per year"


def test_quick_replies_disappear_when_the_visitor_types(web_visitor, web_url, fake_rasa):
    chat = _landing(web_visitor, web_url, fake_rasa.url)
    chat.open()
    chat.send("buttons please")
    chat.wait_for_bot_count(2)
    assert chat.quick_replies.count() == 2
    chat.send("about 30k a year")
    assert chat.quick_replies.count() == 0
    chat.page.reload()
    chat.panel.wait_for(state="visible")  # stays open across the reload
    chat.wait_for_bot_count(2)
    assert chat.quick_replies.count() == 0, "used quick replies came back after reload"


def test_typing_indicator_shows_until_the_bot_answers(web_visitor, web_url, fake_rasa):
    fake_rasa.reply_delay = 1.5
    chat = _landing(web_visitor, web_url, fake_rasa.url)
    chat.open()
    chat.wait_for_bot_count(1)
    chat.send("hello?")
    chat.typing.wait_for(state="visible")
    assert "typing…" in chat.typing.inner_text()
    chat.wait_for_bot_count(2)
    assert chat.typing.is_hidden()


def test_unread_badge_counts_replies_that_arrive_while_closed(web_visitor, web_url, fake_rasa):
    fake_rasa.reply_delay = 1.0
    chat = _landing(web_visitor, web_url, fake_rasa.url)
    chat.open()
    chat.wait_for_bot_count(1)
    chat.send("are you there?")
    chat.page.keyboard.press("Escape")
    chat.wait_for_bot_count(2)
    assert chat.badge.inner_text() == "1"
    assert "1 unread message" in chat.launcher.get_attribute("aria-label")
    chat.open()
    assert chat.badge.is_hidden()


def test_initial_message_only_starts_a_brand_new_session(web_visitor, web_url, fake_rasa):
    chat = _landing(web_visitor, web_url, fake_rasa.url)
    assert fake_rasa.session_requests == [], "a page view alone must not open a conversation"
    chat.open()
    chat.wait_for_bot_count(1)
    session_id = chat.page.evaluate("Leadbot.sessionId")
    assert fake_rasa.messages() == ["hi"]
    assert fake_rasa.received[0].session_id == session_id

    chat.page.reload()
    chat.wait_until_connected()
    chat.page.goto(f"{web_url}/pricing.html")
    chat.wait_until_connected()
    assert fake_rasa.messages() == ["hi"]
    assert [r["session_id"] for r in fake_rasa.session_requests] == [None, session_id, session_id]


def test_history_and_pending_buttons_survive_reload_and_other_pages(web_visitor, web_url, fake_rasa):
    chat = _landing(web_visitor, web_url, fake_rasa.url)
    chat.open()
    chat.send("buttons please")
    chat.wait_for_bot_count(2)
    before = (chat.user_texts(), chat.bot_texts())
    session_id = chat.page.evaluate("Leadbot.sessionId")

    chat.page.goto(f"{web_url}/pricing.html")
    chat.panel.wait_for(state="visible")
    assert (chat.user_texts(), chat.bot_texts()) == before
    assert chat.quick_replies.all_inner_texts() == ["Under €5k / year", "Over €10k / year"]
    assert chat.page.evaluate("Leadbot.sessionId") == session_id

    chat.quick_replies.first.click()
    chat.wait_for_bot_count(3)
    assert fake_rasa.received[-1].session_id == session_id
    assert fake_rasa.received[-1].metadata["page"]["path"] == "/pricing.html"


def test_messages_typed_while_the_server_restarts_are_delivered(web_visitor, web_url, fake_rasa):
    chat = _landing(web_visitor, web_url, fake_rasa.url)
    chat.open()
    chat.wait_for_bot_count(1)
    session_id = chat.page.evaluate("Leadbot.sessionId")

    fake_rasa.stop()
    status = chat.page.locator(".lb-status")
    status.wait_for(state="visible")
    assert re.search("Reconnecting", status.inner_text())
    chat.send("typed while you were down")
    chat.send("and another one")
    chat.page.reload()  # even a reload while offline loses nothing: the outbox is stored
    chat.panel.wait_for(state="visible")

    restarted = FakeRasa(port=fake_rasa.port)
    restarted.start()
    try:
        chat.wait_for_bot_count(3, timeout=20_000)
        assert restarted.messages() == ["typed while you were down", "and another one"]
        assert {r.session_id for r in restarted.received} == {session_id}
        assert restarted.session_requests[0] == {"session_id": session_id}
        assert status.is_hidden()
        assert chat.user_texts() == ["typed while you were down", "and another one"]
    finally:
        restarted.stop()


def test_widget_strings_follow_the_configured_language(web_visitor, web_url, fake_rasa):
    chat = _landing(web_visitor, web_url, fake_rasa.url, language="es")
    chat.open()
    assert chat.input.get_attribute("placeholder") == "Escribe tu mensaje…"
    assert chat.page.locator(".lb-send").inner_text() == "Enviar"
    assert chat.page.locator(".lb-close").get_attribute("aria-label") == "Cerrar chat"
    assert chat.metadata()["language"] == "es"


def test_widget_embedded_on_another_origin_completes_an_exchange(web_visitor, web_url, fake_rasa, other_origin):
    # No <meta charset> on purpose: many real host pages lack one.
    url = other_origin(
        "shop.html",
        f"""<!doctype html><html lang="es"><head><title>Otra web</title>
        <style>button {{ background: hotpink !important; }}</style></head><body>
        <script>window.io = "the host page's own io";</script>
        <script>window.LeadbotConfig = {{serverUrl: "{fake_rasa.url}", title: "Pipewise"}};</script>
        <script src="{web_url}/widget/leadbot.js" defer></script></body></html>""",
    )
    ctx = web_visitor()
    page = ctx.new_page()
    page.goto(url)
    chat = ChatWidget(page)
    chat.open()
    chat.send("hola desde otra web")
    chat.wait_for_bot_count(1)
    assert chat.bot_texts() == ["You said: hola desde otra web"]
    assert fake_rasa.received[0].metadata["language"] == "es"  # from <html lang>, none configured
    assert chat.input.get_attribute("placeholder") == "Escribe tu mensaje…"
    assert page.evaluate("window.io") == "the host page's own io"
    # The host's CSS stops at the shadow root.
    bg = page.locator(".lb-launcher").evaluate("el => getComputedStyle(el).backgroundColor")
    assert bg == "rgb(79, 70, 229)"
    assert ctx.errors == []


@RASA_SOCKETIO_ROOM_BUG
def test_widget_talks_to_the_installed_rasa_socketio_channel(web_visitor, web_url, rasa_channel_echo):
    ctx = web_visitor(rasa_channel_echo, initialMessage=None)
    page = ctx.new_page()
    page.goto(f"{web_url}/index.html")
    chat = ChatWidget(page)
    chat.open()
    chat.send("hello Rasa")
    chat.wait_for_bot_count(1)
    assert chat.bot_texts() == ["echo (en): hello Rasa"]
    chat.quick_replies.first.click()
    chat.wait_for_bot_count(2)
    assert chat.bot_texts()[-1] == "echo (en): again"
    assert chat.user_texts() == ["hello Rasa", "Again"]


def test_the_closing_booking_link_is_one_safe_link_whatever_the_visitor_typed(
    web_visitor, web_url, fake_rasa, monkeypatch
):
    # The closing as action_finish builds it from the shipped sla.yml, for a visitor whose name
    # tries to break out of the link and into HTML.
    sla = load_sla(ROOT / "sla.yml")
    lead = LeadSnapshot(
        conversation_id="chat-e2e",
        started_at=datetime.now(timezone.utc),
        language="es",
        answers={},
        score=Score(total=90, tier=Tier.SALES_READY, breakdown=()),
        contact=Contact('Ann") <img src=x onerror=alert(1)> [x](javascript:alert(2))', "ann@example.com", None),
    )
    closing = "¡Gracias! " + closing_follow_up(sla, lead, "utter_close_sales_ready", "es")
    monkeypatch.setitem(fake.SCRIPT, "book please", {"text": closing})

    chat = _landing(web_visitor, web_url, fake_rasa.url)
    chat.open()
    chat.send("book please")
    chat.wait_for_bot_count(2)
    links = chat.page.locator(".lb-msg--bot a")
    assert links.count() == 1
    assert links.nth(0).inner_text() == "Reserva una llamada con nuestro equipo"
    assert links.nth(0).get_attribute("href") == booking_link(lead, sla.booking)
    assert links.nth(0).get_attribute("rel") == "noopener noreferrer"
    assert chat.page.locator(".lb-log img").count() == 0
    assert chat.visitor.dialogs == [] and chat.visitor.errors == []
