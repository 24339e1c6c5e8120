"""Background work for LTI: thin tasks that reload by id and call the service."""

from __future__ import annotations

import logging

from celery import shared_task

from core.models import Portfolio
from core.outbox import OutboxTask
from lti import services
from lti.models import CourseLink
from lti.services import record_send_error, send_result, sync_roster

log = logging.getLogger(__name__)


@shared_task(base=OutboxTask, skipped_result=False)
def send_portfolio_result(portfolio_id: int) -> bool:
    """Send the portfolio's result to its course's gradebook. True once sent.

    A platform error (an outage, a refusal) is logged and kept on the portfolio's ``GradeSync``,
    never raised: in-process (the embedded set-up) it would otherwise reach the assessor's request
    after its commit. Every outbox sweep sends what failed again (``services.resend_failed``).
    """
    portfolio = Portfolio.objects.filter(pk=portfolio_id).first()
    if portfolio is None:
        return False
    try:
        return send_result(portfolio=portfolio)
    except Exception as error:  # the platform's outage, refusal or an unreachable endpoint
        log.warning("lti: the result of portfolio %s was not sent: %s", portfolio_id, error)
        record_send_error(portfolio=portfolio, error=error)
        return False


@shared_task(base=OutboxTask, skipped_result=0)
def sync_course_roster(course_id: int) -> int:
    """Fill the course's cohort from the platform's roster. An error is logged and kept on the
    course (its cohort page shows it), not raised: it would reach the teacher's launch
    in-process. The next launch, the tutor's button or the nightly read asks again."""
    course = CourseLink.objects.select_related("registration", "cohort").filter(pk=course_id).first()
    if course is None:
        return 0
    try:
        return sync_roster(course=course)
    except Exception as error:  # the platform's outage or refusal, a missing tool key
        log.warning("lti: the roster of course %s was not read: %s", course_id, error)
        services.record_roster_error(course=course, error=error)
        return 0


@shared_task(acks_late=True, time_limit=600, soft_time_limit=570)
def read_every_roster() -> dict[str, int]:
    """Celery beat runs this nightly (``CELERY_BEAT_SCHEDULE``, ``LTI_ROSTER_SYNC_HOUR``): learners
    join and leave a course between teachers' launches. It only queues, one task a course."""
    counts = services.queue_every_roster_read()
    log.info("lti: nightly roster reads: %s", counts)
    return counts


@shared_task(base=OutboxTask, skipped_result="")
def create_course_lineitem(course_id: int) -> str:
    """Find or make the course's gradebook column (``services.create_lineitem``). A refusal is
    logged and kept on the course, not raised (it would reach the launch in-process); the next
    launch tries again."""
    course = CourseLink.objects.select_related("registration", "cohort").filter(pk=course_id).first()
    if course is None:
        return ""
    try:
        return services.create_lineitem(course=course)
    except Exception as error:  # the platform's refusal or outage, a missing scope or tool key
        log.warning("lti: no line item for course %s: %s", course_id, error)
        services.record_lineitem_error(course=course, error=error)
        return ""
