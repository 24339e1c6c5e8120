"""The floors of the house (docs/architecture.md), checked on the code itself.

Each app may import only the apps below it: the core imports none of ours, the content apps
the core (and the evidence, where a step records itself as evidence; the strategy also reads
the audit's service data), the outputs the core and the content apps' public modules, and the
demo and the project settings anything. An import hidden inside a function (the usual way to
dodge a circle) is refused too, except where an app registers itself in ``AppConfig.ready``
and in the worker's start-up signals, which run before Django is set up.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# app → the apps of ours it may import (its own is always allowed)
MAY_IMPORT: dict[str, set[str]] = {
    "core": set(),
    "evidence": {"core"},
    "audit": {"core", "evidence"},
    # The strategy's objectives and monitoring are measured against the audit's service data.
    "strategy": {"core", "evidence", "audit"},
    "readiness": {"core"},
    "assessment": {"core", "evidence", "readiness"},
    "reports": {"core", "evidence", "assessment"},
    "dashboards": {"core", "evidence", "readiness", "assessment"},
    # Gathers every app's personal data through the core's registry (core.subject_data).
    "privacy": {"core"},
    "demo": {"core", "evidence", "audit", "strategy", "readiness", "assessment", "reports", "dashboards"},
    "config": {"core", "evidence", "audit", "strategy", "readiness", "assessment", "reports", "dashboards"},
}
APPS = set(MAY_IMPORT)
# Files where importing inside a function is how registration works, not a dodge.
LOCAL_IMPORTS_ALLOWED = {"config/celery.py"}


@dataclass(frozen=True)
class Import:
    path: str
    line: int
    module: str
    local: bool  # inside a function

    @property
    def app(self) -> str:
        return self.module.split(".")[0]


def _imports(path: Path) -> list[Import]:
    return _imports_in(path.read_text(), path.relative_to(ROOT).as_posix())


def _imports_in(source: str, relative: str) -> list[Import]:
    tree = ast.parse(source, filename=relative)
    found: list[Import] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend(Import(relative, child.lineno, alias.name, local) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.extend(
                    Import(relative, child.lineno, f"{child.module}.{alias.name}", local)
                    for alias in child.names
                )
            visit(child, inner)

    visit(tree, False)
    return [i for i in found if i.app in APPS]


def _app_files() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    )


def _own_app(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def test_the_floors_have_no_circle() -> None:
    """The table itself runs one way: following the allowed imports never comes back."""

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for below in MAY_IMPORT[start]:
            if below == goal or (below not in seen and reaches(below, goal, seen | {below})):
                return True
        return False

    assert [app for app in APPS if reaches(app, app, set())] == []


def test_every_app_imports_only_the_apps_below_it() -> None:
    wrong = [
        f"{i.path}:{i.line} imports {i.module} ({_own_app(ROOT / i.path)} may import "
        f"{sorted(MAY_IMPORT[_own_app(ROOT / i.path)]) or 'no other app'})"
        for path in _app_files()
        for i in _imports(path)
        if i.app != _own_app(path) and i.app not in MAY_IMPORT[_own_app(path)]
    ]
    assert wrong == []


def test_no_import_hides_inside_a_function() -> None:
    hidden = [
        f"{i.path}:{i.line} imports {i.module} inside a function"
        for path in _app_files()
        for i in _imports(path)
        if i.local and path.name != "apps.py" and i.path not in LOCAL_IMPORTS_ALLOWED
    ]
    assert hidden == []


def test_the_core_imports_no_other_app() -> None:
    core = [i.module for path in (ROOT / "core").rglob("*.py") for i in _imports(path) if i.app != "core"]
    assert core == []


@pytest.mark.parametrize(
    ("source", "app", "allowed"),
    [
        ("from strategy.models import Objective\n", "core", False),
        ("from readiness.checks import check_portfolio\n", "evidence", False),
        ("from core.models import Portfolio\n", "evidence", True),
        ("def f():\n    from dashboards import selectors\n", "assessment", False),
    ],
)
def test_the_checks_would_catch_a_wrong_import(source: str, app: str, allowed: bool) -> None:
    """The scanner itself: a wrong import, as if written into one of the app's files, is seen."""
    imports = _imports_in(source, f"{app}/probe.py")
    breaks_floor = any(i.app != app and i.app not in MAY_IMPORT[app] for i in imports)
    hides = any(i.local for i in imports)
    assert (not breaks_floor and not hides) is allowed
