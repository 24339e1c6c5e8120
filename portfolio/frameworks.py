"""Criteria as data: read framework and crosswalk files, check them whole, then import them.

Three formats are read (docs/frameworks.md describes them for the people who write them):

* a framework file in YAML or JSON: ``framework`` (code, title, kind…) and ``groups`` of ``criteria``;
* a crosswalk file in YAML or JSON: ``crosswalk`` (from, to) and ``links`` between criteria codes;
* Moodle's competency framework CSV export (tool_lpimportcsv).

Every file is read and checked in full before anything is written, so one run reports every
problem at once, each with where it is (YAML line, JSON path, CSV row), and a failed run writes
nothing. Importing is idempotent: records are matched by code and only changed when the file says
something different. Nothing is ever deleted: evidence may already be mapped to a criterion that a
newer file leaves out, so such criteria are kept and reported as warnings.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction
from django.utils import timezone

from portfolio.models import Criterion, CriterionGroup, CrosswalkLink, Framework, User
from portfolio.services import PortfolioError

log = logging.getLogger(__name__)

# Framework files are small (the standard is 3 kB); the cap keeps an upload from tying up a worker.
MAX_FILE_BYTES = 2 * 1024 * 1024

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


class FrameworkFileError(PortfolioError):
    """One or more files cannot be imported. ``messages`` lists every problem, each saying where."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        self.messages = [str(problem) for problem in self.problems]
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class Problem:
    source: str  # the file's name as the user gave it
    where: str  # YAML/JSON-syntax line number, JSON path, or "row N" of a CSV; "" for the whole file
    message: str

    def __str__(self) -> str:
        return (
            f"{self.source}:{self.where}: {self.message}" if self.where else f"{self.source}: {self.message}"
        )


@dataclass(frozen=True)
class SourceFile:
    """A file to import: its name (for messages and choosing the format) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    text: str


@dataclass(frozen=True)
class GroupSpec:
    code: str
    title: str
    kind: str
    criteria: tuple[CriterionSpec, ...]


@dataclass(frozen=True)
class FrameworkSpec:
    source_name: str
    code: str
    title: str
    kind: str
    version: str = ""
    source: str = ""
    description: str = ""
    groups: tuple[GroupSpec, ...] = ()
    notes: tuple[str, ...] = ()  # things the file holds that are not imported, shown as warnings

    @property
    def criterion_codes(self) -> set[str]:
        return {criterion.code for group in self.groups for criterion in group.criteria}


@dataclass(frozen=True)
class LinkSpec:
    source: str
    target: str
    rationale: str
    where: str


@dataclass(frozen=True)
class CrosswalkSpec:
    source_name: str
    from_code: str
    to_code: str
    links: tuple[LinkSpec, ...]
    where: str = ""


Spec = FrameworkSpec | CrosswalkSpec


@dataclass
class ImportResult:
    """What one file did to the database, for the command or a page to show."""

    source_name: str
    subject: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        return (
            f"{self.source_name}: {self.subject}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged" + (f", {len(self.warnings)} warning(s)" if self.warnings else "")
        )


# --- Public entry points ----------------------------------------------------------------


def import_framework_files(*, paths: Sequence[str | Path], actor: User | None = None) -> list[ImportResult]:
    """Read, check and import files from disk; see ``import_frameworks``."""
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            sources.append(SourceFile(name=str(path), data=Path(path).read_bytes()))
        except OSError as exc:
            problems.append(Problem(str(path), "", f"cannot be read: {exc.strerror or exc}"))
    return _import(sources=sources, problems=problems, actor=actor)


def import_frameworks(*, sources: Sequence[SourceFile], actor: User | None = None) -> list[ImportResult]:
    """Check every source, then import frameworks before crosswalks in one transaction.

    Raises ``FrameworkFileError`` with every problem found, having written nothing.
    """
    return _import(sources=sources, problems=[], actor=actor)


def check_frameworks(*, sources: Sequence[SourceFile]) -> list[Spec]:
    """Parse and cross-check sources without writing; frameworks come first in the result."""
    specs, problems = _parse_all(sources)
    problems += _check_across(specs)
    if problems:
        raise FrameworkFileError(problems)
    return specs


def parse_source(*, source: SourceFile) -> Spec:
    """Parse one file on its own (crosswalk references are not resolved here)."""
    spec, problems = _parse(source)
    if problems or spec is None:
        raise FrameworkFileError(problems)
    return spec


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, one line per block."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


# --- Orchestration -----------------------------------------------------------------------


@transaction.atomic
def _import(
    *, sources: Sequence[SourceFile], problems: list[Problem], actor: User | None
) -> list[ImportResult]:
    specs, parse_problems = _parse_all(sources)
    problems = problems + parse_problems
    # Cross-checks read the database, so they run inside the transaction that writes.
    problems += _check_across(specs)
    if problems:
        raise FrameworkFileError(problems)
    results = [
        _write_framework(spec) if isinstance(spec, FrameworkSpec) else _write_crosswalk(spec)
        for spec in specs
    ]
    # A web import is logged for the record; the command prints its own summary, so only debug there.
    level = logging.INFO if actor is not None else logging.DEBUG
    for result in results:
        log.log(level, "framework import by %s: %s", actor or "command line", result.summary())
    return results


def _parse_all(sources: Sequence[SourceFile]) -> tuple[list[Spec], list[Problem]]:
    specs: list[Spec] = []
    problems: list[Problem] = []
    for source in sources:
        spec, found = _parse(source)
        problems += found
        if spec is not None and not found:
            specs.append(spec)
    # Crosswalks refer to frameworks, so frameworks go first whatever order the files came in.
    specs.sort(key=lambda spec: isinstance(spec, CrosswalkSpec))
    return specs, problems


def _parse(source: SourceFile) -> tuple[Spec | None, list[Problem]]:
    def fail(message: str, where: str = "") -> tuple[None, list[Problem]]:
        return None, [Problem(source.name, where, message)]

    if len(source.data) > MAX_FILE_BYTES:
        return fail(f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; a framework file is far smaller")
    try:
        text = source.data.decode("utf-8-sig")  # Excel and Windows editors add a BOM
    except UnicodeDecodeError as exc:
        line = source.data[: exc.start].count(b"\n") + 1
        return fail("is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in Excel)", str(line))
    if not text.strip():
        return fail("is empty")
    fmt = _detect_format(source.name, text)
    if fmt == "csv":
        return _read_moodle_csv(text, source.name)
    checker = _Checker(source.name)
    data = _load_yaml(text, checker) if fmt == "yaml" else _load_json(text, checker)
    if checker.problems:
        return None, checker.problems
    spec = _check_document(data, checker)
    return (spec if not checker.problems else None), checker.problems


def _detect_format(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in {".yaml", ".yml"}:
        return "yaml"
    if suffix in {".json", ".csv"}:
        return suffix[1:]
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return "json"
    first_line = stripped.split("\n", 1)[0].casefold()
    return "csv" if "id number" in first_line and "," in first_line else "yaml"


def _check_across(specs: Sequence[Spec]) -> list[Problem]:
    """Problems only visible across files or against the database: duplicates and references."""
    problems: list[Problem] = []
    frameworks: dict[str, FrameworkSpec] = {}
    for spec in specs:
        if isinstance(spec, FrameworkSpec):
            if spec.code in frameworks:
                first = frameworks[spec.code].source_name
                problems.append(Problem(spec.source_name, "", f"framework {spec.code} is also in {first}"))
            frameworks.setdefault(spec.code, spec)
    crosswalks = [spec for spec in specs if isinstance(spec, CrosswalkSpec)]
    wanted = {code for cw in crosswalks for code in (cw.from_code, cw.to_code)}
    known: dict[str, set[str]] = {
        code: set() for code in Framework.objects.filter(code__in=wanted).values_list("code", flat=True)
    }
    for framework_code, code in Criterion.objects.filter(framework__code__in=wanted).values_list(
        "framework__code", "code"
    ):
        known[framework_code].add(code)
    for code, spec in frameworks.items():
        known.setdefault(code, set()).update(spec.criterion_codes)
    for cw in crosswalks:
        for framework_code in dict.fromkeys((cw.from_code, cw.to_code)):
            if framework_code not in known:
                problems.append(
                    Problem(
                        cw.source_name,
                        cw.where,
                        f"framework {framework_code} is not in the database, "
                        "nor in any file here without problems",
                    )
                )
        for link in cw.links:
            for framework_code, code in ((cw.from_code, link.source), (cw.to_code, link.target)):
                if framework_code in known and code not in known[framework_code]:
                    problems.append(
                        Problem(
                            cw.source_name,
                            link.where,
                            f"criterion {code} is not in framework {framework_code}",
                        )
                    )
    return problems


# --- YAML and JSON -----------------------------------------------------------------------


class _Meta:
    """Keys the readers add to mappings. Not strings, so never confused with a key from the file."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


_LINE = _Meta("line")  # line where a YAML mapping starts
_KEY_LINES = _Meta("key lines")  # {key: line of the key} in a YAML mapping
_DUPLICATES = _Meta("duplicate keys")  # keys given twice, which both parsers would silently collapse


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that remembers where each mapping and value sits, for messages that give lines."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        # Aliases let a small file expand into millions of criteria; framework files never need them.
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (*name) are not allowed here", self.peek_event().start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        key_lines: dict[Any, int] = {}
        seen: set[str] = set()
        duplicates: list[str] = []
        for key_node, _value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    duplicates.append(key_node.value)
                seen.add(key_node.value)
                key_lines[key_node.value] = key_node.start_mark.line + 1
        mapping[_LINE] = node.start_mark.line + 1
        mapping[_KEY_LINES] = key_lines
        if duplicates:
            mapping[_DUPLICATES] = duplicates
        return mapping


def _load_yaml(text: str, checker: _Checker) -> Any:
    loader = _LineLoader(text)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = "; ".join(part for part in (exc.context, exc.problem) if part)
        checker.add(
            str(mark.line + 1) if mark else "",
            f"the YAML is ill-formed (check indentation and quotes): {detail}",
        )
    except yaml.YAMLError as exc:
        checker.add("", f"the YAML is ill-formed: {exc}")
    finally:
        loader.dispose()
    return None


def _json_object(pairs: list[tuple[str, Any]]) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    duplicates = []
    for key, value in pairs:
        if key in mapping:
            duplicates.append(key)
        mapping[key] = value
    if duplicates:
        mapping[_DUPLICATES] = duplicates
    return mapping


def _load_json(text: str, checker: _Checker) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_json_object)
    except json.JSONDecodeError as exc:
        checker.add(str(exc.lineno), f"the JSON is ill-formed: {exc.msg} (column {exc.colno})")
    except RecursionError:
        checker.add("", "the JSON is nested too deeply")
    return None


_TYPE_NAMES = {
    bool: "true/false",
    int: "a number",
    float: "a number",
    str: "text",
    list: "a list",
    dict: "a mapping",
}


class _Checker:
    """Collects problems, locating each by YAML line when known and by JSON path otherwise."""

    def __init__(self, source_name: str) -> None:
        self.source_name = source_name
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.source_name, where, message))

    @staticmethod
    def where(mapping: Any, path: str, key: str | None = None) -> str:
        if isinstance(mapping, dict) and _LINE in mapping:
            return str(mapping[_KEY_LINES].get(key, mapping[_LINE]))
        if key is not None:
            return f"{path}.{key}" if path else key
        return path

    @staticmethod
    def item_where(parent: Any, key: str, path: str) -> str:
        """Where an entry of the list at ``parent[key]`` is: the list's line in YAML, else ``path``."""
        return _Checker.where(parent, path, key) if isinstance(parent, dict) and _LINE in parent else path

    def mapping(
        self, value: Any, path: str, label: str, allowed: Sequence[str], where: str | None = None
    ) -> bool:
        """Is ``value`` a mapping with only ``allowed`` keys? Reports what is wrong if not.

        ``where`` locates a value that is not a mapping (YAML records lines for mappings only).
        """
        if not isinstance(value, dict):
            self.add(
                path if where is None else where,
                f"{label} must be a mapping with {', '.join(allowed)}, not {_type_name(value)}",
            )
            return False
        for key in value.get(_DUPLICATES, ()):
            self.add(self.where(value, path, key), f"{label}: {key} is given twice")
        for key in value:
            if not isinstance(key, _Meta) and key not in allowed:
                self.add(
                    self.where(value, path, key),
                    f"{label}: unknown key {key!r} (expected {', '.join(allowed)})",
                )
        return True

    def text(
        self,
        mapping: dict[Any, Any],
        key: str,
        path: str,
        label: str,
        *,
        required: bool = True,
        max_length: int | None = None,
        one_line: bool = True,
    ) -> str | None:
        """The text at ``key``, whitespace tidied; None (and a problem) if it is missing or not text."""
        return self.value(
            mapping.get(key),
            where=self.where(mapping, path, key),
            label=f"{label}: {key}",
            missing=key not in mapping,
            required=required,
            max_length=max_length,
            one_line=one_line,
        )

    def value(
        self,
        value: Any,
        *,
        where: str,
        label: str,
        missing: bool = False,
        required: bool = True,
        max_length: int | None = None,
        one_line: bool = True,
    ) -> str | None:
        if value is None and not required:
            return ""
        if value is None or value == "":
            self.add(where, f"{label} is {'missing' if missing else 'empty'}")
            return None
        if not isinstance(value, str):
            # YAML reads 1.1 as a number and 1.10 as the same number, so codes must be quoted.
            hint = f'; put it in quotes: "{value}"' if isinstance(value, int | float) else ""
            self.add(where, f"{label} must be text, not {_type_name(value)}{hint}")
            return None
        cleaned = _one_line(value) if one_line else _tidy_lines(value)
        if required and not cleaned:
            self.add(where, f"{label} is empty")
            return None
        if max_length and len(cleaned) > max_length:
            self.add(where, f"{label} is longer than {max_length} characters")
            return None
        return cleaned


def _type_name(value: Any) -> str:
    return "nothing" if value is None else _TYPE_NAMES.get(type(value), type(value).__name__)


def _at(where: str) -> str:
    return f"line {where}" if where.isdigit() else where


def _one_line(value: str) -> str:
    # str.split() also splits on no-break spaces, which text pasted from Word is full of.
    return " ".join(value.split())


def _tidy_lines(value: str) -> str:
    return "\n".join(_one_line(line) for line in value.strip().splitlines())


def _max(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length or 0


def _check_document(data: Any, checker: _Checker) -> Spec | None:
    if isinstance(data, dict) and "framework" in data and "crosswalk" not in data:
        return _check_framework(data, checker)
    if isinstance(data, dict) and "crosswalk" in data and "framework" not in data:
        return _check_crosswalk(data, checker)
    checker.add(
        checker.where(data, ""),
        "the file must be a mapping with either framework and groups (a framework file) "
        "or crosswalk and links (a crosswalk file)",
    )
    return None


def _check_framework(data: dict[Any, Any], checker: _Checker) -> FrameworkSpec | None:
    if "criteria" in data:
        checker.add(
            checker.where(data, "", "criteria"),
            "criteria outside a group: list each criterion in its group's criteria",
        )
    checker.mapping(
        {k: v for k, v in data.items() if k != "criteria"}, "", "the file", ("framework", "groups")
    )
    header = data["framework"]
    allowed = ("code", "title", "kind", "version", "source", "description")
    fields: dict[str, str | None] = {}
    if checker.mapping(header, "framework", "framework", allowed, checker.where(data, "", "framework")):
        for key in ("code", "title", "version", "source"):
            required = key in {"code", "title"}
            fields[key] = checker.text(
                header, key, "framework", "framework", required=required, max_length=_max(Framework, key)
            )
        fields["description"] = checker.text(
            header, "description", "framework", "framework", required=False, one_line=False
        )
        kind = checker.text(header, "kind", "framework", "framework", required=False) or Framework.Kind.OTHER
        if kind not in Framework.Kind.values:
            checker.add(
                checker.where(header, "framework", "kind"),
                f"framework: unknown kind {kind!r} (expected {', '.join(Framework.Kind.values)})",
            )
        fields["kind"] = kind
    groups = _check_groups(data, checker)
    if checker.problems:
        return None
    return FrameworkSpec(
        source_name=checker.source_name,
        code=fields["code"] or "",
        title=fields["title"] or "",
        kind=fields["kind"] or "",
        version=fields["version"] or "",
        source=fields["source"] or "",
        description=fields["description"] or "",
        groups=groups,
    )


def _check_groups(data: dict[Any, Any], checker: _Checker) -> tuple[GroupSpec, ...]:
    groups = data.get("groups")
    if not isinstance(groups, list) or not groups:
        checker.add(checker.where(data, "", "groups"), "groups must be a list with at least one group")
        return ()
    group_seen: dict[str, str] = {}
    criterion_seen: dict[str, str] = {}
    specs = []
    for index, group in enumerate(groups):
        path = f"groups[{index}]"
        if isinstance(group, dict) and "text" in group and "criteria" not in group:
            checker.add(
                checker.where(group, path),
                "criterion outside a group: list each criterion in its group's criteria",
            )
            continue
        if not checker.mapping(
            group,
            path,
            "group",
            ("code", "title", "kind", "criteria"),
            checker.item_where(data, "groups", path),
        ):
            continue
        code = checker.text(group, "code", path, "group", max_length=_max(CriterionGroup, "code"))
        label = f"group {code}" if code else "group"
        title = checker.text(group, "title", path, label)
        kind = checker.text(
            group, "kind", path, label, required=False, max_length=_max(CriterionGroup, "kind")
        )
        if code and code in group_seen:
            checker.add(
                checker.where(group, path, "code"),
                f"group code {code} is used twice (first at {_at(group_seen[code])})",
            )
        elif code:
            group_seen[code] = checker.where(group, path, "code")
        criteria = _check_criteria(group, path, label, criterion_seen, checker)
        if code and title and kind is not None:
            specs.append(GroupSpec(code, title, kind, criteria))
    return tuple(specs)


def _check_criteria(
    group: dict[Any, Any], group_path: str, label: str, seen: dict[str, str], checker: _Checker
) -> tuple[CriterionSpec, ...]:
    criteria = group.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        checker.add(
            checker.where(group, group_path, "criteria"),
            f"{label}: criteria must be a list with at least one criterion",
        )
        return ()
    specs = []
    for index, criterion in enumerate(criteria):
        path = f"{group_path}.criteria[{index}]"
        if not checker.mapping(
            criterion, path, "criterion", ("code", "text"), checker.item_where(group, "criteria", path)
        ):
            continue
        code = checker.text(criterion, "code", path, "criterion", max_length=_max(Criterion, "code"))
        text = checker.text(criterion, "text", path, f"criterion {code}" if code else "criterion")
        if code and code in seen:
            checker.add(
                checker.where(criterion, path, "code"),
                f"criterion code {code} is used twice in this framework (first at {_at(seen[code])})",
            )
        elif code:
            seen[code] = checker.where(criterion, path, "code")
        if code and text:
            specs.append(CriterionSpec(code, text))
    return tuple(specs)


def _check_crosswalk(data: dict[Any, Any], checker: _Checker) -> CrosswalkSpec | None:
    checker.mapping(data, "", "the file", ("crosswalk", "links"))
    header = data["crosswalk"]
    from_code = to_code = None
    if checker.mapping(
        header, "crosswalk", "crosswalk", ("from", "to"), checker.where(data, "", "crosswalk")
    ):
        from_code = checker.text(header, "from", "crosswalk", "crosswalk")
        to_code = checker.text(header, "to", "crosswalk", "crosswalk")
    links = data.get("links")
    if not isinstance(links, list) or not links:
        checker.add(checker.where(data, "", "links"), "links must be a list with at least one link")
        links = []
    specs: list[LinkSpec] = []
    seen: dict[tuple[str, str], str] = {}
    for index, link in enumerate(links):
        path = f"links[{index}]"
        if not checker.mapping(
            link, path, "link", ("from", "to", "rationale"), checker.item_where(data, "links", path)
        ):
            continue
        source = checker.text(link, "from", path, "link")
        label = f"link from {source}" if source else "link"
        rationale = checker.text(link, "rationale", path, label, required=False, one_line=False) or ""
        for target, where in _link_targets(link, path, label, checker):
            if source == target and from_code == to_code:
                checker.add(where, f"{label}: a criterion cannot be linked to itself")
            elif source and (source, target) in seen:
                checker.add(
                    where,
                    f"{label}: {source} → {target} is given twice (first at {_at(seen[source, target])})",
                )
            elif source:
                seen[source, target] = where
                specs.append(LinkSpec(source, target, rationale, where))
    if checker.problems:
        return None
    return CrosswalkSpec(
        checker.source_name,
        from_code or "",
        to_code or "",
        tuple(specs),
        checker.where(data, "", "crosswalk"),
    )


def _link_targets(link: dict[Any, Any], path: str, label: str, checker: _Checker) -> list[tuple[str, str]]:
    """The ``to`` codes of a link, which may be one code or a list of them, each with where it is."""
    value = link.get("to")
    if not isinstance(value, list):
        code = checker.text(link, "to", path, label)
        return [(code, checker.where(link, path, "to"))] if code else []
    if not value:
        checker.add(checker.where(link, path, "to"), f"{label}: to must name at least one criterion")
    targets = []
    for index, item in enumerate(value):
        # YAML keeps lines for mappings only, so a code inside a list takes its link's line.
        where = checker.where(link, path, "to") if _LINE in link else f"{path}.to[{index}]"
        code = checker.value(item, where=where, label=f"{label}: to")
        if code:
            targets.append((code, where))
    return targets


# --- Moodle competency framework CSV ------------------------------------------------------


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
        return _one_line(text) if one_line else _tidy_lines(text)


class _Problems(list[Problem]):
    def __init__(self, source_name: str) -> None:
        super().__init__()
        self.source_name = source_name

    def add(self, row: int | None, message: str) -> None:
        self.append(Problem(self.source_name, f"row {row}" if row else "", message))


def _read_moodle_csv(text: str, source_name: str) -> tuple[FrameworkSpec | None, list[Problem]]:
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
                problems.add(number, f"has {len(cells)} columns; Moodle's export has {len(MOODLE_HEADER)}")
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
        detail = f"there are {len(header)} columns"
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
        title=_one_line(framework.shortname),
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
        elif len(row.idnumber) > _max(Criterion, "code"):
            problems.add(
                row.row, f"{label}: the ID number is longer than {_max(Criterion, 'code')} characters"
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
            CriterionSpec(row.idnumber, row.plain_description(one_line=True) or _one_line(row.shortname))
            for row in rows
        )

    groups: list[GroupSpec] = []
    top_leaves = [row for row in children.get("", []) if not children.get(row.idnumber)]
    if top_leaves:
        groups.append(GroupSpec(framework.idnumber, _one_line(framework.shortname), "", criteria(top_leaves)))
    reached: set[str] = set()
    # An explicit stack rather than recursion: a file may nest deeper than Python's recursion limit.
    stack = [(row, (_one_line(row.shortname),), 1) for row in reversed(children.get("", []))]
    while stack:
        row, path, depth = stack.pop()
        reached.add(row.idnumber)
        kids = children.get(row.idnumber, [])
        leaves = [kid for kid in kids if not children.get(kid.idnumber)]
        if leaves:
            kind = taxonomies[depth - 1][: _max(CriterionGroup, "kind")] if depth <= len(taxonomies) else ""
            groups.append(GroupSpec(row.idnumber, GROUP_PATH_SEPARATOR.join(path), kind, criteria(leaves)))
        stack.extend((kid, (*path, _one_line(kid.shortname)), depth + 1) for kid in reversed(kids))
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


# --- Writing ------------------------------------------------------------------------------


class _Tally:
    def __init__(self, result: ImportResult) -> None:
        self.result = result

    def sync(
        self, instance: models.Model | None, model: type[models.Model], values: dict[str, Any], **keys: Any
    ) -> Any:
        """Create the row, or update only the fields that differ; count which it was."""
        if instance is None:
            self.result.created += 1
            return model.objects.create(**keys, **values)
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        if changed:
            for name in changed:
                setattr(instance, name, values[name])
            instance.save(update_fields=changed)
            self.result.updated += 1
        else:
            self.result.unchanged += 1
        return instance


def _write_framework(spec: FrameworkSpec) -> ImportResult:
    criteria_count = sum(len(group.criteria) for group in spec.groups)
    result = ImportResult(
        spec.source_name,
        f"framework {spec.code} ({len(spec.groups)} groups, {criteria_count} criteria)",
        warnings=list(spec.notes),
    )
    tally = _Tally(result)
    values = {
        "title": spec.title,
        "kind": spec.kind,
        "version": spec.version,
        "source": spec.source,
        "description": spec.description,
    }
    existing = Framework.objects.filter(code=spec.code).first()
    framework = tally.sync(existing, Framework, values, code=spec.code)
    groups = {group.code: group for group in framework.groups.all()}
    criteria = {criterion.code: criterion for criterion in framework.criteria.all()}
    order = 0
    for group_order, group_spec in enumerate(spec.groups, start=1):
        group = tally.sync(
            groups.pop(group_spec.code, None),
            CriterionGroup,
            {"title": group_spec.title, "kind": group_spec.kind, "order": group_order},
            framework=framework,
            code=group_spec.code,
        )
        for criterion_spec in group_spec.criteria:
            # One running order across the framework, so ordering by it alone keeps the file's order.
            order += 1
            tally.sync(
                criteria.pop(criterion_spec.code, None),
                Criterion,
                {"group_id": group.pk, "text": criterion_spec.text, "order": order},
                framework=framework,
                code=criterion_spec.code,
            )
    if existing is not None and result.changed:
        # imported_at says when the criteria last changed, so an unchanged re-import leaves it alone.
        Framework.objects.filter(pk=framework.pk).update(imported_at=timezone.now())
    if criteria:
        result.warnings.append(
            f"criteria in the database but not in this file were left in place (evidence may be mapped "
            f"to them): {', '.join(sorted(criteria))}"
        )
    if groups:
        result.warnings.append(
            f"groups in the database but not in this file were left in place: {', '.join(sorted(groups))}"
        )
    return result


def _write_crosswalk(spec: CrosswalkSpec) -> ImportResult:
    result = ImportResult(
        spec.source_name, f"crosswalk {spec.from_code} → {spec.to_code} ({len(spec.links)} links)"
    )
    tally = _Tally(result)
    sources = {c.code: c for c in Criterion.objects.filter(framework__code=spec.from_code)}
    targets = {c.code: c for c in Criterion.objects.filter(framework__code=spec.to_code)}
    existing = {
        (link.source_id, link.target_id): link
        for link in CrosswalkLink.objects.filter(
            source__framework__code=spec.from_code, target__framework__code=spec.to_code
        )
    }
    for link in spec.links:
        source, target = sources[link.source], targets[link.target]
        tally.sync(
            existing.pop((source.pk, target.pk), None),
            CrosswalkLink,
            {"rationale": link.rationale},
            source=source,
            target=target,
        )
    if existing:
        by_id = {c.pk: c.code for c in [*sources.values(), *targets.values()]}
        pairs = ", ".join(sorted(f"{by_id[s]} → {by_id[t]}" for s, t in existing))
        result.warnings.append(f"links in the database but not in this file were left in place: {pairs}")
    return result
