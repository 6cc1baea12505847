"""Stop and switch-language intents stand only when the visitor's words say so."""

from __future__ import annotations

import pytest

from bot.conversation.intents import guarded_ranking, keeps

RANKING = [
    {"name": "stop", "confidence": 0.86},
    {"name": "inform", "confidence": 0.08},
    {"name": "switch_language", "confidence": 0.04},
]


@pytest.mark.parametrize(
    "text", ["stop", "para", "para ya", "no quiero seguir", "déjalo", "basta, no más preguntas", "i'm done", "bye"]
)
def test_a_stop_in_words_stands(text: str) -> None:
    assert keeps("stop", text)


@pytest.mark.parametrize(
    "text", ["para el Q3 nos gustaría", "para finales de año", "we need it before the conference", "para marzo"]
)
def test_an_answer_that_the_model_reads_as_stop_is_not_a_stop(text: str) -> None:
    assert not keeps("stop", text)
    assert [i["name"] for i in guarded_ranking(text, RANKING)] == ["inform"]


@pytest.mark.parametrize("text", ["in English please", "¿hablas español?", "can we change the language?"])
def test_a_language_request_in_words_stands(text: str) -> None:
    assert keeps("switch_language", text)


@pytest.mark.parametrize(
    "text",
    [
        "your spanish pricing page has a typo btw",
        "sorry my english is not great, we run 3 clinics in Valencia",
        "we sell to english speaking markets mostly, uk and ireland",
        "tenemos clientes en inglaterra y nuestra web inglesa va lenta",
    ],
)
def test_a_language_named_in_passing_is_not_a_switch(text: str) -> None:
    assert not keeps("switch_language", text)


def test_an_aside_about_the_chat_is_not_a_language_switch() -> None:
    assert not keeps("switch_language", "is this chat your product? very meta lol")
    assert keeps("inform", "anything at all")


def test_the_rasa_component_replaces_the_top_intent_and_keeps_buttons() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from bot.ops.intent_guard import IntentGuard

    answer = Message(data={"text": "para el Q2", "intent": RANKING[0], "intent_ranking": list(RANKING)})
    button = Message(data={"text": "/stop", "intent": RANKING[0], "intent_ranking": list(RANKING)})
    IntentGuard().process([answer, button])
    assert answer.get("intent") == {"name": "inform", "confidence": 0.08}
    assert button.get("intent")["name"] == "stop"


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("start_over", "a booking widget for my restaurant"),
        ("human", "im after a chat app so diners can book tables, is that this?"),
    ],
)
def test_off_topic_words_never_restart_or_skip_the_questions(intent: str, text: str) -> None:
    assert not keeps(intent, text)


@pytest.mark.parametrize(
    ("intent", "text"),
    [("start_over", "can we start over?"), ("start_over", "empecemos de nuevo"), ("human", "pásame con ventas")],
)
def test_restart_and_human_requests_in_words_stand(intent: str, text: str) -> None:
    assert keeps(intent, text)


def test_every_training_example_of_a_guarded_intent_passes_the_guard() -> None:
    """The guard must never undo what the NLU was taught on purpose."""
    from pathlib import Path

    import yaml

    from bot.conversation.intents import GUARDED

    root = Path(__file__).resolve().parents[2]
    missed = []
    for name in ("nlu.yml", "nlu_es.yml"):
        for item in yaml.safe_load((root / "data" / name).read_text(encoding="utf-8"))["nlu"]:
            if item.get("intent") in GUARDED:
                examples = [line.strip()[2:] for line in item["examples"].splitlines() if line.strip()]
                missed += [f"{item['intent']}: {e}" for e in examples if not keeps(item["intent"], e)]
    assert not missed


@pytest.mark.parametrize(
    "text",
    ["we run a lead gen agency and would love to discuss a partnership", "vendemos software de nóminas a pymes"],
)
def test_a_statement_about_the_visitors_own_business_is_not_a_product_question(text: str) -> None:
    assert not keeps("ask_product", text)


@pytest.mark.parametrize(
    "text", ["do you integrate with pipedrive", "se integra con zoho", "we use hubspot, does it connect?"]
)
def test_product_questions_stand(text: str) -> None:
    assert keeps("ask_product", text)


def test_a_bot_challenge_names_a_bot_or_a_person() -> None:
    assert keeps("bot_challenge", "wait, am I chatting with a real human?")
    assert keeps("bot_challenge", "¿esto lo contesta una máquina?")
    assert not keeps("bot_challenge", "is there a referral scheme? I write a sales newsletter")


def test_an_upper_bound_on_the_budget_is_not_a_stop() -> None:
    assert not keeps("stop", "no more than 3k a year")
    assert keeps("stop", "no more questions please")


@pytest.mark.parametrize("text", ["how much would that be?", "y cuánto cuesta más o menos?", "what's the pricing?"])
def test_a_price_question_is_never_out_of_scope(text: str) -> None:
    assert not keeps("out_of_scope", text)


@pytest.mark.parametrize("text", ["how much does a flight to Paris cost?", "¿cuánto vale un piso en Madrid?"])
def test_the_price_of_something_else_stays_out_of_scope(text: str) -> None:
    assert keeps("out_of_scope", text)
