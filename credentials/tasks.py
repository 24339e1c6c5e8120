"""Background work for credentials: a thin task that reloads by id and calls the service."""

from __future__ import annotations

import logging

from celery import shared_task

from core.models import PortfolioVersion
from core.outbox import OutboxTask
from credentials import keys
from credentials.services import issue_credential

log = logging.getLogger(__name__)


@shared_task(base=OutboxTask, skipped_result=False)
def issue_version_credential(version_id: int) -> bool:
    """Issue the version's credential if it is owed one. True once it has one.

    Without a usable signing key (none set, or one that cannot be read) nothing is issued and the
    error is logged, never raised: in-process (the embedded set-up) it would otherwise reach the
    assessor's sign-off request after its commit. The outbox sweep's recovery (``issue_owed``)
    issues it once the key is right.
    """
    version = PortfolioVersion.objects.filter(pk=version_id).first()
    if version is None:
        return False
    try:
        return issue_credential(version=version) is not None
    except (keys.CredentialKeyMissing, ValueError) as error:
        log.error("credentials: version %s is owed a credential but cannot be signed: %s", version_id, error)
        return False
