"""The shape of the code, checked from its source: no import circles between the packages, no
borrowing of another module's private names, thin views, small modules, no tangled blocks.

Each test lists its offenders as ``file:line`` in its failure message. Migrations, the tests, the
benchmark and the demo's seeding are not counted.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parents[1]
# The project (evaluator) imports the apps; the apps import core; nothing imports back up.
PROJECT = "evaluator"
APPS = ("accounts", "vendors", "scoring", "notifications")
CORE = "core"
PACKAGES = (PROJECT, *APPS, CORE)
LEFT_OUT = {"scoring/management/commands/seed_demo.py"}

MAX_MODULE_LINES = 599
MAX_VIEW_LINES = 30
WORST_RANK = "C"


@dataclass(frozen=True)
class Module:
    path: Path
    name: str  # dotted: "scoring.views"

    @property
    def relative(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    @property
    def package(self) -> str:
        return self.name.split(".")[0]

    @property
    def is_views(self) -> bool:
        parts = self.path.relative_to(ROOT).parts
        return self.path.name == "views.py" or self.path.name.endswith("_views.py") or "views" in parts[:-1]

    @functools.cached_property
    def source(self) -> str:
        return self.path.read_text()

    @functools.cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.source, filename=self.relative)

    def resolve(self, node: ast.ImportFrom) -> str:
        """The dotted module a ``from ... import`` names, relative ones resolved."""
        if not node.level:
            return node.module or ""
        parts = self.name.split(".")
        package = parts if self.path.name == "__init__.py" else parts[:-1]
        base = package[: len(package) - (node.level - 1)]
        return ".".join([*base, *([node.module] if node.module else [])])


@functools.cache
def modules() -> tuple[Module, ...]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or relative.as_posix() in LEFT_OUT:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found.append(Module(path, ".".join(parts)))
    return tuple(found)


def is_first_party_module(dotted: str) -> bool:
    if dotted.split(".")[0] not in PACKAGES:
        return False
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def imports(module: Module) -> Iterator[tuple[str, int]]:
    """Every module ``module`` imports, at any depth of the code (inside functions too), with its line."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            yield module.resolve(node), node.lineno


def report(offenders: list[str]) -> str:
    """The offenders by file and line, one a line."""

    def place(offender: str) -> tuple[str, int]:
        path, line, _ = offender.split(":", 2)
        return path, int(line)

    return f"{len(offenders)} offender(s):\n" + "\n".join(sorted(offenders, key=place))


# --- (a) No import circles between the packages ---------------------------------------------------


def package_graph() -> dict[str, dict[str, str]]:
    """package -> imported package -> the first place it is imported (file:line)."""
    graph: dict[str, dict[str, str]] = {package: {} for package in PACKAGES}
    for module in modules():
        for imported, line in imports(module):
            target = imported.split(".")[0]
            if target in PACKAGES and target != module.package:
                graph[module.package].setdefault(target, f"{module.relative}:{line}: imports {imported}")
    return graph


def cycles(graph: dict[str, dict[str, str]]) -> list[list[str]]:
    """Each elementary circle once, as the packages along it (the first one repeated at the end)."""
    found: list[list[str]] = []

    def walk(start: str, node: str, path: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt == start:
                found.append([*path, start])
            elif nxt not in path and PACKAGES.index(nxt) > PACKAGES.index(start):
                walk(start, nxt, [*path, nxt])

    for start in PACKAGES:
        walk(start, start, [start])
    return found


def test_no_import_circle_between_the_packages():
    graph = package_graph()
    offenders = []
    for circle in cycles(graph):
        offenders.append(" -> ".join(circle))
        offenders.extend(f"    {graph[a][b]}" for a, b in zip(circle, circle[1:], strict=False))
    assert offenders == [], report(offenders)


def test_the_layers_point_one_way():
    """The project imports the apps, the apps import core: core imports no app, no app imports the project."""
    graph = package_graph()
    offenders = [graph[CORE][target] for target in graph[CORE]]
    offenders += [graph[app][PROJECT] for app in APPS if PROJECT in graph[app]]
    assert offenders == [], report(offenders)


# --- (b) No module takes another module's private names -------------------------------------------


def dotted(node: ast.expr) -> list[str] | None:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(names)]


def private_uses(module: Module) -> Iterator[str]:
    bound: dict[str, str] = {}  # local name -> the first-party module it is bound to
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom):
            source = module.resolve(node)
            for alias in node.names:
                if is_private(alias.name):
                    yield f"{module.relative}:{node.lineno}: from {source} import {alias.name}"
                elif is_first_party_module(f"{source}.{alias.name}"):
                    bound[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            chain = dotted(node.value)
            if chain and chain[0] in bound:
                target = ".".join([bound[chain[0]], *chain[1:]])
                if is_first_party_module(target):
                    yield f"{module.relative}:{node.lineno}: {'.'.join(chain)}.{node.attr} ({target})"


def test_no_module_imports_another_modules_private_names():
    offenders = [use for module in modules() for use in private_uses(module)]
    assert offenders == [], report(offenders)


# --- (c, d) Thin views -------------------------------------------------------------------------------


def views_modules() -> list[Module]:
    return [module for module in modules() if module.is_views]


def test_views_read_through_selectors():
    """No ``Model.objects`` in a views module: reads are in the app's selectors."""
    offenders = [
        f"{module.relative}:{node.lineno}: {ast.unparse(node)}"
        for module in views_modules()
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    ]
    assert offenders == [], report(offenders)


def test_no_view_function_over_30_lines():
    """From ``def`` to the function's last line, decorators left out: every function of a views module."""
    offenders = []
    for module in views_modules():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_VIEW_LINES:
                    offenders.append(f"{module.relative}:{node.lineno}: {node.name} is {length} lines")
    assert offenders == [], report(offenders)


# --- (e, f) Small modules, plain blocks ---------------------------------------------------------------


def test_no_module_over_599_lines():
    offenders = []
    for module in modules():
        length = len(module.source.splitlines())
        if length > MAX_MODULE_LINES:
            offenders.append(f"{module.relative}:1: {length} lines")
    assert offenders == [], report(offenders)


def test_no_block_worse_than_radon_c():
    """Cyclomatic complexity as ``radon cc`` ranks it: functions, classes and their methods."""
    offenders = [
        f"{module.relative}:{block.lineno}: {block.fullname} {cc_rank(block.complexity)} ({block.complexity})"
        for module in modules()
        for block in cc_visit(module.source)
        if cc_rank(block.complexity) > WORST_RANK
    ]
    assert offenders == [], report(offenders)


# --- The checks check -------------------------------------------------------------------------------


def test_the_checks_see_the_whole_code_base():
    names = {module.name for module in modules()}
    assert {"evaluator.urls", "core.history", "scoring.views", "notifications.reminders"} <= names
    assert not any(".migrations." in name for name in names)
    assert "scoring.management.commands.seed_demo" not in names
    assert {"vendors.views", "notifications.views", "scoring.views.portfolio", "scoring.views.bids"} <= {
        m.name for m in views_modules()
    }


def test_a_circle_is_found():
    graph = {package: {} for package in PACKAGES}
    graph["core"]["scoring"] = "core/x.py:1"
    graph["scoring"]["core"] = "scoring/y.py:1"
    assert cycles(graph) == [["scoring", "core", "scoring"]]


def test_private_names_are_found():
    module = Module(ROOT / "notifications" / "example.py", "notifications.example")
    module.__dict__["source"] = (
        "from scoring.views import _filename, evaluation_view\n"
        "from . import reminders\n"
        "import core.history as history\n"
        "reminders.add_months(1, 2)\n"
        "reminders._recorded_before({})\n"
        "history._display(None, '', None, {})\n"
        "evaluation_view._cache\n"  # a function's attribute, not a module's name
    )
    assert list(private_uses(module)) == [
        "notifications/example.py:1: from scoring.views import _filename",
        "notifications/example.py:5: reminders._recorded_before (notifications.reminders)",
        "notifications/example.py:6: history._display (core.history)",
    ]
