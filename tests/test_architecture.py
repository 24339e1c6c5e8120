"""The floors of the house (docs/architecture.md), checked on the code itself.

Each app may import only the apps below it: the core imports none of ours, the content apps
the core (and the evidence, where a step records itself as evidence; the strategy also reads
the audit's service data), the outputs the core and the content apps' public modules, and the
demo and the project settings anything. An import hidden inside a function (the usual way to
dodge a circle) is refused too, except where an app registers itself in ``AppConfig.ready``
and in the worker's start-up signals, which run before Django is set up.

Of another app, an app imports only what that app shows the others (``PUBLIC``): its public
reads, the modules its registrations live in, and the few modules the docs name with the reason.
The apps checked are those of ``INSTALLED_APPS`` whose code lives here, so a new app is checked
from its first line and must have its row in both tables.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from core.sections import SECTION_KIND
from evidence.models import Evidence

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
    # Listens for sign-offs and quality assurance on the core's rows; imports no other output.
    "credentials": {"core"},
    # Gathers every app's personal data through the core's registry (core.subject_data).
    "privacy": {"core"},
    # LTI 1.3: launches into the core's cohorts and portfolios, listens for outcomes on its rows.
    "lti": {"core"},
    # Single sign-on and MFA: links SSO identities to the core's invited accounts.
    "sso": {"core"},
    "demo": {"core", "evidence", "audit", "strategy", "readiness", "assessment", "reports", "dashboards"},
    "config": {"core", "evidence", "audit", "strategy", "readiness", "assessment", "reports", "dashboards"},
}
APPS = set(MAY_IMPORT)

# app → the modules of it another app may import ("core.*": every module of the core, the
# ground floor all stand on). The reasons are in docs/architecture.md, "What each app shows".
PUBLIC: dict[str, set[str]] = {
    "core": {"core.*"},
    "evidence": {
        "evidence.selectors",  # its reads (the dashboards compose its querysets and SQL expressions)
        "evidence.services",  # record_section: a step of the audit or the strategy becomes evidence
        "evidence.rendering",  # an item's Markdown as every page shows it
        "evidence.transcripts",  # a transcript's response times, pure
        "evidence.pdf",  # the evidence index of the PDF, which reports lays out after the chapters
        "evidence.pdf_files",  # the index's stored files, carried into the PDF
        "evidence.pdf_images",  # the index's photos, scaled for print
    },
    "audit": {"audit.selectors", "audit.kpis"},
    "strategy": set(),
    "readiness": {"readiness.checks"},
    "assessment": {"assessment.selectors", "assessment.services"},
    "reports": set(),
    "dashboards": set(),
    "credentials": set(),
    "privacy": set(),
    "lti": set(),
    "sso": set(),
    "demo": set(),
    "config": set(),
}
# Above every floor: they put the house together (the URLs, the demo's data, which it writes
# through the services and reads back through the models), so no app's surface binds them.
ASSEMBLERS = {"demo", "config"}
# Files where importing inside a function is how registration works, not a dodge.
LOCAL_IMPORTS_ALLOWED = {"config/celery.py"}


def _ours() -> set[str]:
    """Every top-level package or module of this repository, app or not (tests, bench, load…):
    an import of any of them from an app is seen, whether the tables know it or not."""
    skip = {".venv", "node_modules", "static", "templates", "docs"}
    return {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir()
        and not path.name.startswith(".")
        and path.name not in skip
        and any(path.rglob("*.py"))
    } | {path.stem for path in ROOT.glob("*.py")}


OURS = _ours()


def _installed_apps() -> set[str]:
    """The apps of ``INSTALLED_APPS`` whose code lives in this repository."""
    return {name.split(".")[0] for name in settings.INSTALLED_APPS if (ROOT / name.split(".")[0]).is_dir()}


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


@dataclass(frozen=True)
class Import:
    path: str
    line: int
    module: str  # the module imported: "audit.charts" for ``from audit import charts``
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
                # ``from audit import charts`` imports the module audit.charts; ``from
                # audit.kpis import KPI_CATALOGUE`` a name of the module audit.kpis.
                found.extend(
                    Import(
                        relative,
                        child.lineno,
                        f"{child.module}.{alias.name}"
                        if _is_module(f"{child.module}.{alias.name}")
                        else child.module,
                        local,
                    )
                    for alias in child.names
                )
            visit(child, inner)

    visit(tree, False)
    return [i for i in found if i.app in OURS]


def _is_public(module: str) -> bool:
    return any(
        module == shown or (shown.endswith(".*") and module.startswith(shown[:-1]))
        for shown in PUBLIC[module.split(".")[0]]
    )


def _checked_apps() -> set[str]:
    """The apps of ours, from ``INSTALLED_APPS`` (not from the tables), and the project package."""
    return _installed_apps() | {"config"}


def _app_files() -> list[Path]:
    return sorted(
        path
        for app in _checked_apps()
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


def test_every_app_of_ours_has_its_floor_and_its_surface() -> None:
    """An app added to ``INSTALLED_APPS`` is checked at once: it needs its row in both tables,
    and neither table keeps an app that is gone."""
    assert _installed_apps() >= {"core", "evidence", "audit", "strategy", "readiness"}
    assert set(MAY_IMPORT) == _checked_apps()
    assert set(PUBLIC) == _checked_apps()


def test_every_public_module_exists() -> None:
    """The public surface names real modules, so a module renamed does not leave a dead row."""
    missing = [
        shown
        for app, modules in PUBLIC.items()
        for shown in modules
        if not shown.startswith(f"{app}.") or not (shown.endswith(".*") or _is_module(shown))
    ]
    assert missing == []


def test_the_imports_between_apps_have_no_circle() -> None:
    """The real imports, not only the table, run one way between the apps."""
    below: dict[str, set[str]] = {app: set() for app in _checked_apps()}
    for path in _app_files():
        below[_own_app(path)] |= {i.app for i in _imports(path) if i.app != _own_app(path)}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            app == goal or (app not in seen and reaches(app, goal, seen | {app}))
            for app in below.get(start, set())
        )

    assert [app for app in sorted(below) if reaches(app, app, set())] == []


def test_an_app_imports_only_what_another_app_shows() -> None:
    """Of another app, only the modules of its public surface (``PUBLIC``): no output builds
    its own queries on a content app's models or reaches into its internals."""
    internal = [
        f"{i.path}:{i.line} imports {i.module}, which {i.app} does not show "
        f"(public: {sorted(PUBLIC.get(i.app, set())) or 'nothing'})"
        for path in _app_files()
        if _own_app(path) not in ASSEMBLERS
        for i in _imports(path)
        if i.app != _own_app(path) and not _is_public(i.module)
    ]
    assert internal == []


def test_every_app_imports_only_the_apps_below_it() -> None:
    wrong = [
        f"{i.path}:{i.line} imports {i.module} ({_own_app(ROOT / i.path)} may import "
        f"{sorted(MAY_IMPORT.get(_own_app(ROOT / i.path), set())) or 'no other app'})"
        for path in _app_files()
        for i in _imports(path)
        if i.app != _own_app(path) and i.app not in MAY_IMPORT.get(_own_app(path), set())
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


@pytest.mark.parametrize(
    ("source", "app", "allowed"),
    [
        ("from evidence.models import CriterionMapping\n", "dashboards", False),
        ("from evidence.selectors.tallies import EVIDENCED_SQL\n", "dashboards", False),
        ("from evidence.selectors import evidencing_mappings\n", "dashboards", True),
        ("from evidence import selectors\n", "dashboards", True),
        ("from audit import charts\n", "strategy", False),
        ("from audit.pdf_kpis import KpiFigures\n", "strategy", False),
        ("from audit.selectors import kpi_snapshot\n", "strategy", True),
        ("from core.pdf.chapters import register_provider\n", "strategy", True),
        ("import bench.dashboard\n", "evidence", False),
    ],
)
def test_the_checks_would_catch_an_internal_or_unknown_import(source: str, app: str, allowed: bool) -> None:
    """The public-surface check and the floors together: an internal module of another app, or
    a package of ours that is no app (``bench``), is seen."""
    imports = [i for i in _imports_in(source, f"{app}/probe.py") if i.app != app]
    seen = any(i.app not in MAY_IMPORT.get(app, set()) or not _is_public(i.module) for i in imports)
    assert imports != []
    assert (not seen) is allowed


def test_a_section_is_told_by_the_kind_the_evidence_gives_it() -> None:
    """``core.sections.SECTION_KIND`` is how the floors above read a snapshot's sections
    without the evidence's models; it must be the evidence's own value."""
    assert SECTION_KIND == Evidence.Kind.SECTION
