"""The import rule of docs/architecture.md, checked on the source (AST, no imports run).

Every import counts, also those inside functions; only `if TYPE_CHECKING:` blocks are left out
(they are annotations, never executed). A "package" is `bot.<first part>`: `bot.storage`,
`bot.sla`, `bot.scoring`, `bot.settings`...
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

RASA = {"rasa", "rasa_sdk"}
# What the pure domain may not touch: persistence, network, processes, files, templates.
IO_PACKAGES = {
    "sqlalchemy", "alembic", "psycopg2", "requests", "urllib", "http", "socket", "smtplib", "subprocess",
    "os", "shutil", "pathlib", "io", "jinja2", "yaml", "dotenv", "threading", "logging",
}  # fmt: skip


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(BOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: Path) -> Iterator[str]:
    """Absolute names of everything `module` imports at run time."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST) -> Iterator[str]:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                yield from visit(child)
            return
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            yield target
            # `from bot import settings` imports the module bot.settings
            yield from (f"{target}.{alias.name}" for alias in node.names if f"{target}.{alias.name}" in MODULES)
        for child in ast.iter_child_nodes(node):
            yield from visit(child)

    yield from visit(tree)


def _unit(name: str) -> str:
    """bot.storage.leads -> bot.storage; bot.scoring -> bot.scoring."""
    return ".".join(name.split(".")[:2])


MODULES = _modules()
IMPORTS = {module: set(_imports(module, path)) for module, path in MODULES.items()}


def _imports_of(prefix: str) -> dict[str, set[str]]:
    return {m: names for m, names in IMPORTS.items() if m == prefix or m.startswith(prefix + ".")}


def _top(name: str) -> str:
    return name.split(".")[0]


def test_no_import_cycles_between_bot_packages() -> None:
    graph: dict[str, set[str]] = {}
    for module, names in IMPORTS.items():
        source = _unit(module)
        if source == "bot":
            continue
        for name in names:
            if name.startswith("bot.") and _unit(name) != source and _unit(name) != "bot":
                graph.setdefault(source, set()).add(_unit(name))
    cycles = _cycles(graph)
    assert cycles == [], f"import cycles between packages: {cycles}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_only_ops_imports_rasa() -> None:
    offenders = {
        module: sorted(n for n in names if _top(n) in RASA)
        for module, names in IMPORTS.items()
        if not module.startswith("bot.ops") and any(_top(n) in RASA for n in names)
    }
    assert offenders == {}


def test_domain_is_pure() -> None:
    offenders = {
        module: sorted(
            n for n in names if _top(n) in IO_PACKAGES or (n.startswith("bot.") and _unit(n) != "bot.domain")
        )
        for module, names in _imports_of("bot.domain").items()
    }
    assert {m: n for m, n in offenders.items() if n} == {}


def test_settings_imports_nothing_from_bot() -> None:
    assert sorted(n for n in IMPORTS["bot.settings"] if _top(n) == "bot") == []


@pytest.mark.parametrize(("package", "forbidden"), [("bot.storage", "bot.delivery"), ("bot.storage", "bot.sla")])
def test_storage_keeps_what_delivery_rendered_and_renders_nothing(package: str, forbidden: str) -> None:
    offenders = {m for m, names in _imports_of(package).items() if any(_unit(n) == forbidden for n in names)}
    assert offenders == set()


def test_nothing_outside_ops_imports_ops() -> None:
    offenders = {
        m for m, names in IMPORTS.items() if not m.startswith("bot.ops") and any(_unit(n) == "bot.ops" for n in names)
    }
    assert offenders == set()


def test_the_checker_sees_imports_inside_functions() -> None:
    # bot.ops.processes imports rasa only inside its functions: the rule must still see them.
    assert "rasa.__main__" in IMPORTS["bot.ops.processes"]


MAX_LINES = 500


def test_modules_stay_under_500_lines_or_say_why() -> None:
    """A module over 500 lines gives its reason in its docstring ("over 500 lines because …")."""
    long = []
    for path in sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")]):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= MAX_LINES:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if "over 500 lines because" not in docstring.lower():
            long.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
    assert not long, "split these modules, or say in the docstring why not: " + ", ".join(long)
