"""What the cohort page shows of its LTI course (``core.cohort_panels``)."""

from __future__ import annotations

from typing import Any

from core.models import Cohort, User
from lti.models import CourseLink
from lti.services import roster_read_pending


def course_panel(cohort: Cohort, user: User, can_manage: bool) -> dict[str, Any] | None:
    """The course the cohort is linked to, its roster's last read (or failure), who left the
    course, where its results go; None for a cohort no course is linked to (one query)."""
    course = CourseLink.objects.select_related("registration").filter(cohort=cohort).first()
    if course is None:
        return None
    failed = course.roster_failed_at is not None and (
        course.roster_synced_at is None or course.roster_failed_at > course.roster_synced_at
    )
    return {
        "course": course,
        "can_manage": can_manage,
        "roster_failed": failed,
        "reading": roster_read_pending(course),
        "departures": list(course.departures.select_related("account__user")),
    }
