"""Check files whole, across each other and against the database, then write them in one go."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import ngettext

from core.frameworks.documents import read_document
from core.frameworks.moodle import read_moodle_csv
from core.frameworks.specs import (
    CrosswalkSpec,
    FrameworkFileError,
    FrameworkSpec,
    ImportResult,
    Problem,
    SourceFile,
    Spec,
)
from core.models import Criterion, CriterionGroup, CrosswalkLink, Framework, User

# The package's name, as before it was split, so logging set up for it still applies.
log = logging.getLogger("core.frameworks")

# Framework files are small (the standard is 3 kB); the cap keeps an upload from tying up a worker.
MAX_FILE_BYTES = 2 * 1024 * 1024


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
        return read_moodle_csv(text, source.name)
    return read_document(text, source.name, fmt=fmt)


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
        f"framework {spec.code} ("
        + ngettext("%(count)d group", "%(count)d groups", len(spec.groups)) % {"count": len(spec.groups)}
        + ", "
        + ngettext("%(count)d criterion", "%(count)d criteria", criteria_count) % {"count": criteria_count}
        + ")",
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
