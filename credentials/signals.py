"""When a credential may have become owed: a version signed off, or quality assurance on one of
its decisions moved on.

The assessment's services own the sign-off and the sampling; this app only listens. A receiver
writes an outbox message in the same transaction as the row it heard about, so the issuance
cannot be lost between the sign-off's commit and the work (``core.outbox``), and runs only once
that transaction commits. The work itself is in ``credentials.services``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from core import outbox
from core.models import QualitySample, VersionOutcome
from credentials.tasks import issue_version_credential


@receiver(post_save, sender=VersionOutcome, dispatch_uid="credentials_on_sign_off")
def queue_on_sign_off(
    sender: type[VersionOutcome], instance: VersionOutcome, created: bool, **kwargs: Any
) -> None:
    if created and instance.kind == VersionOutcome.Kind.SIGNED_OFF and not kwargs.get("raw"):
        outbox.enqueue(issue_version_credential, args=[instance.version_id])


@receiver(post_save, sender=QualitySample, dispatch_uid="credentials_on_quality_assurance")
def queue_on_quality_assurance(
    sender: type[QualitySample], instance: QualitySample, created: bool, **kwargs: Any
) -> None:
    if kwargs.get("raw") or instance.finding == QualitySample.Finding.PENDING:
        return
    version_id = instance.decision.version_id
    signed_off = VersionOutcome.objects.filter(
        version_id=version_id, kind=VersionOutcome.Kind.SIGNED_OFF, version__credential__isnull=True
    ).exists()
    if signed_off:
        outbox.enqueue(issue_version_credential, args=[version_id])
