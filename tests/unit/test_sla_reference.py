"""docs/sla.md names every key of the SLA model, and only keys the model has."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from bot.sla.model import SLA

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "sla.md").read_text(encoding="utf-8")


def _model_in(annotation: Any) -> tuple[type[BaseModel] | None, str]:
    """The pydantic model inside an annotation, and how a path steps into it (list: "[]", dict: ".<name>")."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is None and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, ""
    if origin is list and args:
        model, step = _model_in(args[0])
        return model, "[]" + step
    if origin is dict and len(args) == 2:
        model, step = _model_in(args[1])
        return model, ".<name>" + step if model else step
    for arg in args:  # Optional[...]
        model, step = _model_in(arg)
        if model:
            return model, step
    return None, ""


def _paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    found: set[str] = set()
    for field in model.__fields__.values():
        path = f"{prefix}{field.alias}"  # as written in sla.yml (`in`, not `in_`)
        found.add(path)
        inner, step = _model_in(field.outer_type_)
        if inner is not None:
            found |= _paths(inner, f"{path}{step}.")
    return found


def test_every_key_of_the_sla_model_is_documented() -> None:
    documented = set(re.findall(r"^\| `([^`]+)` \|", DOC, flags=re.MULTILINE))
    keys = _paths(SLA)
    assert keys - documented == set(), "keys of the SLA model missing from docs/sla.md"
    assert documented - keys == set(), "docs/sla.md documents keys the SLA model does not have"
