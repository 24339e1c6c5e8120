"""Background work for LTI: thin tasks that reload by id and call the service."""

from __future__ import annotations

import logging

from celery import shared_task

from core.models import Portfolio
from core.outbox import OutboxTask
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
    """Fill the course's cohort from the platform's roster. An error is logged, not raised (it
    would reach the teacher's launch in-process); the next teacher's launch asks again."""
    course = CourseLink.objects.select_related("registration", "cohort").filter(pk=course_id).first()
    if course is None:
        return 0
    try:
        return sync_roster(course=course)
    except Exception as error:  # the platform's outage or refusal, a missing tool key
        log.warning("lti: the roster of course %s was not read: %s", course_id, error)
        return 0
