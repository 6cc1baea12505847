"""read_turn on messy visitor messages: corrections, amendments, questions, clarifications.

Phrasings are our own (the held-out sets in eval/ are never copied into tests).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.conversation.confirm import understood_as
from bot.conversation.dialogue import CLARIFY, apply_clarifications, closing, is_question, read_turn
from bot.conversation.intents import says_stop
from bot.conversation.language import greeting_language
from bot.conversation.reading import parse_answers, read_one, read_with_sla
from bot.parse.base import Answer, Criterion, Kind
from bot.scoring import Tier
from bot.sla import load_sla

SLA = load_sla(Path(__file__).resolve().parents[2] / "sla.yml")
TODAY = date(2026, 12, 1)


def _turn(text: str, requested: str | None, **slots: object):  # type: ignore[no-untyped-def]
    return read_turn(text, intent="inform", requested=requested, slots=slots, misses={}, sla=SLA, today=TODAY)


def _budget(raw: str) -> Answer:
    return parse_answers({"budget": raw}, SLA, TODAY)["budget"]


@pytest.mark.parametrize(
    ("earlier", "later", "annual"),
    [
        ("€800", "oh and that's per month", 9600),
        ("3.000 €", "perdona, es al mes", 36000),
        ("5,000", "in pounds, not euros", 5850),
        ("20 mil", "son dólares, no euros", 18400),
        ("1500", "quarterly, sorry", 6000),
    ],
)
def test_a_period_or_currency_said_later_amends_the_stored_budget(earlier: str, later: str, annual: float) -> None:
    reading = _turn(later, "role", need="bad leads", budget=earlier)
    assert reading.corrected == ["budget"]
    stored = reading.fills["budget"]
    assert stored.splitlines() == [earlier, later]  # the visitor's own words, in order
    assert _budget(stored).value == pytest.approx(annual)


def test_a_correction_while_asked_for_a_name_is_applied_and_not_stored_as_the_name() -> None:
    reading = _turn(
        "actually I'm the head of marketing now, not a manager",
        "name",
        need="bad leads",
        budget="20k",
        role="marketing manager",
        timing="asap",
    )
    assert "role" in reading.corrected
    assert "name" not in reading.fills
    role = parse_answers({"role": reading.fills["role"]}, SLA, TODAY)["role"]
    assert role.value == "decision_maker"


@pytest.mark.parametrize(
    "text",
    ["how much is it per month?", "¿cuánto cuesta?", "do you connect to pipedrive?", "is there a free plan"],
)
def test_a_question_to_us_is_passed_on_not_counted_as_a_miss(text: str) -> None:
    assert is_question(text)
    reading = _turn(text, "budget", need="our SDRs waste time on junk leads")
    assert reading.question == text
    assert not reading.misses and reading.hint_for is None and "budget" not in reading.fills


def test_an_amount_inside_a_question_still_answers_the_budget() -> None:
    reading = _turn("we have about 12k a year, is that enough?", "budget", need="bad leads")
    assert _budget(reading.fills["budget"]).value == 12000


@pytest.mark.parametrize("text", ["Hello.", "hola!", "ok thanks", "vale"])
def test_greetings_and_acknowledgements_are_neither_answers_nor_misses(text: str) -> None:
    reading = _turn(text, "need")
    assert not reading.fills and not reading.misses


def test_a_request_for_a_person_never_changes_the_need() -> None:
    reading = read_turn(
        "can I talk to a real person please",
        intent="human",
        requested="budget",
        slots={"need": "leads go cold before anyone calls"},
        misses={},
        sla=SLA,
        today=TODAY,
    )
    assert "need" not in reading.fills


def test_an_unsure_budget_is_confirmed_with_buttons_and_the_choice_sticks() -> None:
    first = _turn("20", "budget", need="bad leads")  # a bare 20: thousands? the visitor is asked
    assert first.clarify == "budget" and first.fills["budget"] is None
    pending = first.fills["clarifying"]
    second = _turn(f"{CLARIFY}yes", "budget", need="bad leads", clarifying=pending)
    assert second.fills["budget"] == "20" and second.fills["clarifying"] is None
    slots = {"budget": "20", "clarified": second.fills["clarified"]}
    answers = apply_clarifications(parse_answers({"budget": "20"}, SLA, TODAY), slots)
    assert answers["budget"].value == 20000 and answers["budget"].confidence == 1.0


def test_no_to_a_clarifying_question_asks_again_with_the_hint() -> None:
    pending = {"slot": "budget", "raw": "20"}
    reading = _turn(f"{CLARIFY}no", "budget", need="bad leads", clarifying=pending)
    assert reading.fills["budget"] is None and reading.hint_for == "budget"


def test_a_clarified_need_holds_until_the_visitor_answers_again() -> None:
    answers = parse_answers({"need": "hmm we have some things going on with the funnel"}, SLA, TODAY)
    clarified = {"need": {"raw": "hmm we have some things going on with the funnel", "choice": "pain"}}
    slots = {"need": "hmm we have some things going on with the funnel", "clarified": clarified}
    assert apply_clarifications(answers, slots)["need"].value == "pain"
    assert apply_clarifications(answers, {**slots, "need": "something else"})["need"] is answers["need"]


@pytest.mark.parametrize(
    ("text", "language", "said"),
    [
        ("€1,200 a month", "en", "€1,200 a month, about €14,400 a year"),
        ("1.200 € al mes", "es", "1.200 € al mes, unos 14.400 € al año"),
        ("30k a year", "en", "about €30,000 a year"),
        ("no budget", "es", "sin presupuesto para esto"),
    ],
)
def test_budget_confirmations_are_plain_words_in_the_visitors_language(text: str, language: str, said: str) -> None:
    answer = read_with_sla(text, SLA, TODAY, Criterion.BUDGET)[Criterion.BUDGET]
    assert understood_as(answer, language).replace("\u00a0", " ") == said  # Babel keeps € with its number


@pytest.mark.parametrize(
    ("months", "said"), [(0.5, "as soon as possible"), (1.0, "within about a month"), (5.0, "in about 5 months")]
)
def test_timing_confirmations_never_say_1_months(months: float, said: str) -> None:
    assert understood_as(Answer(Criterion.TIMING, "", Kind.VALUE, months), "en") == said


def test_role_confirmations_never_name_a_category() -> None:
    answer = Answer(Criterion.ROLE, "", Kind.VALUE, "individual")
    assert "individual" not in understood_as(answer, "en")


@pytest.mark.parametrize(
    ("text", "language"), [("Hola!", "es"), ("buenas tardes", "es"), ("hi there", "en"), ("hola, we lose leads", None)]
)
def test_short_greetings_tell_the_language(text: str, language: str | None) -> None:
    assert greeting_language(text) == language


def test_one_closing_decision_for_tier_consent_and_handoff() -> None:
    assert closing(Tier.SALES_READY, human=False, consent=True).handoff
    assert closing(Tier.SALES_READY, human=False, consent=False).response == "utter_close_no_consent"
    assert not closing(Tier.NURTURE, human=False, consent=True).handoff
    assert closing(Tier.DISQUALIFIED, human=True, consent=True).response == "utter_close_human"


@pytest.mark.parametrize(
    ("text", "requested", "slots", "changed"),
    [
        # An amended budget: the same words are not also a need ("not looking to buy").
        (
            "Sorry, I meant pounds, we're UK based.",
            "timing",
            {"need": "junk enquiries", "budget": "about 3,000 a quarter"},
            {"budget"},
        ),
        (
            "al mes eh, perdona, 400 al mes",
            "role",
            {"need": "queria curiosear", "budget": "como mucho 400 euros"},
            {"budget"},
        ),
        # A corrected role: "todavía no me acostumbro" is not a timing of "no plans".
        (
            "bueno, en realidad soy el director comercial, me ascendieron hace nada y todavia no me acostumbro",
            "timing",
            {"need": "los comerciales no hacen caso", "budget": "entre 5 y 10 mil", "role": "jefe de equipo comercial"},
            {"role"},
        ),
        # A "depends on the price" answer that says "honestly" corrects nothing.
        (
            "Depends on the price honestly, we've got about £60k of ad spend but tools come out of a separate pot",
            "budget",
            {"need": "webinar signups wait a week for a call and sales says they're all tyre-kickers"},
            {"budget"},
        ),
    ],
)
def test_a_correction_changes_only_the_field_it_states(
    text: str, requested: str, slots: dict[str, str], changed: set[str]
) -> None:
    reading = _turn(text, requested, **slots)
    assert {slot for slot in reading.fills if slot in ("need", "budget", "role", "timing")} == changed


def test_a_correction_about_nothing_but_the_need_changes_the_need() -> None:
    reading = _turn(
        "bueno, en realidad sí, los AEs se quejan de que les entran demos de estudiantes que nunca van a comprar",
        "budget",
        need="estamos explorando opciones, de momento no tenemos un problema gordo",
    )
    assert reading.answers["need"].value == "pain" and reading.corrected == ["need"]


@pytest.mark.parametrize("answer", ["in about a year from now, probably", "a month or so", "within a year"])
def test_a_time_frame_answering_timing_never_amends_the_budgets_period(answer: str) -> None:
    reading = _turn(answer, "timing", need="bad leads", budget="we could do 300 a week", role="CMO")
    assert "budget" not in reading.fills and reading.fills["timing"] == answer


@pytest.mark.parametrize(
    ("later", "annual"),
    [
        ("bueno, pongamos unos 7.000 al año como mucho", 7000),
        ("corrijo: 10 mil era lo del año pasado, este año tenemos 18 mil", 18000),
    ],
)
def test_a_budget_correction_without_currency_while_another_question_is_pending(later: str, annual: float) -> None:
    reading = _turn(later, "role", need="bad leads", budget="no lo tenemos claro")
    assert reading.corrected == ["budget"] and _budget(reading.fills["budget"]).value == pytest.approx(annual)
    assert "role" not in reading.fills


@pytest.mark.parametrize(
    "opener", ["Hola, solo quería informarme", "my manager asked me to look at a few tools", "a ver qué tal esto"]
)
def test_a_vague_first_need_answer_is_clarified_not_scored_as_interest(opener: str) -> None:
    reading = _turn(opener, "need")
    assert reading.clarify == "need" and reading.fills["need"] is None
    assert reading.fills["clarifying"] == {"slot": "need", "raw": opener}


@pytest.mark.parametrize(
    "answer",
    [
        "just exploring options for our lead routing",
        "curiosidad, queremos ver cómo puntuáis los leads",
        "just curious, having a look",
    ],
)
def test_interest_that_names_the_topic_is_taken_as_said(answer: str) -> None:
    reading = _turn(answer, "need")
    assert reading.clarify is None and reading.answers["need"].value == "interest"


@pytest.mark.parametrize("greeting", ["hola, ¿qué tal vas? jeje", "hey, how's it going today? haha"])
def test_small_talk_while_asked_the_need_never_knocks_the_lead_out(greeting: str) -> None:
    reading = _turn(greeting, "need")
    need = reading.answers.get("need")
    assert need is None or need.value != "none"


def test_an_opener_with_role_and_budget_leaves_the_need_question_open() -> None:
    reading = _turn("hi, VP of sales here, we have around 30k a year set aside for this", "need")
    assert {"role", "budget"} <= set(reading.fills) and "need" not in reading.fills


def test_a_clear_pain_beside_other_facts_is_still_taken() -> None:
    reading = _turn("CMO here; our SDRs waste whole days on junk leads from the demo form", "need")
    assert reading.answers["need"].value == "pain" and "role" in reading.fills


def test_a_question_opened_with_a_conjunction_is_passed_on_not_scored() -> None:
    reading = _turn("y cuánto vale? no encuentro la página de precios", "budget", need="leads fríos")
    assert reading.question and "budget" not in reading.fills


def test_a_promotion_said_while_timing_is_asked_corrects_the_role_and_invents_no_timing() -> None:
    reading = _turn(
        "technically I'm team lead as of this week, got promoted", "timing", need="x", budget="y", role="SDR"
    )
    assert reading.corrected == ["role"] and "timing" not in reading.fills


def test_who_approves_the_budget_is_not_the_visitors_role() -> None:
    reading = _turn("ni idea, eso lo aprueba mi jefa", "budget", need="leads fríos")
    assert "role" not in reading.fills and reading.answers["budget"].kind is Kind.UNDECIDED


def test_who_signs_said_after_the_role_was_answered_amends_the_role() -> None:
    text = "btw my vp of sales is the one who'd sign it"
    reading = _turn(text, "timing", need="bad leads", budget="20k", role="Head of RevOps")
    assert reading.corrected == ["role"] and reading.fills["role"].splitlines() == ["Head of RevOps", text]
    assert reading.answers["role"].value == "influencer" and "timing" not in reading.fills
    kept = _turn(text, "timing", need="bad leads", budget="20k", role="account executive")
    assert "role" not in kept.fills  # an individual contributor stays one


@pytest.mark.parametrize("text", ["hola, tengo un par de preguntas", "hey, quick question first"])
def test_announcing_a_question_is_not_a_failed_answer(text: str) -> None:
    reading = _turn(text, "need")
    assert reading.announced_question and not reading.fills and not reading.misses


def test_a_question_inside_a_longer_message_is_passed_on() -> None:
    text = "First things first, where do you host the data? Our clients are in Germany."
    reading = _turn(text, "need")
    assert reading.question == text and "need" not in reading.fills


def test_a_student_saying_so_answers_the_need_and_the_role_at_once() -> None:
    reading = _turn("soy estudiante de marketing", "need")
    assert reading.answers["need"].value == "none" and reading.answers["role"].value == "no_authority"
    assert reading.clarify is None


def test_an_email_address_given_for_the_email_never_changes_the_role() -> None:
    reading = _turn("sam@quickbuild.dev", "email", need="bad leads", budget="20k", role="founder", timing="asap")
    assert reading.corrected == [] and "role" not in reading.fills
    assert reading.fills.get("email") == "sam@quickbuild.dev"


def test_a_budget_freeze_said_while_the_role_is_asked_updates_the_budget() -> None:
    reading = _turn("oh and finance says the budget is frozen, zero until next year", "role", need="x", budget="tbd")
    assert reading.corrected == ["budget"] and reading.answers["budget"].kind is Kind.NONE
    assert not reading.misses


def test_a_price_question_after_an_interjection_is_passed_on() -> None:
    reading = _turn("oye y vosotros cuánto cobráis? porque depende", "budget", need="leads fríos")
    assert reading.question and "budget" not in reading.fills


def test_someone_elses_title_named_after_a_verb_of_saying_is_not_the_visitors_role() -> None:
    reading = _turn("espera, que me dice el CEO que mejor 8 mil al año", "role", need="x", budget="5k")
    assert "role" not in reading.fills and reading.corrected == ["budget"]


def test_cant_say_is_an_answer_and_a_bare_word_with_a_question_mark_is_a_question() -> None:
    assert not is_question("can't tell you until finance signs off")
    assert is_question("pricing? roughly")
    reading = _turn("can't tell you until finance signs off", "budget", need="bad leads")
    assert reading.answers["budget"].kind is Kind.UNDECIDED


def test_a_request_to_pause_changes_no_answer() -> None:
    reading = _turn("hang on, can we carry on with this later?", "role", need="x", budget="20k", timing="asap")
    assert "timing" not in reading.fills and not reading.corrected


@pytest.mark.parametrize(
    ("text", "pending"),
    [
        ("oh and that's excluding VAT", "role"),
        ("IVA no incluido, ojo", "role"),
        ("those are US dollars by the way", "timing"),
        ("if needed we could stretch it a little", "role"),
        ("por cierto, el presupuesto lo apruebo yo", "timing"),
    ],
)
def test_an_aside_about_an_earlier_answer_is_not_a_failed_answer(text: str, pending: str) -> None:
    reading = _turn(text, pending, need="bad leads", budget="1.500 al mes", role="director comercial")
    assert pending not in reading.misses and reading.hint_for is None  # never "sorry, I didn't get that"
    assert reading.fills.get(pending) is None  # the pending question is asked again


def test_gibberish_is_still_a_miss_after_the_budget_was_given() -> None:
    reading = _turn("asdf qwerty", "role", need="bad leads", budget="1.500 al mes")
    assert reading.misses == {"role": 1} and reading.hint_for == "role"


def test_a_visitor_announcing_a_question_is_not_knocked_out() -> None:
    reading = _turn("hola, una duda sobre el lead routing", "need")  # the classifier alone says "none"
    assert reading.fills.get("need") is None and reading.announced_question


@pytest.mark.parametrize(
    ("text", "requested", "label"),
    [
        ("budget?? honestly we have none, it's a two-person shop", "budget", "none"),
        ("andará por los 25.000 al año, ¿con eso llega para el plan grande?", "budget", 25000),
        ("we're a content agency and would love to write for your blog 🙂 who should I email?", "need", "none"),
        ("nuestros comerciales no dan abasto con los leads del formulario. ¿lo resolvéis?", "need", "pain"),
    ],
)
def test_an_answer_beside_a_question_is_read_and_the_question_passed_on(
    text: str, requested: str, label: object
) -> None:
    reading = _turn(text, requested, need="our reps waste time on bad leads" if requested != "need" else None)
    answer = reading.answers.get(requested)
    assert answer is not None and reading.fills.get(requested)
    if isinstance(label, int):
        assert answer.amount == label
    else:
        assert answer.value == label or (label == "none" and answer.kind is Kind.NONE)
    # an echo of our own question ("budget??") is not a question for sales
    assert reading.question == (None if text.startswith("budget??") else text)


@pytest.mark.parametrize(
    "text",
    [
        "whats it cost more or less? ballpark is fine",
        "am i chatting with an actual human lol",
        "me vais a decir el precio o qué",
        "not sure yet, what does the tool do exactly?",
    ],
)
def test_a_question_without_a_plain_question_mark_is_not_a_failed_answer(text: str) -> None:
    reading = _turn(text, "budget", need="our reps waste time on bad leads")
    assert reading.question == text and not reading.misses and "budget" not in reading.fills


def test_the_model_alone_does_not_knock_out_a_pain_marketing_wrote_down() -> None:
    # "leads basura" is a pain phrase of the SLA; "trabajo de 8 a 3" makes the model think of a job.
    reading = _turn("trabajo de 8 a 3 y la mitad del tiempo se me va con leads basura", "need")
    assert reading.answers.get("need") is None or reading.answers["need"].value != "none"
    assert reading.clarify == "need" or reading.fills.get("need")


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("nada concreto, quería ver qué ofrecéis", "interest"),  # what we offer, not a vendor's offer
        ("no tengo un problema como tal, solo ver lo que ofrecen", "interest"),
        ("os escribo porque envié mi cv la semana pasada", "none"),
        ("did you get my resume? I applied last month", "none"),
        ("los leads que llegan son basura", "pain"),
        ("half our inbound leads are junk", "pain"),
    ],
)
def test_the_shipped_sla_reads_these_needs(text: str, need: str) -> None:
    answer = read_one(text, Criterion.NEED, SLA, TODAY)
    assert answer is not None and answer.value == need, answer


@pytest.mark.parametrize(
    ("earlier", "pending", "text", "field", "label"),
    [
        # the old answer named, then the new one: the new one counts, and its words are kept
        (
            {"timing": "lo antes posible"},
            "name",
            "pensándolo bien lo antes posible era mucho decir, ponle 7 meses",
            "timing",
            7.0,
        ),
        ({"budget": "20.000"}, "role", "espera, eso era el año pasado; para este tenemos 12.000", "budget", 12000.0),
        ({"budget": "unos 40 mil"}, "role", "no no, 14 mil, catorce, se me fue el dedo", "budget", 14000.0),
        (
            {"timing": "next month"},
            "name",
            "scratch that, more like a year out, we have a migration first",
            "timing",
            12.0,
        ),
        (
            {"timing": "el mes que viene"},
            "name",
            "rectifico: mejor a un año vista, antes hay otra migración",
            "timing",
            12.0,
        ),
    ],
)
def test_a_correction_stores_the_new_answer(
    earlier: dict[str, str], pending: str, text: str, field: str, label: float
) -> None:
    reading = _turn(text, pending, need="our reps waste time on bad leads", **earlier)
    assert field in reading.corrected and "name" not in reading.fills
    stored = read_one(str(reading.fills[field]), Criterion(field), SLA, TODAY)
    assert stored is not None and stored.value == label


def test_a_long_currency_aside_still_amends_the_budget() -> None:
    reading = _turn(
        "ah, y son libras y no euros, que somos la filial de Manchester", "role", budget="unos 10 mil euros"
    )
    stored = read_one(str(reading.fills["budget"]), Criterion.BUDGET, SLA, TODAY)
    assert stored is not None and stored.currency == "GBP"


@pytest.mark.parametrize(
    ("text", "requested", "not_filled"),
    [
        ("tardamos dos semanas en devolver la llamada a un lead. DOS SEMANAS", "need", "timing"),
        ("it takes us 3 weeks to call a demo request back", "need", "timing"),
        ("directora financiera, gestiono un presupuesto de 5 millones", "role", "budget"),
        ("COO - I oversee a 2M budget overall", "role", "budget"),
    ],
)
def test_a_duration_or_a_job_budget_is_not_volunteered(text: str, requested: str, not_filled: str) -> None:
    assert not_filled not in _turn(text, requested).fills


@pytest.mark.parametrize(
    ("text", "requested"),
    [
        ("cuanto antes, la verdad, esto es para ayer", "timing"),
        ("como mucho 20.000 al año", "budget"),
        ("como máximo unos 15k", "budget"),
    ],
)
def test_an_answer_that_opens_like_a_question_is_not_passed_on_as_one(text: str, requested: str) -> None:
    reading = _turn(text, requested, need="our reps waste time on bad leads")
    assert reading.fills.get(requested) and reading.question is None


@pytest.mark.parametrize(
    "text",
    ["creo que para el buen fin quieren tenerlo", "para cuando terminemos el trimestre", "cuando termine la migración"],
)
def test_a_timing_answer_with_an_ending_word_is_not_a_stop(text: str) -> None:
    assert not says_stop(text)


@pytest.mark.parametrize(
    "text",
    ["me podría incorporar en dos semanas", "available to start immediately", "mi TFG hay que entregarlo en junio"],
)
def test_a_job_seekers_or_students_date_is_no_purchase_date(text: str) -> None:
    answer = read_one(text, Criterion.TIMING, SLA, TODAY)
    assert answer is not None and answer.kind is Kind.NONE


@pytest.mark.parametrize(
    ("text", "criterion", "value"),
    [
        ("no aplica", Criterion.BUDGET, None),
        ("no aplica", Criterion.TIMING, None),
        ("lol none", Criterion.TIMING, None),
        ("no concrete plans yet", Criterion.TIMING, None),
        ("no hay nada pensado", Criterion.TIMING, None),
        ("no es una compra, iría a comisión", Criterion.BUDGET, None),
        ("undergrad, second year", Criterion.ROLE, "no_authority"),
        ("just me, I'm the whole company", Criterion.ROLE, "decision_maker"),
    ],
)
def test_short_real_answers_are_read(text: str, criterion: Criterion, value: str | None) -> None:
    answer = read_one(text, criterion, SLA, TODAY)
    assert answer is not None and answer.understood and answer.value == value


@pytest.mark.parametrize(
    ("text", "asked"),
    [("mi socio aun no sabe muy bien cuanto quiere gastar en esto", "budget"), ("later this year probably", "timing")],
)
def test_an_answer_the_nlu_took_for_out_of_scope_still_answers(text: str, asked: str) -> None:
    reading = read_turn(text, intent="out_of_scope", requested=asked, slots={}, misses={}, sla=SLA, today=TODAY)
    assert reading.fills.get(asked) == text


@pytest.mark.parametrize("text", ["what's the capital of France?", "can you fix my printer", "how do i cook pasta"])
def test_an_off_topic_request_answers_no_question(text: str) -> None:
    for asked in ("budget", "timing"):
        reading = read_turn(text, intent="out_of_scope", requested=asked, slots={}, misses={}, sla=SLA, today=TODAY)
        assert asked not in reading.fills or reading.fills[asked] is None


@pytest.mark.parametrize(
    "text",
    [
        "we pay 20k a booth at every expo and the leads just sit in a spreadsheet",
        "pagamos 3.000 € por feria y luego nadie llama a los contactos",
        "our agency bills 4k per campaign and the leads are junk",
    ],
)
def test_money_spent_per_something_else_is_not_the_budget(text: str) -> None:
    assert "budget" not in _turn(text, "need").fills


@pytest.mark.parametrize(
    "text",
    ["leads go cold, we could spend 500 a month on fixing it", "leads go cold; we would pay €40 per user for 10 reps"],
)
def test_a_price_per_period_or_seat_volunteered_is_still_the_budget(text: str) -> None:
    assert _turn(text, "need").fills.get("budget") == text


@pytest.mark.parametrize(
    "opener", ["hi, I'd like to see a demo of the product", "hola, estoy mirando herramientas de leads"]
)
def test_interest_in_an_opener_leaves_the_need_question_to_ask(opener: str) -> None:
    assert "need" not in _turn(opener, None).fills
    # asked, the same words are the answer
    assert _turn(opener, "need").fills.get("need") == opener
