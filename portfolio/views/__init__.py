"""Views of the portfolio app, one module per area: ``core`` (homes, cohorts,
invitations, the portfolio page); later areas add their own modules."""

from __future__ import annotations

from portfolio.views.core import (
    assessor_home,
    assign_assessor,
    cohort_create,
    cohort_criteria,
    cohort_detail,
    cohort_invite,
    home,
    invitation_accept,
    invitation_revoke,
    iqa_home,
    learner_home,
    plotly_stylesheet,
    portfolio_detail,
    tutor_home,
)
from portfolio.views.readiness import readiness_checklist, readiness_step

__all__ = [
    "assessor_home",
    "assign_assessor",
    "cohort_create",
    "cohort_criteria",
    "cohort_detail",
    "cohort_invite",
    "home",
    "invitation_accept",
    "invitation_revoke",
    "iqa_home",
    "learner_home",
    "plotly_stylesheet",
    "portfolio_detail",
    "readiness_checklist",
    "readiness_step",
    "tutor_home",
]
