"""The pieces a chapter of the PDF is made of, and small formatting helpers.

Chapters are built as plain data (a title, the criteria they evidence and a list of
blocks) so one template lays out every chapter the same way, and tests can read a
chapter without rendering it. Every string here is user text or derived from it: the
template escapes it; nothing in a block is ever marked safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import ngettext

from core.formatting import uk_date as uk_date  # the chapters import it from here
from core.formatting import uk_datetime as uk_datetime
from core.pdf.charts import ChartSpec, DrawnChart


@dataclass
class Heading:
    text: str
    kind: str = "heading"


@dataclass
class Fields:
    """Labelled passages: a label, then the learner's text with its line breaks."""

    items: list[tuple[str, str]]
    kind: str = "fields"


@dataclass
class Facts:
    """Short label: value pairs laid out side by side (figures, dates, owners)."""

    items: list[tuple[str, str]]
    kind: str = "facts"


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    numeric: tuple[int, ...] = ()  # columns aligned right
    footer: list[str] | None = None
    compact: bool = False  # as narrow as its text allows, at least half the page
    kind: str = "table"

    @property
    def labelled_rows(self) -> list[list[tuple[str, str]]]:
        """Each row's cells with their column's heading: a phone shows a row as a card of them."""
        return [
            [(column, cell) for column, cell in zip_longest(self.columns, row, fillvalue="")]
            for row in self.rows
        ]

    @property
    def widths(self) -> TableWidths:
        texts = [[row[i] for row in self.rows if i < len(row)] for i in range(len(self.columns))]
        if self.footer:
            for i, cell in enumerate(self.footer[: len(texts)]):
                texts[i].append(cell)
        return table_widths(texts, shrink=self.compact, headers=self.columns)


# Column widths are decided here rather than by WeasyPrint's automatic table layout, which
# lays out the text of every cell twice more (narrowest and widest) before the real layout:
# on the portfolio it cost about a tenth of the whole render. The rule is the same as the
# automatic one (CSS 2.1 §17.5.2.2), measured in characters instead of laid-out text.
TABLE_CHARS = 112  # characters of 8.6pt table text across the 174 mm text width
CELL_PADDING_CHARS = 2.6  # a cell's 2 mm padding each side, in those characters
SHRUNK_TABLE_MIN = 50.0  # per cent: a compact table is never narrower than half the page
LONGEST_WORD = 24  # characters: a longer word (an address, a code) wraps inside its cell instead


@dataclass(frozen=True)
class TableWidths:
    table: float  # per cent of the text width
    columns: tuple[float, ...]  # per cent of the table, summing to 100

    # Written as CSS here, not in the template, so no locale ever puts a comma in a number.
    @property
    def table_css(self) -> str:
        return f"width: {self.table:g}%"

    @property
    def columns_css(self) -> list[str]:
        return [f"width: {width:g}%" for width in self.columns]


def table_widths(
    texts_by_column: list[list[str]], *, shrink: bool = False, headers: list[str] | None = None
) -> TableWidths:
    """Widths for a fixed-layout table whose column ``i`` holds the strings ``texts_by_column[i]``.

    A column gets at least its longest word and shares the rest of the width in proportion
    to its longest line (as pre-line cells break only where the text does), so a column of
    figures stays narrow and a column of sentences takes the room. A header counts only by
    its longest word: it may wrap in the header band, so "Staffing (5 = lightest)" over a
    column of single figures does not take room from the column of names beside it.
    """
    if not texts_by_column:
        return TableWidths(100.0, ())
    count = len(texts_by_column)
    lines = [[line for text in texts for line in str(text).splitlines()] or [""] for texts in texts_by_column]
    heads = [str(header).split() for header in headers or []] + [[]] * count
    narrowest = [
        max([3, *(min(LONGEST_WORD, len(word)) for line in col for word in [*line.split(), *head])])
        for col, head in zip(lines, heads[:count], strict=True)
    ]
    widest = [max(narrow, *(len(line) for line in col)) for narrow, col in zip(narrowest, lines, strict=True)]
    available = TABLE_CHARS - CELL_PADDING_CHARS * count
    table = 100.0
    if sum(widest) <= available:
        if shrink:
            needed = sum(widest) + CELL_PADDING_CHARS * count
            table = max(SHRUNK_TABLE_MIN, 100.0 * needed / TABLE_CHARS)
            available = table / 100.0 * TABLE_CHARS - CELL_PADDING_CHARS * count
        content = [w + (available - sum(widest)) * w / sum(widest) for w in widest]
    elif sum(narrowest) <= available:
        stretch = sum(w - n for w, n in zip(widest, narrowest, strict=True)) or 1
        content = [
            n + (available - sum(narrowest)) * (w - n) / stretch
            for w, n in zip(widest, narrowest, strict=True)
        ]
    else:
        content = [available * n / sum(narrowest) for n in narrowest]
    total = sum(content) + CELL_PADDING_CHARS * count
    return TableWidths(
        round(table, 1), tuple(round(100.0 * (c + CELL_PADDING_CHARS) / total, 2) for c in content)
    )


@dataclass
class Checks:
    """Tests passed or failed, each with its reason (SMART tests, RACI rules)."""

    items: list[tuple[bool, str, str]]
    kind: str = "checks"


@dataclass
class Note:
    text: str
    kind: str = "note"


@dataclass
class Chart:
    spec: ChartSpec
    drawn: DrawnChart | None = None
    kind: str = "chart"

    # In a page the chart is drawn by plotly from its figure (templates/partials/chart.html);
    # a spec's key is unique in a portfolio, so it names the chart's elements.
    @property
    def element_id(self) -> str:
        return f"chart-{self.spec.key}"

    @property
    def data_id(self) -> str:
        return f"chart-{self.spec.key}-data"


Block = Heading | Fields | Facts | Table | Checks | Note | Chart


@dataclass
class CriterionRef:
    framework: str
    code: str
    note: str = ""

    @property
    def shown_note(self) -> str:
        """What the evidence index prints beside the criterion (and sizes its card by)."""
        return self.note or "Claimed (no note on how it proves the criterion)"


@dataclass
class Chapter:
    key: str
    title: str
    stage: str
    state: str  # "complete", "in progress", "not started"
    criteria: list[CriterionRef] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    number: int = 0
    evidence_id: int | None = None  # the section's evidence item in the snapshot, if saved
    summary: str = ""  # the step's one-line summary when it was saved ("4 objectives, …")

    @property
    def anchor(self) -> str:
        return "chapter-" + self.key.replace(".", "-")

    @property
    def criteria_by_framework(self) -> list[tuple[str, list[str]]]:
        grouped: dict[str, list[str]] = {}
        for ref in self.criteria:
            grouped.setdefault(ref.framework, []).append(ref.code)
        return list(grouped.items())

    @property
    def charts(self) -> list[Chart]:
        return [block for block in self.blocks if isinstance(block, Chart)]


# --- Snapshot rows --------------------------------------------------------------------------


def snapshot_block(snapshot: dict[str, Any], app_label: str, model_name: str) -> dict[str, Any]:
    return snapshot.get("parts", {}).get(app_label, {}).get(model_name, {}) or {}


def instances(snapshot: dict[str, Any], app_label: str, model_name: str) -> list[models.Model]:
    """The rows a snapshot holds for one model, as unsaved instances.

    Rebuilding instances lets the PDF reuse the pure functions and display helpers
    (``get_FOO_display``, SMART tests, risk scores) on exactly what was frozen.
    """
    model = apps.get_model(app_label, model_name)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    fields.update({f.name: f for f in model._meta.concrete_fields})
    result = []
    for row in snapshot_block(snapshot, app_label, model_name).get("rows", []):
        values = {}
        for name, value in row.items():
            model_field = fields.get(name)
            if model_field is None:
                continue
            if isinstance(value, dict) and set(value) == {"value", "label"}:
                value = value["value"]
            try:
                values[model_field.attname] = model_field.to_python(value)
            except Exception:
                values[model_field.attname] = value
        result.append(model(**values))
    return result


def first(snapshot: dict[str, Any], app_label: str, model_name: str) -> Any:
    rows = instances(snapshot, app_label, model_name)
    return rows[0] if rows else None


def label_of(model_name: str, app_label: str, field_name: str) -> str:
    model = apps.get_model(app_label, model_name)
    return str(model._meta.get_field(field_name).verbose_name).capitalize()


# --- Formatting ------------------------------------------------------------------------------


def number(value: Decimal | float | int | None, *, places: int = 2) -> str:
    if value is None or value == "":
        return ""
    figure = float(value)
    if figure == int(figure):
        return f"{int(figure):,}"
    return f"{figure:,.{places}f}".rstrip("0").rstrip(".")


def minutes(value: Any) -> str:
    """A number of minutes as people read a wait: "45 min", "5 h", "2 h 30 min", "2 days"."""
    if value in (None, ""):
        return ""
    total = int(value)
    if total >= 60 * 24 and total % (60 * 24) == 0:
        days = total // (60 * 24)
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if total >= 60:
        hours, rest = divmod(total, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{total} min"


def measured(value: Decimal | float | int | None, unit: str, *, places: int = 2) -> str:
    """A figure with its unit: "38%", "140.4 minutes", "4.8" (a score), "" for no figure."""
    figure = number(value, places=places)
    if not figure or not unit or unit == "score":
        return figure
    if unit == "%":
        return f"{figure}%"
    if unit == "£":
        return f"£{figure}"
    return f"{figure} {unit}"


def text_fields(obj: Any, names: list[str]) -> Fields:
    """The filled text fields of ``obj``, each under its verbose name, in the order given."""
    items = []
    for name in names:
        value = getattr(obj, name, "") if obj is not None else ""
        if value not in (None, ""):
            items.append((str(obj._meta.get_field(name).verbose_name).capitalize(), str(value)))
    return Fields(items)
