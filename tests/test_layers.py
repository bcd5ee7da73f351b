"""The apps are layered: a module imports only from its own layer or the layers below it.

portal (the floor) < enterprises < organizations < instructors < assessments < demo. An import
inside a function is allowed only where it breaks a real import cycle, and says so with a
`# cycle: <why>` comment on the line above it. The import graph is read with `ast`, no app is
imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("portal", "enterprises", "organizations", "instructors", "assessments", "demo")
RANK = {app: rank for rank, app in enumerate(LAYERS)}
CYCLE_MARK = "# cycle:"


def _imported_apps(node: ast.Import | ast.ImportFrom, own_app: str) -> list[str]:
    """The project apps an import statement names (a relative import stays in its own app)."""
    if isinstance(node, ast.ImportFrom):
        if node.level:
            return [own_app]
        modules = [node.module or ""]
    else:
        modules = [alias.name for alias in node.names]
    return [module.split(".")[0] for module in modules if module.split(".")[0] in RANK]


def _imports_with_scope(tree: ast.AST):
    """(import node, inside a function?) for every import statement of a module."""

    def visit(node: ast.AST, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_function
            yield from visit(
                child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            )

    yield from visit(tree, False)


def layer_problems(source: str, path: str, app: str) -> list[str]:
    """Every upward import in `source` (a module of `app`), and every in-function import of a
    project module without a `# cycle:` comment in the comment block right above it (or above the
    run of import statements it belongs to), as "path:line: why"."""
    lines = source.splitlines()
    imports = list(_imports_with_scope(ast.parse(source, filename=path)))
    starts = {node.end_lineno: node.lineno for node, _ in imports}  # last line -> first line
    problems = []
    for node, in_function in imports:
        targets = _imported_apps(node, app)
        for target in targets:
            if RANK[target] > RANK[app]:
                problems.append(
                    f"{path}:{node.lineno}: {app} (layer {RANK[app]}) imports {target} (layer {RANK[target]}), "
                    "a layer above it"
                )
        if in_function and targets:
            above = node.lineno - 1
            while above in starts:
                above = starts[above] - 1
            comments = []
            while above >= 1 and lines[above - 1].strip().startswith("#"):
                comments.append(lines[above - 1].strip())
                above -= 1
            if not any(comment.startswith(CYCLE_MARK) for comment in comments):
                problems.append(
                    f"{path}:{node.lineno}: import inside a function without a `{CYCLE_MARK} <why>` comment "
                    "on the line above: move it to the top of the module"
                )
    return problems


def project_modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield app, path


def test_no_module_imports_from_a_layer_above_it_nor_inside_a_function_without_a_cycle():
    problems = [
        problem
        for app, path in project_modules()
        for problem in layer_problems(path.read_text(), str(path.relative_to(ROOT)), app)
    ]
    assert not problems, "\n".join(problems)


def test_the_walk_covers_every_app():
    assert {app for app, _ in project_modules()} == set(LAYERS)


PLANTED = """\
from portal.models import Region
from enterprises.models import Enterprise
from assessments import services


def build():
    from organizations.models import PartyMember

    # cycle: the service imports this module at load time
    from enterprises import services
    from portal import audit

    import json

    return PartyMember, services, audit, json
"""


def test_the_checker_catches_a_planted_upward_import_and_an_unexplained_function_import():
    problems = layer_problems(PLANTED, "organizations/planted.py", "organizations")
    assert problems == [
        "organizations/planted.py:3: organizations (layer 2) imports assessments (layer 4), a layer above it",
        "organizations/planted.py:7: import inside a function without a `# cycle: <why>` comment on the line above: "
        "move it to the top of the module",
    ]


@pytest.mark.parametrize(
    ("source", "app", "expected"),
    [
        ("import demo.registers\n", "assessments", "assessments (layer 4) imports demo (layer 5)"),
        ("def f():\n    # cycle: x\n    from instructors import models\n", "enterprises", "enterprises (layer 1)"),
        ("class A:\n    def f(self):\n        import portal.audit\n", "portal", "inside a function"),
    ],
)
def test_the_checker_names_the_file_line_and_the_layers(source, app, expected):
    (problem,) = layer_problems(source, f"{app}/x.py", app)
    assert problem.startswith(f"{app}/x.py:") and expected in problem


def test_a_relative_or_third_party_import_is_no_concern_of_the_checker():
    source = "from . import models\n\ndef f():\n    import json\n    from django.db import models\n"
    assert layer_problems(source, "portal/x.py", "portal") == []
