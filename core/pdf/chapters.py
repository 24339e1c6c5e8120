"""The registry of the PDF's chapters: each content app draws its own guided steps.

A content app registers, from its ``pdf.py`` (imported by its ``AppConfig.ready``), one
builder per section key: a function from a ``ChapterContext`` to the blocks of that
chapter (``core.pdf.blocks``). It may also register a context provider, computed once per
document and read by any builder by name (the audit's service KPIs, which the strategy's
objectives and monitoring chapters compare against). The PDF (``reports.pdf``) numbers
the chapters in the sections' order and never imports a content app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.models import Portfolio, PortfolioVersion
from core.pdf.blocks import Block, Chapter, CriterionRef
from core.sections import SECTION_KIND, all_sections

NOT_STARTED = "not started"


@dataclass(frozen=True)
class ChapterContext:
    """What every chapter builder may read: the frozen snapshot, the day it is judged on, and
    the values the providers computed (by name, as attributes: ``ctx.kpis``)."""

    portfolio: Portfolio
    version: PortfolioVersion | None
    snapshot: dict[str, Any]
    today: date  # the submission date for a version: SMART tests are judged on that day
    provided: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        provided = self.__dict__.get("provided", {})
        if name in provided:
            return provided[name]
        raise AttributeError(f"No chapter context provider gives {name!r}.")


ChapterBuilder = Callable[[ChapterContext], list[Block]]
# (portfolio, version, snapshot) → the provided value
Provider = Callable[[Portfolio, PortfolioVersion | None, dict[str, Any]], Any]

_BUILDERS: dict[str, ChapterBuilder] = {}
_PROVIDERS: dict[str, Provider] = {}


def register_chapter(section_key: str, builder: ChapterBuilder) -> None:
    """Draw the section ``section_key`` (a ``core.sections`` key) with ``builder``."""
    existing = _BUILDERS.get(section_key)
    if existing is not None and existing is not builder:
        raise ValueError(f"A PDF chapter for {section_key!r} is registered twice.")
    _BUILDERS[section_key] = builder


def register_provider(name: str, provider: Provider) -> None:
    """Compute ``provider`` once per document and give it to the builders as ``ctx.<name>``."""
    existing = _PROVIDERS.get(name)
    if existing is not None and existing is not provider:
        raise ValueError(f"A chapter context provider {name!r} is registered twice.")
    _PROVIDERS[name] = provider


def chapter_context(
    *, portfolio: Portfolio, version: PortfolioVersion | None, snapshot: dict[str, Any], today: date
) -> ChapterContext:
    provided = {name: provider(portfolio, version, snapshot) for name, provider in _PROVIDERS.items()}
    return ChapterContext(
        portfolio=portfolio, version=version, snapshot=snapshot, today=today, provided=provided
    )


def chapter_blocks(section_key: str, ctx: ChapterContext) -> list[Block]:
    """The blocks of one chapter; none for a section no app draws."""
    builder = _BUILDERS.get(section_key)
    return builder(ctx) if builder is not None else []


def build_chapters(ctx: ChapterContext) -> list[Chapter]:
    """Every section of the portfolio, in the order of the work, drawn from ``ctx.snapshot``:
    its title, stage, state, the criteria its section evidence is mapped to, and its blocks.

    The one reading of a snapshot's guided steps: the PDF numbers and lays out these chapters,
    and the version page draws the same blocks for the screen.
    """
    items = {
        item["section_key"]: item
        for item in ctx.snapshot.get("parts", {}).get("evidence", {}).get("items", [])
        if item.get("kind") == SECTION_KIND
    }
    chapters = []
    for number, section in enumerate(all_sections(), start=1):
        item = items.get(section.key)
        state = (
            NOT_STARTED if item is None else ("complete" if item.get("section_complete") else "in progress")
        )
        chapters.append(
            Chapter(
                key=section.key,
                title=section.title,
                stage=section.stage or "Portfolio",
                state=state,
                criteria=[
                    CriterionRef(m["framework"], m["code"], m.get("note", ""))
                    for m in (item or {}).get("mappings", [])
                ],
                # A block with nothing in it (no filled field) is left out.
                blocks=[b for b in chapter_blocks(section.key, ctx) if getattr(b, "items", True) != []],
                number=number,
                evidence_id=item["id"] if item is not None else None,
                summary=(item or {}).get("description", ""),
            )
        )
    return chapters
