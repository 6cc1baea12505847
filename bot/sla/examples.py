"""Example answers kept in other files (`example_files:`), merged into the SLA when it loads.

Each file is YAML `class: {language: [texts]}`; a problem is reported at the file's own line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.sla.marks import _Located, _Path, _read_yaml
from bot.sla.model import EXAMPLE_CLASSES, SLA, WHEN_KINDS, Problem, _suggest


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
