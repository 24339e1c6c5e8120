"""Views of the core, one module per area: cohorts and invitations, drafts, notifications, the tour."""

from __future__ import annotations

from core.views.cohorts import (
    assign_assessor,
    cohort_create,
    cohort_criteria,
    cohort_edit,
    cohort_invite,
    home,
    invitation_accept,
    invitation_revoke,
    iqa_home,
    learner_home,
    plotly_stylesheet,
    tutor_home,
)
from core.views.drafts import draft_discard, draft_save
from core.views.eqa import (
    eqa_accept,
    eqa_finding,
    eqa_grant,
    eqa_grant_end,
    eqa_grant_manage,
    eqa_grants,
    eqa_home,
)
from core.views.notifications import notifications, notifications_count, notifications_read
from core.views.tour import tour_again, tour_done

__all__ = [
    "assign_assessor",
    "cohort_create",
    "cohort_criteria",
    "cohort_edit",
    "cohort_invite",
    "draft_discard",
    "draft_save",
    "eqa_accept",
    "eqa_finding",
    "eqa_grant",
    "eqa_grant_end",
    "eqa_grant_manage",
    "eqa_grants",
    "eqa_home",
    "home",
    "invitation_accept",
    "invitation_revoke",
    "iqa_home",
    "learner_home",
    "notifications",
    "notifications_count",
    "notifications_read",
    "plotly_stylesheet",
    "tour_again",
    "tour_done",
    "tutor_home",
]
