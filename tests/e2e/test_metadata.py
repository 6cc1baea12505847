"""The page context the widget sends as `metadata` with every user message.

The actions store it with the lead, so its shape is a contract (see web/README.md).
"""

from __future__ import annotations

import re
from datetime import datetime

from .conftest import ChatWidget

UTM_NONE = {k: None for k in ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")}


def test_utm_tags_and_referrer_come_from_the_landing_page(web_visitor, web_url, fake_rasa):
    ctx = web_visitor(fake_rasa.url)
    page = ctx.new_page()
    page.goto(f"{web_url}/index.html?utm_source=newsletter&utm_campaign=q4", referer="https://news.example.org/issue-7")
    chat = ChatWidget(page)
    chat.launcher.wait_for()
    page.wait_for_timeout(300)  # some time on the home page
    page.get_by_role("link", name="Pricing", exact=True).click()
    page.wait_for_url("**/pricing.html")
    chat.launcher.wait_for()

    meta = chat.metadata()
    assert meta["utm"] == {**UTM_NONE, "utm_source": "newsletter", "utm_campaign": "q4"}
    assert meta["page"] == {
        "url": f"{web_url}/pricing.html",
        "path": "/pricing.html",
        "title": "Pricing – Pipewise",
        "referrer": "https://news.example.org/issue-7",
    }
    assert [p["path"] for p in meta["pages"]] == ["/index.html", "/pricing.html"]
    assert meta["pages"][0]["title"] == "Pipewise – qualify every lead in minutes"
    assert meta["pages"][0]["seconds"] >= 0.3
    assert meta["language"] == "en"
    assert meta["widget"] == "leadbot-web/1"


def test_pages_list_grows_and_a_reload_is_not_a_new_page(web_visitor, web_url, fake_rasa):
    ctx = web_visitor(fake_rasa.url)
    page = ctx.new_page()
    chat = ChatWidget(page)
    page.goto(f"{web_url}/")
    chat.launcher.wait_for()
    page.goto(f"{web_url}/pricing.html")
    chat.launcher.wait_for()
    page.reload()
    chat.launcher.wait_for()
    page.goto(f"{web_url}/index.html")
    chat.launcher.wait_for()
    meta = chat.metadata()
    assert [p["path"] for p in meta["pages"]] == ["/", "/pricing.html", "/index.html"]
    assert meta["utm"] == UTM_NONE
    assert meta["page"]["referrer"] is None
    seconds = [p["seconds"] for p in meta["pages"]]
    assert all(isinstance(s, (int, float)) and s >= 0 for s in seconds)


def test_every_message_carries_the_metadata(web_visitor, web_url, fake_rasa):
    ctx = web_visitor(fake_rasa.url)
    page = ctx.new_page()
    page.goto(f"{web_url}/index.html?utm_source=ads&utm_medium=cpc")
    chat = ChatWidget(page)
    chat.open()
    chat.wait_for_bot_count(1)
    page.goto(f"{web_url}/pricing.html")
    chat.panel.wait_for(state="visible")
    chat.send("how much is Growth?")
    chat.wait_for_bot_count(2)

    assert fake_rasa.messages() == ["hi", "how much is Growth?"]
    first, second = (r.metadata for r in fake_rasa.received)
    for meta in (first, second):
        assert set(meta) == {"language", "page", "utm", "pages", "visit", "visitor", "widget"}
        assert meta["utm"]["utm_source"] == "ads" and meta["utm"]["utm_medium"] == "cpc"
    assert first["page"]["path"] == "/index.html"
    assert second["page"]["path"] == "/pricing.html"
    assert [p["path"] for p in second["pages"]] == ["/index.html", "/pricing.html"]


def test_a_new_visit_starts_after_30_minutes_of_inactivity(web_visitor, web_url, fake_rasa):
    ctx = web_visitor(fake_rasa.url)
    page = ctx.new_page()
    chat = ChatWidget(page)
    page.goto(f"{web_url}/index.html?utm_source=newsletter")
    chat.launcher.wait_for()
    page.evaluate(
        """() => {
          const v = JSON.parse(localStorage.getItem('leadbot:visit'));
          v.lastSeen -= 31 * 60 * 1000;
          localStorage.setItem('leadbot:visit', JSON.stringify(v));
        }"""
    )
    page.goto(f"{web_url}/pricing.html?utm_source=ads")
    chat.launcher.wait_for()
    meta = chat.metadata()
    assert meta["utm"]["utm_source"] == "ads"
    assert [p["path"] for p in meta["pages"]] == ["/pricing.html"]


UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
END_VISIT = """() => {
  const v = JSON.parse(localStorage.getItem('leadbot:visit'));
  v.lastSeen -= 31 * 60 * 1000;
  localStorage.setItem('leadbot:visit', JSON.stringify(v));
}"""


def test_a_visitor_id_is_kept_across_visits_and_counts_them(web_visitor, web_url, fake_rasa):
    page = web_visitor(fake_rasa.url).new_page()
    chat = ChatWidget(page)
    page.goto(f"{web_url}/index.html")
    chat.launcher.wait_for()
    first = chat.metadata()
    assert UUID.match(first["visitor"]["id"]), first["visitor"]
    assert first["visitor"]["visits"] == 1 and first["visitor"]["returning"] is False
    started = datetime.fromisoformat(first["visit"]["started_at"].replace("Z", "+00:00"))
    assert started <= datetime.fromisoformat(first["visit"]["sent_at"].replace("Z", "+00:00"))

    page.goto(f"{web_url}/pricing.html")  # same visit: same start, same count
    chat.launcher.wait_for()
    same = chat.metadata()
    assert same["visitor"] == first["visitor"] and same["visit"]["started_at"] == first["visit"]["started_at"]

    page.evaluate(END_VISIT)
    page.evaluate("() => window.Leadbot.reset()")  # forgetting the conversation keeps the visitor
    page.goto(f"{web_url}/index.html")
    chat.launcher.wait_for()
    second = chat.metadata()
    assert second["visitor"] == {"id": first["visitor"]["id"], "visits": 2, "returning": True}
    assert second["visit"]["started_at"] > first["visit"]["started_at"]
    assert [p["path"] for p in second["pages"]] == ["/index.html"]


def test_another_browser_is_another_visitor(web_visitor, web_url, fake_rasa):
    ids = []
    for _ in range(2):
        page = web_visitor(fake_rasa.url).new_page()
        page.goto(f"{web_url}/index.html")
        ChatWidget(page).launcher.wait_for()
        ids.append(ChatWidget(page).metadata()["visitor"]["id"])
    assert ids[0] != ids[1]


def test_do_not_track_and_global_privacy_control_keep_no_visitor_id(web_visitor, web_url, fake_rasa):
    for switch in (
        "Object.defineProperty(navigator, 'doNotTrack', {get: () => '1'})",
        "Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})",
    ):
        ctx = web_visitor(fake_rasa.url)
        page = ctx.new_page()
        page.goto(f"{web_url}/index.html")
        ChatWidget(page).launcher.wait_for()
        assert page.evaluate("() => localStorage.getItem('leadbot:visitor')")  # kept while allowed
        ctx.context.add_init_script(switch)
        page.goto(f"{web_url}/pricing.html")
        chat = ChatWidget(page)
        chat.launcher.wait_for()
        meta = chat.metadata()
        assert meta["visitor"] is None, switch
        assert page.evaluate("() => localStorage.getItem('leadbot:visitor')") is None  # the earlier id is gone
        assert meta["visit"]["started_at"]  # the visit itself is still described


def test_a_consent_banner_decides_about_the_visitor_id(web_visitor, web_url, fake_rasa):
    page = web_visitor(fake_rasa.url, rememberVisitor=False).new_page()
    chat = ChatWidget(page)
    page.goto(f"{web_url}/index.html")
    chat.launcher.wait_for()
    assert chat.metadata()["visitor"] is None
    assert page.evaluate("() => localStorage.getItem('leadbot:visitor')") is None

    page.evaluate("() => window.Leadbot.rememberVisitor(true)")  # the visitor accepted
    granted = chat.metadata()["visitor"]
    assert UUID.match(granted["id"]) and granted["visits"] == 1

    page.evaluate("() => window.Leadbot.rememberVisitor(false)")  # ...and changed their mind
    assert chat.metadata()["visitor"] is None
    assert page.evaluate("() => localStorage.getItem('leadbot:visitor')") is None


def test_without_storage_there_is_no_visitor_id_rather_than_a_new_one_per_page(web_visitor, web_url, fake_rasa):
    ctx = web_visitor(fake_rasa.url)
    ctx.context.add_init_script("Storage.prototype.setItem = () => { throw new DOMException('blocked'); };")
    page = ctx.new_page()
    page.goto(f"{web_url}/index.html")
    chat = ChatWidget(page)
    chat.launcher.wait_for()
    meta = chat.metadata()
    assert meta["visitor"] is None  # "returning" is then unknown, not "no"
    assert meta["visit"]["started_at"] and [p["path"] for p in meta["pages"]] == ["/index.html"]
    assert ctx.errors == []
