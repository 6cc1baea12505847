"""The SLA file: marketing's definition of a qualified lead, as typed models.

Loading, line-aware validation (`leadbot check`) and hot reload live here too.
"""

from __future__ import annotations

import difflib
import itertools
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, Extra, Field, ValidationError, validator
from pydantic.fields import SHAPE_SINGLETON

if TYPE_CHECKING:
    from bot.parse.classifier import Models
    from bot.parse.need import NeedLexicon

# pydantic 1.10 is what Rasa 3.6 pins; the models are written so that moving to 2.x
# only needs `model_config` instead of `class Config`.

logger = logging.getLogger("bot.sla")


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
    """One scoring rule: a kind of answer (`when`) or a value range [min, max)."""

    when: str | None = None
    min: float | None = None
    max: float | None = None
    points: int
    knock_out: bool = False
    explain: str = ""

    _check_points = validator("points", pre=True, allow_reuse=True)(_whole_number)
    _check_range = validator("min", "max", pre=True, allow_reuse=True)(_number)
    _check_knock_out = validator("knock_out", pre=True, allow_reuse=True)(_flag)

    def matches_value(self, value: float) -> bool:
        if self.when is not None and self.when != "value":
            return False
        lo = float("-inf") if self.min is None else self.min
        hi = float("inf") if self.max is None else self.max
        return lo <= value < hi

    @property
    def is_range(self) -> bool:
        return self.when is None and (self.min is not None or self.max is not None)


class CriterionSpec(_Strict):
    rules: list[Rule]
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


class FollowUp(_Strict):
    within_minutes: int = 60
    text: Texts

    _check_minutes = validator("within_minutes", pre=True, allow_reuse=True)(_whole_number)


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
    questions: list[Question]
    criteria: dict[str, CriterionSpec]
    extra_criteria: dict[str, ExtraCriterion] = Field(default_factory=dict)

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
            trained, own_model = classifier_for(Examples.of({**own, OTHER: other}), name)
            final = final and own_model
            return trained

        models = Models(need=model("need"), role=model("role"), budget=model("budget"))
        if final:  # a model still training in the background is asked for again next time
            if len(_MODELS) >= 16:
                _MODELS.pop(next(iter(_MODELS)))
            _MODELS[id(self)] = (self, models)
        return models


# id(SLA) -> (that SLA, its lexicon). Keyed by identity because pydantic 1 models with dict
# fields are unhashable; holding the SLA keeps its id from being reused while cached.
_LEXICONS: dict[int, tuple[SLA, NeedLexicon]] = {}
_MODELS: dict[int, tuple[SLA, Models]] = {}


# --- problems ------------------------------------------------------------------------


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


# --- line-aware YAML -----------------------------------------------------------------

_Path = tuple[str | int, ...]
_Mark = tuple[int, int]  # 1-based (line, col)

# libyaml is ~10x faster than the pure-Python parser; the check budget is 50 ms.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Located:
    """Where each node of a YAML document is, by path (`("questions", 1, "ask")`).

    A path's *key* mark is where `ask:` is written, its *value* mark where the value
    starts; errors about a key point at the key, errors about a value at the value.
    """

    def __init__(self) -> None:
        self.keys: dict[_Path, _Mark] = {}
        self.values: dict[_Path, _Mark] = {}

    def key(self, path: _Path) -> _Mark:
        """The key mark of `path`, or of its nearest written parent (e.g. for a missing key)."""
        for cut in range(len(path), 0, -1):
            prefix = _normalise(path[:cut])
            if prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return self.values.get((), (1, 1))

    def value(self, path: _Path) -> _Mark:
        normal = _normalise(path)
        if normal in self.values:
            return self.values[normal]
        return self.key(path)


def _normalise(path: _Path) -> _Path:
    # Mapping keys are stored as text, so pydantic's locs and our paths agree on them.
    return tuple(p if isinstance(p, int) else str(p) for p in path)


def _mark(node: yaml.Node) -> _Mark:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Reader:
    """Builds plain Python data from a composed YAML tree, recording every node's mark."""

    def __init__(self, loader: Any, file: str) -> None:
        self._loader = loader
        self._file = file
        self.located = _Located()
        self.problems: list[Problem] = []
        self._open: set[int] = set()

    def read(self, node: yaml.Node, path: _Path) -> Any:
        self.located.values[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if id(node) in self._open:
                return self._recursive(node)
            self._open.add(id(node))
            items = [self.read(item, (*path, index)) for index, item in enumerate(node.value)]
            self._open.discard(id(node))
            return items
        if node.tag == "tag:yaml.org,2002:str":
            return node.value  # most of the file; skips the constructor's bookkeeping
        return self._loader.construct_object(node)

    def _mapping(self, node: yaml.MappingNode, path: _Path) -> Any:
        if id(node) in self._open:
            return self._recursive(node)
        self._open.add(id(node))
        result: dict[Any, Any] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                # `<<: *defaults` — explicit keys win over merged ones, as in YAML.
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                here = self.located.values[path]
                for source in sources:
                    value = self.read(source, path)
                    if isinstance(value, dict):
                        merged = {**value, **merged}
                self.located.values[path] = here  # reading the anchor moved it
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _mark(key_node)
                self.problems.append(Problem(self._file, line, col, "a key must be a plain word"))
                continue
            key = self._loader.construct_object(key_node)
            child = (*path, str(key))
            if key in result:
                first_line = self.located.keys[child][0]
                line, col = _mark(key_node)
                self.problems.append(
                    Problem(self._file, line, col, f"duplicate key '{key}' (first given at line {first_line})")
                )
                continue
            self.located.keys[child] = _mark(key_node)
            result[key] = self.read(value_node, child)
        self._open.discard(id(node))
        return {**merged, **result}

    def _recursive(self, node: yaml.Node) -> None:
        line, col = _mark(node)
        self.problems.append(Problem(self._file, line, col, "an alias refers to itself"))
        return None


def _read_yaml(path: Path) -> tuple[Any, _Located, list[Problem]]:
    """Parse `path` keeping the position of every node; syntax errors become problems."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, _Located(), [Problem(file, 1, 1, "file not found")]
    except (OSError, UnicodeDecodeError) as error:
        return None, _Located(), [Problem(file, 1, 1, f"cannot read the file: {error}")]
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, _Located(), []
        reader = _Reader(loader, file)
        data = reader.read(root, ())
        return data, reader.located, reader.problems
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        what = error.problem or str(error)
        if error.context and error.context_mark is not None and error.context_mark is not mark:
            what += f" ({error.context} from line {error.context_mark.line + 1})"
        return None, _Located(), [Problem(file, line, col, f"YAML syntax error: {what}")]
    except yaml.YAMLError as error:
        return None, _Located(), [Problem(file, 1, 1, f"YAML error: {error}")]
    finally:
        loader.dispose()


# --- structure: pydantic errors at their lines ---------------------------------------


def _model_at(loc: _Path) -> type[BaseModel] | None:
    """The model class that the data at `loc` is validated as, if it is a model."""
    model: type[BaseModel] = SLA
    index = 0
    while index < len(loc):
        field = model.__fields__.get(str(loc[index]))
        if field is None:
            return None
        index += 1
        if field.shape != SHAPE_SINGLETON:
            index += 1  # the list index or dict key
        inner = field.type_
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        model = inner
    return model if index == len(loc) else None


def _value_at(data: Any, loc: _Path) -> Any:
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part, data.get(str(part)))
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _describe_value(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text {value!r}"
    return repr(value) if value is not None else "nothing"


_EXPECTED = {
    "type_error.integer": "a whole number",
    "type_error.float": "a number",
    "type_error.list": "a list",
    "type_error.dict": "a mapping (key: value)",
    "type_error.str": "text",
    "type_error.bool": "true or false",
    "value_error.strictbool": "true or false",
}


def _structure_problem(file: str, error: Mapping[str, Any], data: Any, located: _Located) -> Problem:
    loc: _Path = tuple(part for part in error["loc"] if part != "__key__")
    kind = error["type"]
    if kind == "value_error.extra":
        line, col = located.key(loc)
        return Problem(file, line, col, _unknown_key(str(loc[-1]), _model_at(loc[:-1])))
    if kind == "value_error.missing":
        line, col = located.key(loc[:-1]) if loc[:-1] else (1, 1)
        return Problem(file, line, col, f"missing required key '{loc[-1]}'")
    line, col = located.value(loc)
    where = ".".join(str(part) for part in loc)
    found = _describe_value(_value_at(data, loc))
    if kind == "type_error.none.not_allowed":
        return Problem(file, line, col, f"{where}: missing value")
    if kind == "type_error" and error["msg"].startswith("expected "):
        return Problem(file, line, col, f"{where}: {error['msg']}, got {found}")
    if kind in _EXPECTED:
        return Problem(file, line, col, f"{where}: expected {_EXPECTED[kind]}, got {found}")
    return Problem(file, line, col, f"{where}: {error['msg']}")


def _unknown_key(key: str, model: type[BaseModel] | None) -> str:
    known = sorted(model.__fields__) if model is not None else []
    return f"unknown key '{key}'" + _suggest(key, known)


def _suggest(word: str, choices: list[str], listing: str = "expected one of") -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; {listing}: {', '.join(choices)}" if choices else ""


def _parse(path: Path) -> tuple[SLA | None, _Located, list[Problem]]:
    """YAML + schema: the SLA if it is well formed, and every structural problem."""
    file = str(path)
    data, located, problems = _read_yaml(path)
    if problems and data is None:
        return None, located, problems
    if not isinstance(data, dict):
        found = "an empty file" if data is None else _describe_value(data)
        return None, located, [*problems, Problem(file, 1, 1, f"expected a mapping of SLA keys, got {found}")]
    try:
        sla = SLA.parse_obj(data)
    except ValidationError as error:
        problems = problems + [_structure_problem(file, e, data, located) for e in error.errors()]
        return None, located, _sorted(problems)
    sla, file_problems = _with_example_files(sla, path, located)
    return sla, located, problems + file_problems  # duplicate keys still leave a usable model to check


def example_paths(sla: SLA, sla_path: str | Path) -> list[Path]:
    """The example files an SLA references, resolved against the SLA file's folder."""
    folder = Path(sla_path).parent
    return [folder / name for spec in sla.criteria.values() for name in spec.example_files]


def _with_example_files(sla: SLA, path: Path, located: _Located) -> tuple[SLA, list[Problem]]:
    """Merge each criterion's `example_files` into its `examples`; problems at file:line."""
    problems: list[Problem] = []
    criteria = dict(sla.criteria)
    for name, spec in sla.criteria.items():
        if not spec.example_files or name not in WHEN_KINDS:
            continue  # an unknown criterion is reported once, by the checker
        merged = {label: dict(by_language) for label, by_language in (spec.examples or {}).items()}
        for index, relative in enumerate(spec.example_files):
            target = path.parent / relative
            if not target.is_file():
                line, col = located.value(("criteria", name, "example_files", index))
                problems.append(
                    Problem(str(path), line, col, f"example file '{relative}' not found next to {path.name}")
                )
                continue
            data, where, read_problems = _read_yaml(target)
            problems += read_problems
            if not isinstance(data, dict):
                problems.append(Problem(str(target), 1, 1, "expected a mapping of class: [example answers]"))
                continue
            classes = EXAMPLE_CLASSES.get(name, ())
            for label, texts in data.items():
                line, col = where.key((str(label),))
                if str(label) not in classes:
                    problems.append(Problem(str(target), line, col, _unknown_class(name, str(label))))
                elif isinstance(texts, list) and all(isinstance(t, str) for t in texts):
                    language = f"file:{relative}"  # kept apart from the inline examples' languages
                    merged.setdefault(str(label), {})[language] = texts
                else:
                    problems.append(Problem(str(target), line, col, f"'{label}': expected a list of example answers"))
            problems += _claimed_twice(merged, str(target), where, prefix=(), only=f"file:{relative}")
        criteria[name] = spec.copy(update={"examples": merged})
    return sla.copy(update={"criteria": criteria}), problems


def _unknown_class(criterion: str, label: str) -> str:
    classes = list(EXAMPLE_CLASSES.get(criterion, ()))
    if not classes:
        return f"{criterion} takes no examples (only {', '.join(EXAMPLE_CLASSES)} do)"
    return f"'{label}' is not a class of {criterion} answers" + _suggest(label, classes)


def _claimed_twice(
    examples: Mapping[str, Mapping[str, list[str]]], file: str, where: _Located, prefix: _Path, only: str | None = None
) -> list[Problem]:
    """An example under two classes teaches the model both: report the second one, where written."""
    first: dict[str, str] = {}
    problems = []
    for label, by_language in examples.items():
        for language, texts in by_language.items():
            for index, text in enumerate(texts):
                key = " ".join(str(text).lower().split())
                if first.setdefault(key, label) != label and only in (None, language):
                    here = (*prefix, label, language, index) if prefix else (label, index)
                    line, col = where.value(here)
                    problems.append(
                        Problem(file, line, col, f"example '{text}' is given for both {first[key]} and {label}")
                    )
    return problems


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line, p.col))


def load_sla(path: str | Path) -> SLA:
    """Parse and validate an SLA file's structure; raises `SLAError` listing every problem.

    Only syntax and schema are checked here (cheap, no parsers needed); `check_sla` and
    `SLAStore` add the semantic checks that decide whether an edit may go live.
    """
    sla, _, problems = _parse(Path(path))
    if sla is None or problems:
        raise SLAError(problems)
    return sla


# --- semantics -----------------------------------------------------------------------

# The answer kinds a `when:` may name, per criterion (values of the parsers' answers
# plus the `Kind`s the scorer matches on).
WHEN_KINDS: dict[str, tuple[str, ...]] = {
    "need": ("pain", "interest", "none", "unknown"),
    "role": ("decision_maker", "influencer", "individual", "no_authority", "unknown"),
    "budget": ("undecided", "none", "unknown"),
    "timing": ("undecided", "none", "unknown"),
}
# The classes a criterion's classifier may be taught (see `examples` in sla.yml).
EXAMPLE_CLASSES: dict[str, tuple[str, ...]] = {
    "need": ("pain", "interest", "none"),
    "role": ("decision_maker", "influencer", "individual", "no_authority"),
    "budget": ("undecided", "none"),
}
_RANGED = ("budget", "timing")  # criteria whose answers are numbers
_NEED_PHRASE_KINDS = ("pain", "interest", "none")


def check_sla(path: str | Path, domain_path: str | Path | None = "domain.yml") -> list[Problem]:
    """Every problem in an SLA file, sorted by line; empty when it is safe to go live.

    `domain_path` (a Rasa domain file or directory) is used to check question slots
    exist; it is skipped when None or missing.
    """
    _, problems = _analyse(Path(path), domain_path)
    return problems


def _analyse(path: Path, domain_path: str | Path | None) -> tuple[SLA | None, list[Problem]]:
    sla, located, problems = _parse(path)
    if sla is None:
        return None, problems
    slots, domain_problems = _domain_slots(Path(domain_path)) if domain_path is not None else (None, [])
    checker = _Checker(str(path), sla, located)
    checker.run(slots)
    # A broken domain file is reported after the SLA's own lines: its line numbers are another file's.
    return sla, _sorted(problems + checker.problems) + domain_problems


def _domain_slots(domain: Path) -> tuple[set[str] | None, list[Problem]]:
    """The slot names a Rasa domain (file or directory) declares; None if there is none."""
    if domain.is_dir():
        files = sorted(p for p in domain.rglob("*") if p.suffix in (".yml", ".yaml"))
    else:
        files = [domain] if domain.is_file() else []
    if not files:
        return None, []
    slots: set[str] = set()
    problems: list[Problem] = []
    for file in files:
        # Only the names under `slots:` matter: compose the tree, construct nothing.
        try:
            loader = _Loader(file.read_text(encoding="utf-8"))
            try:
                root = loader.get_single_node()
            finally:
                loader.dispose()
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            mark = getattr(error, "problem_mark", None)
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            problems.append(Problem(str(file), line, col, f"cannot read the domain: {error}"))
            continue
        if isinstance(root, yaml.MappingNode):
            for key, value in root.value:
                if key.value == "slots" and isinstance(value, yaml.MappingNode):
                    slots.update(str(name.value) for name, _ in value.value)
    return slots, problems


class _Checker:
    """The semantic checks, each reported at the line marketing has to change."""

    def __init__(self, file: str, sla: SLA, located: _Located) -> None:
        self.file = file
        self.sla = sla
        self.located = located
        self.problems: list[Problem] = []

    def run(self, domain_slots: set[str] | None) -> None:
        self._header()
        self._money()
        self._follow_up()
        self._tiers()
        self._questions(domain_slots)
        self._criteria()
        self._total()
        self._buttons()

    def _at_key(self, path: _Path, message: str) -> None:
        line, col = self.located.key(path)
        self.problems.append(Problem(self.file, line, col, message))

    def _at_value(self, path: _Path, message: str) -> None:
        line, col = self.located.value(path)
        self.problems.append(Problem(self.file, line, col, message))

    def _texts(self, texts: Texts, path: _Path) -> None:
        for language in self.sla.languages:
            if language not in texts:
                self._at_key(path, f"missing '{language}' text")
            elif not texts[language].strip():
                self._at_value((*path, language), f"empty '{language}' text")

    def _header(self) -> None:
        sla = self.sla
        if sla.version != 1:
            self._at_value(("version",), f"unsupported version {sla.version}; this assistant reads version 1")
        if not sla.languages:
            self._at_value(("languages",), "languages: give at least one language")
        if sla.sales_language not in sla.languages:
            self._at_value(
                ("sales_language",),
                f"sales_language '{sla.sales_language}' is not one of languages ({', '.join(sla.languages)})",
            )

    def _money(self) -> None:
        for code, rate in self.sla.exchange_rates.items():
            if rate <= 0:
                self._at_value(("exchange_rates", code), f"exchange rate for {code} must be positive, got {rate:g}")

    def _follow_up(self) -> None:
        follow_up = self.sla.follow_up
        if follow_up.within_minutes <= 0:
            self._at_value(
                ("follow_up", "within_minutes"),
                f"follow_up.within_minutes must be positive, got {follow_up.within_minutes}",
            )
        self._texts(follow_up.text, ("follow_up", "text"))

    def _tiers(self) -> None:
        tiers = self.sla.tiers
        for name in ("nurture", "sales_ready"):
            value = getattr(tiers, name)
            if not 0 <= value <= 100:
                self._at_value(("tiers", name), f"tiers.{name} must be between 0 and 100, got {value}")
        if tiers.nurture >= tiers.sales_ready:
            self._at_value(
                ("tiers", "nurture"),
                f"tiers.nurture ({tiers.nurture}) must be below tiers.sales_ready ({tiers.sales_ready})",
            )

    def _questions(self, domain_slots: set[str] | None) -> None:
        seen: dict[str, int] = {}
        for index, question in enumerate(self.sla.questions):
            path: _Path = ("questions", index)
            slot = question.slot
            if slot in seen:
                first_line = self.located.value(("questions", seen[slot], "slot"))[0]
                self._at_value((*path, "slot"), f"slot '{slot}' is asked twice (first at line {first_line})")
            else:
                seen[slot] = index
            if domain_slots is not None and slot not in domain_slots:
                self._at_value(
                    (*path, "slot"),
                    f"slot '{slot}' is not a slot in the domain" + _suggest(slot, sorted(domain_slots)),
                )
            if slot not in self.sla.criteria:
                self._at_value(
                    (*path, "slot"),
                    f"slot '{slot}' has no scoring rules under criteria" + _suggest(slot, list(self.sla.criteria)),
                )
            for field in ("ask", "why", "hint"):
                self._texts(getattr(question, field), (*path, field))
            for number, button in enumerate(question.buttons):
                self._texts(button.title, (*path, "buttons", number, "title"))

    def _criteria(self) -> None:
        for name, spec in self.sla.criteria.items():
            path: _Path = ("criteria", name)
            if name not in WHEN_KINDS:
                self._at_key(
                    path,
                    f"unknown criterion '{name}'" + _suggest(name, list(WHEN_KINDS), "criteria are"),
                )
                continue
            if not spec.rules:
                self._at_key((*path, "rules"), f"criterion '{name}' has no rules")
            self._kind_rules(name, spec, path)
            self._ranges(name, spec, path)
            self._phrases(name, spec, path)
            self._examples(name, spec, path)

    def _kind_rules(self, name: str, spec: CriterionSpec, path: _Path) -> None:
        kinds = WHEN_KINDS[name]
        seen: dict[str, int] = {}
        for index, rule in enumerate(spec.rules):
            rule_path = (*path, "rules", index)
            if rule.points < 0:
                self._at_value((*rule_path, "points"), f"points must not be negative, got {rule.points}")
            if rule.when is None:
                if rule.min is None and rule.max is None:
                    self._at_value(rule_path, "a rule needs `when` or a `min`/`max` range")
                continue
            if rule.min is not None or rule.max is not None:
                self._at_value(rule_path, "a rule takes either `when` or a `min`/`max` range, not both")
            if rule.when not in kinds:
                suggestion = _suggest(rule.when, list(kinds), "use one of")
                self._at_value((*rule_path, "when"), f"'{rule.when}' is not a kind of {name} answer{suggestion}")
            elif rule.when in seen:
                first_line = self.located.value((*path, "rules", seen[rule.when]))[0]
                self._at_value(
                    (*rule_path, "when"),
                    f"a rule for '{rule.when}' is already given at line {first_line}; this one never fires",
                )
            else:
                seen[rule.when] = index

    def _ranges(self, name: str, spec: CriterionSpec, path: _Path) -> None:
        ranges = [(index, rule) for index, rule in enumerate(spec.rules) if rule.when is None and rule.is_range]
        if ranges and name not in _RANGED:
            for index, _ in ranges:
                self._at_value((*path, "rules", index), f"{name} answers are not numbers; use `when`, not min/max")
            return
        usable = []
        for index, rule in ranges:
            if rule.min is not None and rule.max is not None and rule.min >= rule.max:
                self._at_value(
                    (*path, "rules", index),
                    f"empty range: min {rule.min:g} is not below max {rule.max:g}",
                )
            else:
                usable.append((index, rule))
        usable.sort(key=lambda item: float("-inf") if item[1].min is None else item[1].min)
        for (_, before), (index, rule) in itertools.pairwise(usable):
            end = float("inf") if before.max is None else before.max
            start = float("-inf") if rule.min is None else rule.min
            if start < end:
                self._at_value(
                    (*path, "rules", index),
                    f"range [{_bound(rule.min)}, {_bound(rule.max)}) overlaps "
                    f"[{_bound(before.min)}, {_bound(before.max)})",
                )
            elif start > end:
                self._at_value(
                    (*path, "rules", index),
                    f"gap: no rule scores {_bound(before.max)} up to {_bound(rule.min)}",
                )
        if usable:
            index, top = max(usable, key=lambda item: float("inf") if item[1].max is None else item[1].max)
            if top.max is not None:
                self._at_value(
                    (*path, "rules", index),
                    f"gap: no rule scores {_bound(top.max)} or more (leave out `max` on the highest range)",
                )

    def _phrases(self, name: str, spec: CriterionSpec, path: _Path) -> None:
        if spec.phrases is None:
            return
        if name != "need":
            self._at_key((*path, "phrases"), f"only need takes phrases, not {name}")
            return
        # Besides one list per answer kind, `topic` and `problem` hold the two halves of the
        # second pain signal (a topic term and a problem cue in one sentence, see bot/parse/need.py).
        cue_kinds = ("topic", "problem")
        kinds = [*_NEED_PHRASE_KINDS, *cue_kinds]
        for kind in spec.phrases:
            if kind not in kinds:
                self._at_key(
                    (*path, "phrases", kind),
                    f"'{kind}' is not a kind of need answer" + _suggest(kind, kinds),
                )
        given = [kind for kind in cue_kinds if spec.phrases.get(kind)]
        if len(given) == 1:
            missing = next(kind for kind in cue_kinds if kind not in given)
            self._at_key(
                (*path, "phrases", given[0]),
                f"`{given[0]}` does nothing without `{missing}`: only a topic and a problem cue together make a pain",
            )

    def _examples(self, name: str, spec: CriterionSpec, path: _Path) -> None:
        inline = self.located.values
        for label in spec.examples or {}:
            if (*path, "examples", label) in inline and label not in EXAMPLE_CLASSES.get(name, ()):
                self._at_key((*path, "examples", label), _unknown_class(name, label))
        written = {
            label: {lang: texts for lang, texts in by_language.items() if not lang.startswith("file:")}
            for label, by_language in (spec.examples or {}).items()
        }
        self.problems += _claimed_twice(written, self.file, self.located, prefix=(*path, "examples"))
        if spec.examples and len([c for c, texts in spec.labelled_examples().items() if texts]) < 2:
            self._at_key((*path, "examples"), f"{name} examples need at least two classes to learn from")

    def _total(self) -> None:
        sla = self.sla
        parts = [(name, spec.max_points) for name, spec in sla.criteria.items()]
        parts += [(name, extra.points) for name, extra in sla.extra_criteria.items()]
        for name, extra in sla.extra_criteria.items():
            if extra.points < 0:
                self._at_value(("extra_criteria", name, "points"), f"points must not be negative, got {extra.points}")
        total = sum(points for _, points in parts)
        if total != 100:
            detail = " + ".join(f"{name} {points}" for name, points in parts)
            self._at_key(("criteria",), f"best points add up to {total}, not 100 ({detail})")

    def _buttons(self) -> None:
        # A button is a promise that clicking it scores: read its value exactly as the
        # assistant would read a visitor typing it.
        sla = self.sla
        with_buttons = [(index, q) for index, q in enumerate(sla.questions) if q.buttons and q.slot in sla.criteria]
        with_buttons = [(index, q) for index, q in with_buttons if q.slot in WHEN_KINDS]
        if not with_buttons:
            return
        from bot.parse import read_message
        from bot.parse.base import Criterion
        from bot.scoring import _rule_for

        lexicon = sla.need_lexicon()
        today = date.today()
        for index, question in with_buttons:
            criterion = Criterion(question.slot)
            rules = sla.criteria[question.slot].rules
            for number, button in enumerate(question.buttons):
                found = read_message(
                    button.value,
                    today=today,
                    lexicon=lexicon,
                    currency=sla.currency,
                    rates=sla.exchange_rates,
                    expected=criterion,
                )
                answer = found.get(criterion)
                where = ("questions", index, "buttons", number, "value")
                if answer is None or not answer.understood:
                    self._at_value(
                        where, f"button value '{button.value}' is not understood as a {criterion.value} answer"
                    )
                elif _rule_for(answer, rules) is None:
                    self._at_value(
                        where,
                        f"button value '{button.value}' reads as {_answer_text(answer)} "
                        f"but no {criterion.value} rule scores it",
                    )


def _bound(value: float | None) -> str:
    return "∞" if value is None else f"{value:g}"


def _answer_text(answer: Any) -> str:
    value = answer.value if answer.value is not None else answer.kind.value
    return f"{value:g}" if isinstance(value, float) else str(value)


# --- hot reload ----------------------------------------------------------------------


@dataclass
class _Loaded:
    signature: tuple[tuple[int, int, int], ...]  # what the files looked like when last read
    sla: SLA  # the last SLA that passed every check


class SLAStore:
    """The current SLA per file, re-read only when the file changes.

    The action server asks on every turn, so an unchanged file costs one `stat()`.
    A broken edit never goes live: the last good SLA stays in use and each problem
    is logged once (not on every turn) until the file changes again.
    """

    def __init__(self, domain_path: str | Path | None = "domain.yml") -> None:
        self._domain_path = domain_path
        self._loaded: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    def get(self, path: str | Path) -> SLA:
        key = os.fspath(path)
        loaded = self._loaded.get(key)
        signature = _signature([Path(key), *(example_paths(loaded.sla, key) if loaded else [])])
        if loaded is not None and loaded.signature == signature:
            return loaded.sla
        with self._lock:
            return self._reload(key, signature)

    def _reload(self, key: str, signature: tuple[tuple[int, int, int], ...]) -> SLA:
        loaded = self._loaded.get(key)
        if loaded is not None and loaded.signature == signature:
            return loaded.sla  # another thread got here first
        sla, problems = _analyse(Path(key), self._domain_path)
        if sla is not None and not problems:
            if loaded is not None:
                logger.info("%s: reloaded the SLA", key)
            # The example files this version references are watched from now on.
            self._loaded[key] = _Loaded(_signature([Path(key), *example_paths(sla, key)]), sla)
            return sla
        if loaded is None:
            raise SLAError(problems)
        for problem in problems:
            logger.error("%s", problem)
        logger.warning("%s: edit rejected, still using the last valid SLA", key)
        loaded.signature = signature  # remember the broken version so it is reported once
        return loaded.sla


def _signature(files: list[Path]) -> tuple[tuple[int, int, int], ...]:
    stats = []
    for file in files:
        try:
            stat = os.stat(file)
            stats.append((stat.st_mtime_ns, stat.st_size, stat.st_ino))
        except OSError:
            stats.append((-1, -1, -1))
    return tuple(stats)


_default_store = SLAStore()


def current_sla(path: str | Path) -> SLA:
    """The SLA to score against right now (pass `Settings.sla_path`, i.e. `LEADBOT_SLA`)."""
    return _default_store.get(path)
