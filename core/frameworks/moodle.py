"""Moodle's competency framework CSV export (tool_lpimportcsv), read into a framework spec."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils.translation import ngettext

from core.frameworks.specs import (
    CriterionSpec,
    FrameworkSpec,
    GroupSpec,
    Problem,
    field_length,
    single_line,
    tidy_lines,
)
from core.models import Criterion, CriterionGroup, Framework

MOODLE_HEADER = (
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
)
# Moodle writes 2 for plain text and 4 for Markdown; anything else (1 HTML, 0 Moodle auto-format)
# may hold markup.
_MOODLE_PLAIN_FORMATS = {"2", "4"}
GROUP_PATH_SEPARATOR = " \u203a "  # single right-pointing angle quotation mark


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, one line per block."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _header_key(name: str) -> str:
    # Older Moodle releases wrote "Parent id number", "Shortname", "Cross referenced…": compare
    # letters and digits only, so any release's export is accepted and nothing else is.
    return re.sub(r"[^0-9a-z]", "", name.casefold())


@dataclass(frozen=True)
class _MoodleRow:
    row: int  # as a spreadsheet numbers it: the header is row 1
    parent: str
    idnumber: str
    shortname: str
    description: str
    description_format: str
    related: str
    is_framework: bool
    taxonomy: str

    def plain_description(self, *, one_line: bool) -> str:
        if self.description_format in _MOODLE_PLAIN_FORMATS:
            text = self.description
        else:
            text = html_to_text(self.description)
        return single_line(text) if one_line else tidy_lines(text)


class _Problems(list[Problem]):
    def __init__(self, source_name: str) -> None:
        super().__init__()
        self.source_name = source_name

    def add(self, row: int | None, message: str) -> None:
        self.append(Problem(self.source_name, f"row {row}" if row else "", message))


def read_moodle_csv(text: str, source_name: str) -> tuple[FrameworkSpec | None, list[Problem]]:
    problems = _Problems(source_name)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[_MoodleRow] = []
    try:
        header = next(reader)
        if [_header_key(name) for name in header] != [_header_key(name) for name in MOODLE_HEADER]:
            problems.add(1, _header_problem(header))
            return None, list(problems)
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(MOODLE_HEADER):
                columns = ngettext("%(count)d column", "%(count)d columns", len(cells)) % {
                    "count": len(cells)
                }
                problems.add(number, f"has {columns}; Moodle's export has {len(MOODLE_HEADER)}")
                continue
            c = [cell.strip() for cell in cells]
            # Moodle treats any Is framework value PHP finds truthy as yes: not "" and not "0".
            rows.append(
                _MoodleRow(number, c[0], c[1], c[2], c[3], c[4], c[10], c[12] not in {"", "0"}, c[13])
            )
    except csv.Error as exc:
        problems.add(None, f"the CSV is ill-formed near line {reader.line_num}: {exc}")
        return None, list(problems)
    spec = _moodle_framework(rows, source_name, problems)
    return (spec if not problems else None), list(problems)


def _header_problem(header: list[str]) -> str:
    expected = ", ".join(f'"{name}"' for name in MOODLE_HEADER)
    for index, name in enumerate(MOODLE_HEADER):
        found = header[index] if index < len(header) else None
        if found is None or _header_key(found) != _header_key(name):
            detail = (
                f'column {index + 1} is "{found}"' if found is not None else f"column {index + 1} is missing"
            )
            break
    else:
        detail = ngettext("there is %(count)d column", "there are %(count)d columns", len(header)) % {
            "count": len(header)
        }
    return (
        f"this is not Moodle's competency framework export ({detail}); "
        f"the header must be the {len(MOODLE_HEADER)} columns {expected}"
    )


def _moodle_framework(rows: list[_MoodleRow], source_name: str, problems: _Problems) -> FrameworkSpec | None:
    framework_rows = [row for row in rows if row.is_framework]
    for row in framework_rows[1:]:
        problems.add(
            row.row, f"is a second framework row (Is framework = 1); the first is row {framework_rows[0].row}"
        )
    competencies = _moodle_competencies(rows, problems)
    if not framework_rows:
        problems.add(None, "no row has Is framework = 1, so there is no framework to import")
        return None
    framework = framework_rows[0]
    children: dict[str, list[_MoodleRow]] = {}
    for row in competencies.values():
        if row.parent and row.parent not in competencies:
            problems.add(
                row.row,
                f"competency {row.idnumber}: parent ID number {row.parent} is not the ID number "
                "of a competency in this file",
            )
        children.setdefault(row.parent, []).append(row)
    groups, reached = _moodle_groups(framework, children)
    for row in competencies.values():
        if row.idnumber not in reached and _in_parent_loop(row, competencies):
            problems.add(
                row.row, f"competency {row.idnumber} is in a loop of parents and never reaches the framework"
            )
    seen: set[str] = set()
    for group in groups:
        if group.code in seen:
            problems.add(None, f"group code {group.code} is used by the framework row and by a competency")
        seen.add(group.code)
    if not groups:
        problems.add(None, "the framework has no competencies")
    return FrameworkSpec(
        source_name=source_name,
        code=framework.idnumber,
        title=single_line(framework.shortname),
        kind=Framework.Kind.OTHER,
        source="Moodle competency framework",
        description=framework.plain_description(one_line=False),
        groups=tuple(groups),
        notes=_moodle_notes(rows),
    )


def _in_parent_loop(row: _MoodleRow, competencies: dict[str, _MoodleRow]) -> bool:
    """Does following parents from ``row`` lead back to it? Rows that merely hang off a loop, or
    off an unknown parent, are not reported themselves: fixing the loop or the parent fixes them."""
    start, seen = row.idnumber, set()
    while row.parent in competencies and row.idnumber not in seen:
        seen.add(row.idnumber)
        row = competencies[row.parent]
        if row.idnumber == start:
            return True
    return False


def _moodle_competencies(rows: list[_MoodleRow], problems: _Problems) -> dict[str, _MoodleRow]:
    """Competency rows by ID number, reporting rows that cannot become a group or a criterion."""
    competencies: dict[str, _MoodleRow] = {}
    for row in rows:
        label = "the framework row" if row.is_framework else f"competency {row.idnumber}".strip()
        if not row.idnumber:
            problems.add(row.row, f"{label} has no ID number")
        elif len(row.idnumber) > field_length(Criterion, "code"):
            problems.add(
                row.row, f"{label}: the ID number is longer than {field_length(Criterion, 'code')} characters"
            )
        if not row.shortname:
            problems.add(row.row, f"{label} has no short name")
        if row.is_framework or not row.idnumber:
            continue
        if row.idnumber in competencies:
            problems.add(
                row.row,
                f"ID number {row.idnumber} is used twice (first at row {competencies[row.idnumber].row})",
            )
        competencies.setdefault(row.idnumber, row)
    return competencies


def _moodle_groups(
    framework: _MoodleRow, children: dict[str, list[_MoodleRow]]
) -> tuple[list[GroupSpec], set[str]]:
    """Flatten Moodle's tree: a competency with leaf children is a group, each leaf a criterion.

    Nested groups are flattened in tree order, each titled with its path. Top-level leaves (a flat
    framework) go into a group named after the framework itself. Returns the groups and the ID
    numbers reached from the top, so that rows caught in a loop of parents can be reported.
    """
    taxonomies = [term.strip() for term in framework.taxonomy.split(",")] if framework.taxonomy else []

    def criteria(rows: list[_MoodleRow]) -> tuple[CriterionSpec, ...]:
        return tuple(
            CriterionSpec(row.idnumber, row.plain_description(one_line=True) or single_line(row.shortname))
            for row in rows
        )

    groups: list[GroupSpec] = []
    top_leaves = [row for row in children.get("", []) if not children.get(row.idnumber)]
    if top_leaves:
        groups.append(
            GroupSpec(framework.idnumber, single_line(framework.shortname), "", criteria(top_leaves))
        )
    reached: set[str] = set()
    # An explicit stack rather than recursion: a file may nest deeper than Python's recursion limit.
    stack = [(row, (single_line(row.shortname),), 1) for row in reversed(children.get("", []))]
    while stack:
        row, path, depth = stack.pop()
        reached.add(row.idnumber)
        kids = children.get(row.idnumber, [])
        leaves = [kid for kid in kids if not children.get(kid.idnumber)]
        if leaves:
            kind = (
                taxonomies[depth - 1][: field_length(CriterionGroup, "kind")]
                if depth <= len(taxonomies)
                else ""
            )
            groups.append(GroupSpec(row.idnumber, GROUP_PATH_SEPARATOR.join(path), kind, criteria(leaves)))
        stack.extend((kid, (*path, single_line(kid.shortname)), depth + 1) for kid in reversed(kids))
    return groups, reached


def _moodle_notes(rows: list[_MoodleRow]) -> tuple[str, ...]:
    notes = []
    if any(row.related for row in rows):
        notes.append(
            "Moodle's cross-referenced competencies were not imported: link criteria with a crosswalk file"
        )
    return tuple(notes)


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment; never fetches or runs anything it finds."""

    BLOCKS = frozenset(
        {"br", "p", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    )
    HIDDEN = frozenset({"script", "style", "template", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            # Line breaks in the markup are only layout; blocks and <br> decide the text's lines.
            self.parts.append(" ".join(data.splitlines()))
