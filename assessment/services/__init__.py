"""Writes for submission, assessment and quality assurance.

Each takes the acting user, runs in one transaction and raises ``AssessmentError``
with a message for the person when a rule is broken. Versions, decisions, outcomes and
audit entries are append-only: a changed decision is a new row superseding the old.

A package: ``base`` (the domain error, the audit trail), ``submission``, ``decisions``,
``outcomes`` (return and sign-off) and ``iqa`` (sampling, findings, answers). The reads they
rest on (``latest_version``, ``version_state``, ``current_decisions``) are in
``assessment.selectors``.
"""

from __future__ import annotations

from assessment.selectors import latest_version
from assessment.services.base import AssessmentError, DecisionConflict, record_entry
from assessment.services.decisions import (
    FEEDBACK_MAX_LENGTH,
    DecisionInput,
    record_decision,
    record_group_met,
)
from assessment.services.iqa import answer_action, record_finding, sample_decisions, sample_share
from assessment.services.outcomes import return_version, sign_off_version
from assessment.services.submission import DECLARATION, submit_portfolio

__all__ = [
    "DECLARATION",
    "FEEDBACK_MAX_LENGTH",
    "AssessmentError",
    "DecisionConflict",
    "DecisionInput",
    "answer_action",
    "latest_version",  # for thread_services only, which still imports it from here
    "record_decision",
    "record_entry",
    "record_finding",
    "record_group_met",
    "return_version",
    "sample_decisions",
    "sample_share",
    "sign_off_version",
    "submit_portfolio",
]
