"""Framework and crosswalk files in YAML or JSON: load them keeping lines, then check them whole."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import yaml

from core.frameworks.specs import (
    CriterionSpec,
    CrosswalkSpec,
    FrameworkSpec,
    GroupSpec,
    LinkSpec,
    Problem,
    Spec,
    field_length,
    single_line,
    tidy_lines,
)
from core.models import Criterion, CriterionGroup, Framework


def read_document(text: str, source_name: str, *, fmt: str) -> tuple[Spec | None, list[Problem]]:
    """Load YAML (``fmt == "yaml"``) or JSON text and check it as a framework or crosswalk file."""
    checker = _Checker(source_name)
    data = _load_yaml(text, checker) if fmt == "yaml" else _load_json(text, checker)
    if checker.problems:
        return None, checker.problems
    spec = _check_document(data, checker)
    return (spec if not checker.problems else None), checker.problems


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
        cleaned = single_line(value) if one_line else tidy_lines(value)
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
                header,
                key,
                "framework",
                "framework",
                required=required,
                max_length=field_length(Framework, key),
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
        code = checker.text(group, "code", path, "group", max_length=field_length(CriterionGroup, "code"))
        label = f"group {code}" if code else "group"
        title = checker.text(group, "title", path, label)
        kind = checker.text(
            group, "kind", path, label, required=False, max_length=field_length(CriterionGroup, "kind")
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
        code = checker.text(criterion, "code", path, "criterion", max_length=field_length(Criterion, "code"))
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
