"""Where a version stands is ``core.models.VersionState``: code and templates name its members
(``VersionState.AWAITING_REVIEW``, ``state.is_awaiting_review``, ``version.state.label``) and
never spell the state out again. A bare "awaiting review" compared or written as a state is how
two pages came to disagree about the words: this test finds one wherever it is added.

Prose that mentions the words in a sentence ("neither awaiting review nor signed off") is fine:
the checks look for the state as a whole string literal, or as a template's whole text between
two tags, as ``{% else %}awaiting review{% endif %}`` once was.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "node_modules", "migrations", "tests", "staticfiles", ".git", ".mypy_cache"}
WORDS = r"awaiting[ _]review"
LITERAL = re.compile(rf"""(["']){WORDS}\1""", re.IGNORECASE)
# A member of a choices class, where the words are defined: `AWAITING_REVIEW = "awaiting review", label`.
MEMBER = re.compile(r"""^\s*[A-Z_]+ = (["'])[^"']+\1, """)
TEMPLATE_TEXT = re.compile(rf"""[%}}]}}\s*{WORDS}\s*{{[%{{]""", re.IGNORECASE)


def _sources() -> Iterator[Path]:
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix in {".py", ".html"}:
                yield path


def _bare_states(path: Path) -> list[str]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if (LITERAL.search(line) and not MEMBER.match(line)) or (
            path.suffix == ".html" and TEMPLATE_TEXT.search(line)
        ):
            found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    return found


def test_no_code_or_template_spells_out_the_awaiting_review_state() -> None:
    found = [hit for path in _sources() for hit in _bare_states(path)]
    assert not found, "name VersionState (or dashboards' SubmissionState) instead:\n" + "\n".join(found)


def test_the_check_finds_a_bare_state() -> None:
    assert LITERAL.search('if state != "awaiting review":')
    assert LITERAL.search("AWAITING_REVIEW = 'awaiting_review'")
    assert TEMPLATE_TEXT.search("{% else %}awaiting review{% endif %}")
    assert not LITERAL.search('"neither awaiting review nor signed off"')
    assert MEMBER.match('    AWAITING_REVIEW = "awaiting review", "Awaiting review"')
