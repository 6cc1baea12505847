"""`IntentGuard`: a Rasa NLU component that drops `stop` and `switch_language` when the words don't say so.

It sits after the DIET classifier and before the FallbackClassifier in `config.yml`. The rule
itself is `bot.conversation.intents` (pure, unit-tested); this is only its Rasa shell. When the
top intent is dropped the next one of the ranking takes its place with its own confidence, so a
weak one becomes `nlu_fallback` and the form reads the message as an answer attempt.
Loading it also applies our Rasa patches (bot/ops/rasa_patches.py): it is in every graph our
model is served with, whatever endpoints.yml says.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.conversation.intents import GUARDED, guarded_ranking
from bot.ops.rasa_patches import apply_rasa_patches

log = logging.getLogger("leadbot.production")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class IntentGuard(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentGuard:
        # Also where an endpoints.yml without our lock store (a Helm chart's) loads the model.
        log.info("IntentGuard loaded; Rasa patches applied: %s", ", ".join(apply_rasa_patches()) or "none")
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            if intent.get("name") not in GUARDED or text.startswith("/"):
                continue  # buttons send their intent on purpose
            ranking = guarded_ranking(text, message.get(INTENT_RANKING_KEY) or [])
            if ranking and ranking[0].get("name") == intent.get("name"):
                continue
            top = ranking[0] if ranking else {"name": None, "confidence": 0.0}
            message.set(INTENT, {"name": top.get("name"), "confidence": top.get("confidence", 0.0)}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
