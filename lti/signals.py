"""When a learner's result in the gradebook may have changed: a version signed off or returned,
or a criterion decided. The assessment's services own those rows; this app only listens, and
queues the result in the outbox in the same transaction (``core.outbox``), so a platform or
broker outage delays it and never loses it. The work is in ``lti.services.send_result``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from core import outbox
from core.models import CriterionDecision, OutboxMessage, VersionOutcome
from lti.models import CourseLink
from lti.tasks import send_portfolio_result


def _queue(version_id: int) -> None:
    """Queue the result of the version's portfolio if its cohort is a course with a line item:
    one query when it is not (most cohorts)."""
    portfolio_id = (
        CourseLink.objects.filter(cohort__portfolios__versions=version_id)
        .exclude(lineitem_url="")
        .values_list("cohort__portfolios__id", flat=True)
        .first()
    )
    if portfolio_id is None:
        return
    # The task reads the result when it runs: one message not yet started is enough for a
    # portfolio, so an assessor deciding 45 criteria in a row sends once, not 45 times.
    waiting = OutboxMessage.objects.filter(
        task=send_portfolio_result.name, args=[portfolio_id], done_at__isnull=True, started_at__isnull=True
    )
    if not waiting.exists():
        outbox.enqueue(send_portfolio_result, args=[portfolio_id])


@receiver(post_save, sender=VersionOutcome, dispatch_uid="lti_on_outcome")
def queue_on_outcome(
    sender: type[VersionOutcome], instance: VersionOutcome, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        _queue(instance.version_id)


@receiver(post_save, sender=CriterionDecision, dispatch_uid="lti_on_decision")
def queue_on_decision(
    sender: type[CriterionDecision], instance: CriterionDecision, created: bool, **kwargs: Any
) -> None:
    if created and not kwargs.get("raw"):
        _queue(instance.version_id)
