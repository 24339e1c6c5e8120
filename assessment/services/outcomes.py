"""Outcomes: the assessor returns a version for resubmission or signs it off."""

from __future__ import annotations

import logging

from django.db import transaction

from assessment.selectors import current_decisions
from assessment.services.base import AssessmentError, record_entry, version_url
from assessment.services.decisions import check_assessor
from core.models import AuditEntry, CriterionDecision, PortfolioVersion, User, VersionOutcome
from core.selectors import criteria_for
from core.services import notify

log = logging.getLogger(__name__)


@transaction.atomic
def return_version(*, version: PortfolioVersion, comment: str, actor: User) -> VersionOutcome:
    """Send the version back for resubmission; at least one criterion must be not yet met."""
    version = (
        PortfolioVersion.objects.select_for_update().select_related("portfolio__learner").get(pk=version.pk)
    )
    check_assessor(version, actor)
    decisions = current_decisions(version)
    if not any(d.status == CriterionDecision.Status.NOT_YET_MET for d in decisions.values()):
        raise AssessmentError(
            "Mark at least one criterion not yet met, with feedback, before returning the portfolio."
        )
    return _close(version, VersionOutcome.Kind.RETURNED, comment, actor)


@transaction.atomic
def sign_off_version(*, version: PortfolioVersion, comment: str, actor: User) -> VersionOutcome:
    """Sign the version off; only when every criterion of the cohort is met."""
    version = (
        PortfolioVersion.objects.select_for_update().select_related("portfolio__learner").get(pk=version.pk)
    )
    check_assessor(version, actor)
    decisions = current_decisions(version)
    missing = [
        c.code
        for c in criteria_for(version.portfolio)
        if c.pk not in decisions or decisions[c.pk].status != CriterionDecision.Status.MET
    ]
    if missing:
        shown = ", ".join(missing[:8]) + ("…" if len(missing) > 8 else "")
        raise AssessmentError(f"Every criterion must be met before you sign off. Not yet met: {shown}.")
    return _close(version, VersionOutcome.Kind.SIGNED_OFF, comment, actor)


def _close(version: PortfolioVersion, kind: str, comment: str, actor: User) -> VersionOutcome:
    outcome = VersionOutcome.objects.create(
        version=version, kind=kind, assessor=actor, comment=(comment or "").strip(), digest=version.digest
    )
    portfolio = version.portfolio
    signed = kind == VersionOutcome.Kind.SIGNED_OFF
    record_entry(
        portfolio=portfolio,
        version=version,
        action=AuditEntry.Action.SIGNED_OFF if signed else AuditEntry.Action.RETURNED,
        summary=(
            f"Version {version.number} signed off by {actor.display_name}; digest {version.digest}."
            if signed
            else f"Version {version.number} returned for resubmission."
        ),
        actor=actor,
    )
    notify(
        recipients=[portfolio.learner],
        portfolio=portfolio,
        subject=(
            f"Your portfolio (version {version.number}) has been signed off"
            if signed
            else f"Version {version.number} has been returned with feedback"
        ),
        body=outcome.comment,
        url=version_url(version),
    )
    log.info("portfolio %s version %s %s by %s", portfolio.pk, version.number, kind, actor.username)
    return outcome
