"""DuckDB is the import benchmark's reference (requirements-dev.txt), not part of the app."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = (
    "core",
    "evidence",
    "audit",
    "strategy",
    "readiness",
    "assessment",
    "reports",
    "dashboards",
    "demo",
    "config",
)


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_of_the_app_imports_duckdb():
    importing = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "duckdb" in _imported(path)
    ]

    assert importing == []
    assert "duckdb" in _imported(ROOT / "bench" / "kpi_import.py")  # the reference it is


def test_duckdb_is_pinned_for_developers_not_for_the_app():
    requirements = (ROOT / "requirements.txt").read_text().lower()
    development = (ROOT / "requirements-dev.txt").read_text().lower().splitlines()

    assert "duckdb" not in requirements
    assert any(line.startswith("duckdb==") for line in development)
