"""Reads for evidence, shaped so a page costs a fixed number of queries.

``coverage_for`` is the one place the coverage of criteria is worked out: the matrix,
the portfolio page and the PDF all read it rather than recount. The dashboards, which need
only counts for whole cohorts, read ``coverage_tallies``: the same rule
(``counts_as_evidenced`` and its SQL twin ``EVIDENCED_SQL``), counted by the database.

The reads live in the package's modules: ``workflow`` (the guided steps), ``lists`` (the
evidence pages), ``coverage`` (``coverage_for``), ``tallies`` (``coverage_tallies``) and
``mappings`` (the querysets and SQL expressions the dashboards compose into their own).

This package is the evidence's public reads: another app imports ``evidence.selectors``, not
one of its modules, nor ``evidence.models`` (docs/architecture.md, "What each app shows").
"""

from __future__ import annotations

from evidence.selectors.coverage import (
    CLAIMED,
    EVIDENCED,
    NONE,
    STATUS_LABELS,
    Coverage,
    CriterionCoverage,
    FrameworkCoverage,
    GroupCoverage,
    MappedEvidence,
    counts_as_evidenced,
    coverage_for,
    coverage_for_portfolios,
)
from evidence.selectors.lists import (
    criteria_losing_only_evidence,
    evidence_detail,
    evidence_list,
    linked_criteria,
)
from evidence.selectors.mappings import (
    EVIDENCES_ALIASES,
    all_mappings,
    evidenced_since,
    evidences,
    evidencing_mappings,
    first_evidenced_cells,
    mappings_of,
    saved_steps,
)
from evidence.selectors.tallies import (
    EVIDENCED_SQL,
    NO_TALLY,
    WHITESPACE,
    EpochSeconds,
    PortfolioTally,
    TrimWhitespace,
    coverage_tallies,
    coverage_tokens,
    tally_of,
)
from evidence.selectors.workflow import StepState, workflow_steps

__all__ = [
    "CLAIMED",
    "EVIDENCED",
    "EVIDENCED_SQL",
    "EVIDENCES_ALIASES",
    "NONE",
    "NO_TALLY",
    "STATUS_LABELS",
    "WHITESPACE",
    "Coverage",
    "CriterionCoverage",
    "EpochSeconds",
    "FrameworkCoverage",
    "GroupCoverage",
    "MappedEvidence",
    "PortfolioTally",
    "StepState",
    "TrimWhitespace",
    "all_mappings",
    "counts_as_evidenced",
    "coverage_for",
    "coverage_for_portfolios",
    "coverage_tallies",
    "coverage_tokens",
    "criteria_losing_only_evidence",
    "evidence_detail",
    "evidence_list",
    "evidenced_since",
    "evidences",
    "evidencing_mappings",
    "first_evidenced_cells",
    "linked_criteria",
    "mappings_of",
    "saved_steps",
    "tally_of",
    "workflow_steps",
]
