"""Each Rasa action on its own, with rasa_sdk's Tracker and CollectingDispatcher.

The actions are thin, so these tests check the wiring: the right slots, messages and stored lead.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.flow import ExplainWhy, Finish, OutOfScope, RequestHuman, StartOver, Stop
from actions.form import AskBudget, AskNeed, ValidateQualificationForm
from actions.reading import ReadMessage
from bot.storage import LeadStore

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
SLOTS = {name: None for name in DOMAIN["slots"]} | {"human_requested": False, "requested_slot": None}


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/leads.db"
    monkeypatch.setenv("LEADBOT_DATABASE_URL", url)
    monkeypatch.setenv("LEADBOT_SLA", str(ROOT / "sla.yml"))
    monkeypatch.chdir(ROOT)
    return url


def tracker(
    text: str = "",
    *,
    intent: str = "inform",
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    sender: str = "visitor-1",
) -> Tracker:
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
        "metadata": metadata or {},
    }
    events = [{"event": "user", "text": text, "timestamp": time.time(), "parse_data": message}]
    return Tracker(sender, SLOTS | (slots or {}), message, events, False, None, {}, "action_listen")


def run_async(coroutine: Any) -> Any:
    """Run a coroutine on a fresh loop in a worker thread: another test's loop (Playwright's)
    may still be running in the main thread, where asyncio.run() refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run(action: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = run_async(action.run(dispatcher, tracker, DOMAIN))
    return events, dispatcher


def slot_sets(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_reading_an_opener_fills_every_volunteered_answer(database: str) -> None:
    text = "I'm the CTO, our reps waste hours on bad leads, we have about 30k a year and want it next quarter"
    events, _ = run(ReadMessage(), tracker(text))
    filled = slot_sets(events)
    assert {"need", "budget", "role", "timing"} <= filled.keys()
    lead = LeadStore(database).get("visitor-1")
    assert lead is not None and lead.answers["budget"].value == pytest.approx(30000)


def test_reading_a_correction_confirms_the_new_value() -> None:
    slots = {"budget": "3k a year", "need": "bad leads", "requested_slot": "role"}
    events, dispatcher = run(ReadMessage(), tracker("actually our budget is 50k", slots=slots))
    assert slot_sets(events)["budget"] == "actually our budget is 50k"
    assert dispatcher.messages[0]["text"] == "Got it, I've updated your budget: about €50,000 a year."


def test_confirmations_are_in_the_language_the_same_message_switched_to() -> None:
    slots = {"budget": "3.000 €", "need": "leads malos", "requested_slot": "role", "language": "en"}
    _, dispatcher = run(ReadMessage(), tracker("perdona, en realidad son 5.000 € al mes", slots=slots))
    assert dispatcher.messages[0]["text"].startswith("Entendido, he actualizado el presupuesto")


def test_reading_an_unclear_answer_reasks_with_the_slas_hint_once() -> None:
    events, dispatcher = run(ReadMessage(), tracker("bananas", slots={"requested_slot": "budget"}))
    assert slot_sets(events)["budget"] is None and slot_sets(events)["misses"] == {"budget": 1}
    assert dispatcher.messages[0]["text"].startswith("Let me put it another way.")
    assert "20k a year" in dispatcher.messages[0]["text"]
    second, dispatcher = run(
        ReadMessage(), tracker("purple", slots={"requested_slot": "budget", "misses": {"budget": 1}})
    )
    assert slot_sets(second)["budget"] == "purple"
    assert dispatcher.messages[0]["text"] == "No problem, let's move on."


def test_reading_a_button_payload_uses_the_button_value() -> None:
    entities = [{"entity": "answer", "value": "20000 EUR per year"}]
    events, _ = run(
        ReadMessage(),
        tracker('/inform{"answer": "20000 EUR per year"}', slots={"requested_slot": "budget"}, entities=entities),
    )
    assert slot_sets(events)["budget"] == "20000 EUR per year"


def test_reading_leaves_digressions_to_the_rules() -> None:
    events, _ = run(ReadMessage(), tracker("why do you ask?", intent="why_ask", slots={"requested_slot": "budget"}))
    assert "budget" not in slot_sets(events)


def test_reading_detects_spanish_and_keeps_page_context() -> None:
    metadata = {"utm": {"utm_source": "newsletter"}, "page": {"path": "/pricing.html", "url": "http://x/pricing.html"}}
    events, _ = run(ReadMessage(), tracker("Hola, necesitamos cualificar mejor los leads de la web", metadata=metadata))
    filled = slot_sets(events)
    assert filled["language"] == "es"
    assert filled["page_context"]["utm"] == {"utm_source": "newsletter"}


def test_switching_language_on_request() -> None:
    events, _ = run(ReadMessage(), tracker("English please", intent="switch_language", slots={"language": "es"}))
    assert slot_sets(events)["language"] == "en"


def test_form_asks_sla_questions_in_sla_order_then_contact_only_when_sales_ready() -> None:
    form = ValidateQualificationForm()
    first, _ = run(form, tracker("hi", intent="greet"))
    assert slot_sets(first)["requested_slot"] == "need"
    strong = {"need": "our reps waste hours on bad leads", "budget": "30k a year", "role": "CEO", "timing": "asap"}
    asked = run_async(form.required_slots([], CollectingDispatcher(), tracker("asap", slots=strong), DOMAIN))
    assert asked == ["need", "budget", "role", "timing", "name", "email", "company", "contact_consent"]
    weak = strong | {"need": "just curious", "budget": "no budget", "role": "analyst", "timing": "no plans"}
    events, _ = run(form, tracker("no plans", slots=weak))
    assert slot_sets(events)["requested_slot"] is None


def test_one_form_run_works_out_the_next_question_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # rasa_sdk asked `required_slots` (every answer scored) twice per run: once only to look
    # for `extract_<slot>` methods, which this form has none of.
    form = ValidateQualificationForm()
    assert not [name for name in dir(form) if name.startswith("extract_")]
    calls: list[str] = []
    original = form.required_slots

    async def counted(*args: Any) -> list[str]:
        calls.append("required_slots")
        return await original(*args)

    monkeypatch.setattr(form, "required_slots", counted)
    events, _ = run(
        form, tracker("our reps waste hours on bad leads", slots={"need": "bad leads", "requested_slot": "need"})
    )
    assert slot_sets(events)["requested_slot"] == "budget"
    assert calls == ["required_slots"]


def test_asking_a_question_uses_the_slas_wording_and_buttons() -> None:
    _, dispatcher = run(AskBudget(), tracker(slots={"language": "es"}))
    message = dispatcher.messages[0]
    assert "presupuesto" in message["text"]
    assert next(b["title"] for b in message["buttons"]) == "Menos de 5.000 €/año"
    assert message["buttons"][0]["payload"].startswith('/inform{"answer": ')
    _, dispatcher = run(AskNeed(), tracker())
    assert "problem" in dispatcher.messages[0]["text"] and not dispatcher.messages[0]["buttons"]


def test_why_we_ask_comes_from_the_sla_for_the_pending_question() -> None:
    _, dispatcher = run(ExplainWhy(), tracker("why?", intent="why_ask", slots={"requested_slot": "timing"}))
    assert "onboarding" in dispatcher.messages[0]["text"]


def test_requesting_a_human_flags_the_lead_and_offers_the_open_questions_first(database: str) -> None:
    events, dispatcher = run(RequestHuman(), tracker("a person please", intent="human", slots={"need": "bad leads"}))
    assert slot_sets(events) == {"human_requested": True, "skip_questions": False}
    assert dispatcher.messages[0]["response"] == "utter_human_requested_questions"
    lead = LeadStore(database).get("visitor-1")
    assert lead is not None and lead.human_requested and lead.status == "in_progress"


def test_a_database_hiccup_is_logged_and_the_conversation_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from sqlalchemy.exc import OperationalError

    from actions import runtime

    def down(*_: Any) -> str:
        raise OperationalError("UPDATE leads", {}, Exception("database is locked"))

    monkeypatch.setattr(runtime.store(), "save", down)
    events, _ = run(RequestHuman(), tracker("a person please", intent="human"))
    assert slot_sets(events)["human_requested"] is True
    assert "could not save lead progress for visitor-1" in caplog.text


def test_a_bug_while_saving_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    from actions import runtime

    def broken(*_: Any) -> str:
        raise TypeError("a programming error, not a database hiccup")

    monkeypatch.setattr(runtime.store(), "save", broken)
    with pytest.raises(TypeError, match="programming error"):
        run(RequestHuman(), tracker("a person please", intent="human"))


def test_asking_for_a_person_again_skips_the_questions() -> None:
    slots = {"human_requested": True, "need": "bad leads"}
    events, dispatcher = run(RequestHuman(), tracker("connect me now", intent="human", slots=slots))
    assert slot_sets(events) == {"human_requested": True, "skip_questions": True}
    assert dispatcher.messages[0]["response"] == "utter_human_requested"


def test_stop_deactivates_the_form_and_stores_the_lead_as_stopped(database: str) -> None:
    events, _ = run(Stop(), tracker("stop", intent="stop", slots={"need": "bad leads everywhere"}))
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert LeadStore(database).get("visitor-1").status == "stopped"


def test_start_over_clears_every_answer() -> None:
    events, _ = run(StartOver(), tracker("start over", intent="start_over", slots={"need": "x", "budget": "10k"}))
    cleared = slot_sets(events)
    assert cleared["need"] is None and cleared["budget"] is None and cleared["human_requested"] is False


SALES_READY = {
    "need": "our reps waste hours on bad leads",
    "budget": "30k a year",
    "role": "VP of Sales",
    "timing": "next month",
    "name": "Ana",
    "email": "ana@acme.com",
    "company": "Acme",
}


def test_finish_hands_off_a_sales_ready_lead_with_consent(database: str) -> None:
    events, dispatcher = run(Finish(), tracker("yes", intent="affirm", slots=SALES_READY | {"contact_consent": True}))
    assert slot_sets(events)["tier"] == "sales_ready"
    assert dispatcher.messages[0]["response"] == "utter_close_sales_ready"
    assert "1 business hour" in dispatcher.messages[0]["follow_up"]
    lead = LeadStore(database).get("visitor-1")
    assert lead.handed_off and lead.contact.email == "ana@acme.com"


def test_finish_without_consent_stores_no_contact_and_no_handoff(database: str) -> None:
    _, dispatcher = run(Finish(), tracker("no", intent="deny", slots=SALES_READY | {"contact_consent": False}))
    assert dispatcher.messages[0]["response"] == "utter_close_no_consent"
    lead = LeadStore(database).get("visitor-1")
    assert not lead.handed_off and (lead.contact is None or lead.contact.email is None)


def test_finish_twice_never_hands_off_twice(database: str) -> None:
    run(Finish(), tracker("yes", slots=SALES_READY | {"contact_consent": True}))
    run(Finish(), tracker("yes", slots=SALES_READY | {"contact_consent": True}))
    assert len(LeadStore(database).handoffs()) == 1


def test_finish_nurtures_an_early_lead() -> None:
    slots = {"need": "just curious", "budget": "not decided yet", "role": "marketing manager", "timing": "in 4 months"}
    events, dispatcher = run(Finish(), tracker("in 4 months", slots=slots))
    assert slot_sets(events)["tier"] == "nurture"
    assert dispatcher.messages[0]["response"] == "utter_close_nurture"


def test_consent_buttons_fill_consent_from_the_intent() -> None:
    events, _ = run(ReadMessage(), tracker("/affirm", intent="affirm", slots={"requested_slot": "contact_consent"}))
    assert slot_sets(events)["contact_consent"] is True
    events, _ = run(ReadMessage(), tracker("/deny", intent="deny", slots={"requested_slot": "contact_consent"}))
    assert slot_sets(events)["contact_consent"] is False


def test_the_widgets_hidden_hi_never_switches_a_spanish_page_to_english() -> None:
    """Form activation reads the opener again without its metadata: the page's language holds."""
    first, _ = run(ReadMessage(), tracker("hi", intent="greet", metadata={"language": "es"}))
    assert slot_sets(first)["language"] == "es"
    slots = {"language": "es", "session_started_metadata": {"language": "es"}}
    again, _ = run(ReadMessage(), tracker("hi", intent="greet", slots=slots))
    assert slot_sets(again).get("language", "es") == "es"


def test_a_question_passed_on_is_handled_so_the_form_does_not_say_it_did_not_understand() -> None:
    read = tracker("what llm do you use under the hood?", intent="nlu_fallback", slots={"requested_slot": "need"})
    events, dispatcher = run(ReadMessage(), read)
    assert "pass it on" in dispatcher.messages[0]["text"]
    form = tracker("what llm do you use under the hood?", intent="nlu_fallback", slots={"requested_slot": "need"})
    form.events.extend(events)
    validation = run_async(ValidateQualificationForm().get_validation_events(CollectingDispatcher(), form, DOMAIN))
    assert [e["name"] for e in validation] == ["visitor_questions"]
    plain = tracker("bananas", slots={"requested_slot": "need"})
    assert run_async(ValidateQualificationForm().get_validation_events(CollectingDispatcher(), plain, DOMAIN)) == []


def test_a_long_sentence_in_the_other_language_overrides_a_mixed_first_one() -> None:
    slots = {"language": "en", "visitor_language": "en", "requested_slot": "need"}
    spanish = "pues mira, lo que queremos es saber cuáles de los contactos que nos escriben van a comprar de verdad"
    events, _ = run(ReadMessage(), tracker(spanish, slots=slots))
    assert slot_sets(events)["language"] == "es" and slot_sets(events)["visitor_language"] == "es"
    slots = {"language": "es", "visitor_language": "es", "requested_slot": "role"}
    events, _ = run(ReadMessage(), tracker("Head of Sales at a SaaS company in Madrid", slots=slots))
    assert "language" not in slot_sets(events) and "visitor_language" not in slot_sets(events)


@pytest.mark.parametrize(
    ("text", "pending", "intent"),
    [
        ("Academia Idiomas Málaga", "company", "inform"),  # a company named after languages
        ("can we do this in Spanish?", "company", "switch_language"),  # names a language: a switch
        ("otro idioma por favor", "need", "switch_language"),  # not a contact detail: the NLU decides
    ],
)
def test_a_contact_detail_is_never_a_request_to_switch_language(text: str, pending: str, intent: str) -> None:
    from actions.reading import read_intent

    read = tracker(text, intent="switch_language", slots={"requested_slot": pending})
    assert read_intent(read, ["en", "es"], text) == intent


# A team on duty around the clock, so who is assigned never depends on when the test runs.
ROUTING = """
working_hours: {mon-sun: "00:00-24:00"}
reps:
  - {id: lucia, name: Lucía Fernández, email: lucia@example.com, time_zone: Europe/Madrid,
     booking_url: "https://cal.com/example-lucia/30min"}
  - {id: emma, name: Emma Clarke, email: emma@example.com, time_zone: Europe/London}
  - {id: sam, name: Sam Ortega, email: sam@example.com, time_zone: Europe/Madrid}
pools:
  spanish: {reps: [lucia], booking_url: "https://cal.com/team/example-ventas"}
  inbound: {reps: [emma], booking_url: "https://cal.com/team/example-inbound"}
  newsletter: {reps: [sam]}
rules:
  - {name: Newsletter readers, when: {utm_source: newsletter}, pool: newsletter}
  - {name: Spanish-speaking visitors, when: {language: es}, pool: spanish}
  - {name: Everyone else, when: {}, pool: inbound}
default_owner: sam
"""
DEFAULT_PAGE = "https://cal.com/pipewise/intro-call"


@pytest.fixture
def routed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: str) -> str:
    """The shipped SLA with the routing above beside it (sla.yml names `routing.yml`)."""
    for name in ("sla.yml", "crm.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "routing.yml").write_text(ROUTING, encoding="utf-8")
    monkeypatch.setenv("LEADBOT_SLA", str(tmp_path / "sla.yml"))
    return database


def _closing(sender: str, **slots: Any) -> str:
    _, dispatcher = run(Finish(), tracker("yes", slots=SALES_READY | {"contact_consent": True, **slots}, sender=sender))
    assert dispatcher.messages[0]["response"] == "utter_close_sales_ready"
    return str(dispatcher.messages[0]["follow_up"])


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Book a call with our team"), ("es", "Reserva una llamada con nuestro equipo")],
)
def test_the_sales_ready_closing_holds_the_prefilled_booking_link(routed: str, language: str, words: str) -> None:
    # Newsletter readers go to a pool whose rep has no page of their own: the SLA's page is offered.
    visit = {"utm": {"utm_source": "newsletter", "utm_campaign": "winter"}}  # the widget's, kept by ReadMessage
    follow_up = _closing("chat-77", language=language, page_context=visit)
    link = (
        f"{DEFAULT_PAGE}?name=Ana&email=ana%40acme.com&metadata%5Blead_id%5D=chat-77"
        "&utm_source=newsletter&utm_campaign=winter"
    )
    assert f"[{words}]({link})" in follow_up


@pytest.mark.parametrize(
    ("language", "assignee", "page"),
    [
        ("es", "lucia", "https://cal.com/example-lucia/30min"),  # the rep's own page wins over the pool's
        ("en", "emma", "https://cal.com/team/example-inbound"),  # a rep without one: the pool's page
    ],
)
def test_the_closing_offers_the_booking_page_of_whoever_routing_assigned(
    routed: str, language: str, assignee: str, page: str
) -> None:
    follow_up = _closing(f"chat-{assignee}", language=language)
    lead = LeadStore(routed).get(f"chat-{assignee}")
    assigned = LeadStore(routed).assignment(lead.id)
    assert assigned is not None and assigned.assignee.rep_id == assignee
    assert f"]({page}?name=Ana&email=ana%40acme.com&metadata%5Blead_id%5D=chat-{assignee}" in follow_up
    assert DEFAULT_PAGE not in follow_up


def test_a_nurture_closing_offers_no_booking_link() -> None:
    slots = {"need": "just curious", "budget": "not decided yet", "role": "marketing manager", "timing": "in 4 months"}
    _, dispatcher = run(Finish(), tracker("in 4 months", slots=slots))
    assert "cal.com" not in str(dispatcher.messages[0])


@pytest.mark.parametrize(
    ("text", "refused"),
    [("mi socio aun no sabe muy bien cuanto quiere gastar en esto", False), ("what's the capital of France?", True)],
)
def test_out_of_scope_is_refused_only_when_the_message_answered_nothing(text: str, refused: bool) -> None:
    asked = {"requested_slot": "budget", "need": "our reps lose leads every week"}
    read = tracker(text, intent="out_of_scope", slots=asked)
    events, _ = run(ReadMessage(), read)
    after = Tracker(
        read.sender_id,
        read.slots | slot_sets(events),
        read.latest_message,
        [*read.events, *events],
        False,
        None,
        {},
        "action_validate_slot_mappings",
    )
    _, dispatcher = run(OutOfScope(), after)
    assert [m.get("response") for m in dispatcher.messages] == (["utter_out_of_scope"] if refused else [])


def test_a_remark_about_the_language_is_no_miss_and_switches_only_when_written_in_the_other() -> None:
    spanish = tracker("perdona que te escriba en español, mi inglés no es muy bueno", slots={"requested_slot": "need"})
    events, dispatcher = run(ReadMessage(), spanish)
    assert slot_sets(events)["language"] == "es" and not slot_sets(events).get("misses")
    assert [m["text"] for m in dispatcher.messages] == ["Claro, seguimos en español."]
    aside = tracker(
        "oh and your spanish landing page has a broken link",
        slots={"requested_slot": "role", "language": "en", "visitor_language": "en"},
    )
    events, dispatcher = run(ReadMessage(), aside)
    assert "language" not in slot_sets(events) and not slot_sets(events).get("misses")
    assert dispatcher.messages == []
