"""Loading an SLA file: YAML at its lines, pydantic errors placed on them, example files merged.

`load_sla` checks syntax and schema only (cheap, no parsers); `check_sla` adds the semantics.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import SHAPE_SINGLETON

from bot.sla.examples import _with_example_files
from bot.sla.marks import _Located, _Path, _read_yaml
from bot.sla.model import SLA, Problem, SLAError, _sorted, _suggest


def _model_at(loc: _Path, root: type[BaseModel] = SLA) -> type[BaseModel] | None:
    """The model class that the data at `loc` is validated as, if it is a model."""
    model: type[BaseModel] = root
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


def _structure_problem(
    file: str, error: Mapping[str, Any], data: Any, located: _Located, root: type[BaseModel] = SLA
) -> Problem:
    loc: _Path = tuple(part for part in error["loc"] if part != "__key__")
    kind = error["type"]
    if kind == "value_error.extra":
        line, col = located.key(loc)
        return Problem(file, line, col, _unknown_key(str(loc[-1]), _model_at(loc[:-1], root)))
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


def load_sla(path: str | Path) -> SLA:
    """Parse and validate an SLA file's structure; raises `SLAError` listing every problem.

    Only syntax and schema are checked here (cheap, no parsers needed); `check_sla` and
    `SLAStore` add the semantic checks that decide whether an edit may go live.
    """
    sla, _, problems = _parse(Path(path))
    if sla is None or problems:
        raise SLAError(problems)
    return sla
