"""The SLA file's typed models: questions, criteria and rules, tiers, follow-up, problems.

Marketing's definition of a qualified lead; `rule_for` says which rule scores an answer.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Extra, Field, validator

from bot.parse.base import Answer, Kind
from bot.sla.booking import BookingConfig
from bot.sla.content import NurtureContent, ProductAnswers
from bot.sla.verdicts import VerdictReasons

if TYPE_CHECKING:
    from bot.parse.classifier import Models
    from bot.parse.need import NeedLexicon

# pydantic 1.10 is what Rasa 3.6 pins; the models are written so that moving to 2.x
# only needs `model_config` instead of `class Config`.


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


Texts = dict[str, str]  # language code -> text


def _whole_number(value: Any) -> Any:
    # pydantic 1.10 would silently turn `points: 7.5` into 7 and `points: yes` into 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected a whole number")
    return value


def _number(value: Any) -> Any:
    # ...and `min: "10k"` errors, but `min: true` would become 1.0.
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise TypeError("expected a number")
    return value


def _flag(value: Any) -> Any:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


class Button(_Strict):
    title: Texts
    value: str


class Question(_Strict):
    slot: str
    ask: Texts
    why: Texts
    hint: Texts
    buttons: list[Button] = Field(default_factory=list)


class Rule(_Strict):
    """One scoring rule: a kind of answer (`when`), a list of values (`in`) or a value range [min, max)."""

    when: str | None = None
    min: float | None = None
    max: float | None = None
    in_: list[str] | None = Field(None, alias="in")  # choice keys, UTM tags, referrer domains
    points: int
    knock_out: bool = False
    explain: str = ""

    _check_points = validator("points", pre=True, allow_reuse=True)(_whole_number)
    _check_range = validator("min", "max", pre=True, allow_reuse=True)(_number)
    _check_knock_out = validator("knock_out", pre=True, allow_reuse=True)(_flag)

    class Config:
        allow_population_by_field_name = True

    def matches_value(self, value: float) -> bool:
        if self.when is not None and self.when != "value":
            return False
        lo = float("-inf") if self.min is None else self.min
        hi = float("inf") if self.max is None else self.max
        return lo <= value < hi

    @property
    def is_range(self) -> bool:
        return self.when is None and self.in_ is None and (self.min is not None or self.max is not None)

    def matches_label(self, value: str) -> bool:
        """Whether a text value (a choice key, "yes", a UTM tag) is this rule's."""
        if self.in_ is not None:
            return value.casefold() in {item.casefold() for item in self.in_}
        return self.when is not None and self.when == value


# The criteria the built-in parsers read; their type is their name.
BUILT_IN = ("need", "budget", "role", "timing")
# The types marketing can declare for a criterion of its own (see docs/criteria.md).
TYPES = ("number", "choice", "yes_no", "behaviour")
# What a behaviour criterion can be computed from (the page context the widget sends).
SIGNALS = (
    "pages",
    "page_count",
    "seconds_on_site",
    "returning",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "referrer_domain",
)
NUMBER_SIGNALS = ("pages", "page_count", "seconds_on_site")


class CriterionSpec(_Strict):
    # Built-in criteria (need, budget, role, timing) leave `type` out; see docs/criteria.md.
    type: str | None = None
    rules: list[Rule]
    # number: how the value is shown ("employees") and the words that say a number counts it.
    unit: Texts | None = None
    unit_words: dict[str, list[str]] | None = None
    # choice: {key: {language: [synonyms]}}.
    choices: dict[str, dict[str, list[str]]] | None = None
    # behaviour: what the value is computed from, and which page paths count (globs).
    signal: str | None = None
    patterns: list[str] | None = None
    phrases: dict[str, dict[str, list[str]]] | None = None
    # Example answers per class ({class: {language: [texts]}}) the criterion's classifier learns
    # from; `example_files` (paths relative to the SLA file) are merged in when the SLA is loaded.
    examples: dict[str, dict[str, list[str]]] | None = None
    example_files: list[str] = Field(default_factory=list)

    def labelled_examples(self) -> dict[str, list[str]]:
        """Every example text per class, all languages together (one bilingual model)."""
        merged: dict[str, list[str]] = {}
        for label, by_language in (self.examples or {}).items():
            for texts in by_language.values():
                merged.setdefault(label, []).extend(t.strip() for t in texts if isinstance(t, str) and t.strip())
        return merged

    @property
    def max_points(self) -> int:
        return max((rule.points for rule in self.rules), default=0)

    def kind_of(self, name: str) -> str:
        """The criterion's type: declared, or the built-in parser its name selects."""
        return self.type or (name if name in BUILT_IN else "")

    def read(self, text: str, name: str, *, strict: bool) -> Answer:
        """A declared criterion's answer in `text` (`strict`: another question was asked)."""
        # Imported here, like the need lexicon: loading an SLA does not need the parsers.
        from bot.parse.choice import parse_choice
        from bot.parse.quantity import parse_number
        from bot.parse.yes_no import parse_yes_no

        kind = self.kind_of(name)
        if kind == "number":
            return parse_number(text, name=name, unit_words=self.unit_words, strict=strict)
        if kind == "choice":
            return parse_choice(text, name=name, choices=self.choices or {}, strict=strict)
        if kind == "yes_no":
            return parse_yes_no(text, name=name, strict=strict)
        return Answer.unknown(name, text, reason=f"{name} is not a question")

    def asked(self, name: str) -> bool:
        """Whether a visitor answers it (a behaviour criterion is computed from the page)."""
        return self.kind_of(name) != "behaviour"


class FollowUp(_Strict):
    within_minutes: int = 60
    text: Texts

    _check_minutes = validator("within_minutes", pre=True, allow_reuse=True)(_whole_number)


class Privacy(_Strict):
    # Contact details (email addresses, phone numbers) a visitor types in any message, outside
    # the contact questions: "keep" them in the stored transcript and answers, keep them only
    # once the visitor consented to be contacted ("with_consent", the default), or always
    # "redact" them. The contact fields themselves are stored only with consent in every case.
    contact_in_free_text: Literal["keep", "with_consent", "redact"] = "with_consent"


class Tiers(_Strict):
    sales_ready: int = 70
    nurture: int = 40

    _check_thresholds = validator("sales_ready", "nurture", pre=True, allow_reuse=True)(_whole_number)


class ExtraCriterion(_Strict):
    points: int = 0
    explain: str = ""

    _check_points = validator("points", pre=True, allow_reuse=True)(_whole_number)


class SLA(_Strict):
    version: int = 1
    languages: list[str] = Field(default_factory=lambda: ["en"])
    sales_language: str = "en"
    currency: str = "EUR"
    exchange_rates: dict[str, float] = Field(default_factory=dict)
    follow_up: FollowUp
    tiers: Tiers = Field(default_factory=Tiers)
    privacy: Privacy = Field(default_factory=Privacy)
    questions: list[Question]
    criteria: dict[str, CriterionSpec]
    extra_criteria: dict[str, ExtraCriterion] = Field(default_factory=dict)
    product_answers: ProductAnswers = Field(default_factory=ProductAnswers)  # bot/sla/content.py
    verdict_reasons: VerdictReasons = Field(default_factory=VerdictReasons)  # bot/sla/verdicts.py
    nurture_content: NurtureContent | None = None
    crm: str | None = None  # the CRM field maps' file, relative to this one (bot/sla/crm.py)
    booking: BookingConfig | None = None  # bot/sla/booking.py

    _check_version = validator("version", pre=True, allow_reuse=True)(_whole_number)
    _check_rates = validator("exchange_rates", pre=True, each_item=True, allow_reuse=True)(_number)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def slots(self) -> list[str]:
        """The question slots in the order marketing wants them asked."""
        return [question.slot for question in self.questions]

    def question(self, slot: str) -> Question | None:
        return next((q for q in self.questions if q.slot == slot), None)

    def kind(self, name: str) -> str:
        """A criterion's type ("need" ... "timing" for the built-in ones, "number", "choice"...)."""
        spec = self.criteria.get(name)
        return spec.kind_of(name) if spec is not None else ""

    @property
    def typed_slots(self) -> list[str]:
        """The questions of criteria marketing declared (not built in), in asking order; their
        answers live in the `criteria_answers` slot, since the domain cannot name them."""
        return [slot for slot in self.slots if self.kind(slot) in TYPES]

    @property
    def behaviour_criteria(self) -> list[str]:
        return [name for name in self.criteria if self.kind(name) == "behaviour"]

    def text(self, texts: Texts, language: str) -> str:
        """A text in `language`, falling back to the SLA's first language."""
        return texts.get(language) or texts.get(self.default_language) or next(iter(texts.values()), "")

    def need_lexicon(self) -> NeedLexicon:
        # Imported here so that loading an SLA does not need the parsers (and their
        # imports of this module cannot become a cycle).
        from bot.parse.need import NeedLexicon

        # Built once per SLA object: every message is read with it, and building it
        # (flattening ~300 phrases) cost more than parsing the message.
        cached = _LEXICONS.get(id(self))
        if cached is not None and cached[0] is self:
            return cached[1]
        phrases = self.criteria["need"].phrases if "need" in self.criteria else None
        lexicon = NeedLexicon.from_mapping(phrases or {})
        if len(_LEXICONS) >= 16:  # SLAs change only on hot reload; keep the last few
            _LEXICONS.pop(next(iter(_LEXICONS)))
        _LEXICONS[id(self)] = (self, lexicon)
        return lexicon

    def models(self) -> Models:
        """The trained classifiers of the criteria that have examples, cached per example set."""
        from bot.parse.classifier import OTHER, Examples, Models, classifier_for

        cached = _MODELS.get(id(self))
        if cached is not None and cached[0] is self:
            return cached[1]

        examples = {name: spec.labelled_examples() for name, spec in self.criteria.items()}

        final = True

        def model(name: str) -> Any:
            nonlocal final
            own = examples.get(name)
            if not own:
                return None
            # Every other criterion's examples are this model's OTHER class: an answer about
            # something else ("VP of Sales" to the budget question) is then not forced into a class.
            other = [
                text
                for criterion, by_class in examples.items()
                if criterion != name
                for texts in by_class.values()
                for text in texts
            ]
            trained, own_model = classifier_for(Examples.of({**own, OTHER: [*own.get(OTHER, []), *other]}), name)
            final = final and own_model
            return trained

        models = Models(need=model("need"), role=model("role"), budget=model("budget"))
        if final:  # a model still training in the background is asked for again next time
            if len(_MODELS) >= 16:
                _MODELS.pop(next(iter(_MODELS)))
            _MODELS[id(self)] = (self, models)
        return models

    def own_models(self, timeout: float = 600.0) -> Models:
        """This SLA's own classifiers, waiting while they train in the background.

        A live conversation takes the previous model meanwhile (`models`); a what-if that reads
        old answers with an edited SLA must read them with that SLA's models, or it would
        credit the edit with what the previous examples read."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            models = self.models()
            cached = _MODELS.get(id(self))
            if cached is not None and cached[0] is self:
                return models
            if time.monotonic() > deadline:
                raise TimeoutError("the SLA's classifiers did not finish training")
            time.sleep(0.1)


# id(SLA) -> (that SLA, its lexicon). Keyed by identity because pydantic 1 models with dict
# fields are unhashable; holding the SLA keeps its id from being reused while cached.
_LEXICONS: dict[int, tuple[SLA, NeedLexicon]] = {}
_MODELS: dict[int, tuple[SLA, Models]] = {}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an SLA file, at a 1-based line and column."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class SLAError(Exception):
    """The SLA file cannot be used; `problems` says every reason and where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# The answer kinds a `when:` may name, per criterion (values of the parsers' answers
# plus the `Kind`s the scorer matches on).
WHEN_KINDS: dict[str, tuple[str, ...]] = {
    "need": ("pain", "interest", "none", "unknown"),
    "role": ("decision_maker", "influencer", "individual", "no_authority", "unknown"),
    "budget": ("undecided", "none", "unknown"),
    "timing": ("undecided", "none", "unknown"),
}
# The classes a criterion's classifier may be taught (see `examples` in sla.yml).
# `other` is for messages that answer none of the questions ("love the colours on your site"):
# each model also learns every other criterion's examples as `other`.
EXAMPLE_CLASSES: dict[str, tuple[str, ...]] = {
    "need": ("pain", "interest", "none", "other"),
    "role": ("decision_maker", "influencer", "individual", "no_authority", "other"),
    "budget": ("undecided", "none", "other"),
}


def when_kinds(name: str, spec: CriterionSpec) -> tuple[str, ...]:
    """The answer kinds and values a `when:` may name for one criterion."""
    kind = spec.kind_of(name)
    if kind in WHEN_KINDS:
        return WHEN_KINDS[kind]
    if kind == "number":
        return ("undecided", "unknown")
    if kind == "choice":
        return (*(spec.choices or {}), "undecided", "unknown")
    if kind == "yes_no" or (kind == "behaviour" and spec.signal == "returning"):
        return ("yes", "no", "undecided", "unknown")
    return ("unknown",)


def rule_for(answer: Answer, rules: Sequence[Rule]) -> Rule | None:
    """The rule that scores an answer: a range for numbers, else the value, else the kind.

    Lives with the rules (not the scorer) because the checker asks it too: a button whose
    value no rule scores is an error in the SLA file."""
    if answer.kind is Kind.VALUE and isinstance(answer.value, (int, float)):
        return next((r for r in rules if r.is_range and r.matches_value(float(answer.value))), None)
    if answer.kind is Kind.VALUE:
        return next((r for r in rules if r.matches_label(str(answer.value))), None)
    # need "none" answers are categorical values too: match on the value first.
    by_value = next((r for r in rules if r.when is not None and r.when == answer.value), None)
    return by_value or next((r for r in rules if r.when == answer.kind.value), None)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line, p.col))


def _suggest(word: str, choices: list[str], listing: str = "expected one of") -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; {listing}: {', '.join(choices)}" if choices else ""
