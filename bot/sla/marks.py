"""Line-aware YAML: every value of an SLA file with the line and column it was written at.

So `leadbot check` can say `file:line:col:` for a problem found in the parsed data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.sla.model import Problem

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
        try:
            return self._loader.construct_object(node)
        except ValueError as error:  # 2026-13-24 looks like a date to YAML, but is none
            line, col = _mark(node)
            what = "date" if node.tag.endswith(":timestamp") else "value"
            self.problems.append(Problem(self._file, line, col, f"'{node.value}' is not a valid {what} ({error})"))
            return node.value

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
