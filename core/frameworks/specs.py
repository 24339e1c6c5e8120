"""What the readers make of a file (specs), what can be wrong with one, and what an import did."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import models

from core.services import PortfolioError


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


# --- Shared by the readers ---------------------------------------------------------------


def single_line(value: str) -> str:
    # str.split() also splits on no-break spaces, which text pasted from Word is full of.
    return " ".join(value.split())


def tidy_lines(value: str) -> str:
    return "\n".join(single_line(line) for line in value.strip().splitlines())


def field_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length or 0
