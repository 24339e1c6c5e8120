"""Decisions: the assessor's met / not yet met on each criterion of the latest version."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from assessment.selectors import current_decisions, latest_version
from assessment.services.base import AssessmentError, DecisionConflict, record_entry
from core.models import AuditEntry, Criterion, CriterionDecision, PortfolioVersion, User, VersionOutcome
from core.selectors import criteria_for

FEEDBACK_MAX_LENGTH = 4000


def check_assessor(version: PortfolioVersion, actor: User) -> None:
    if version.portfolio.assessor_id != actor.pk:
        raise AssessmentError("Only the learner's assigned assessor can assess this portfolio.")
    latest = latest_version(version.portfolio)
    if latest is None or latest.pk != version.pk:
        raise AssessmentError("A later version has been submitted: assess that one.")
    if VersionOutcome.objects.filter(version=version).exists():
        raise AssessmentError("This version has been returned or signed off: its decisions cannot change.")


@dataclass(frozen=True)
class DecisionInput:
    status: str
    feedback: str
    evidence_ids: list[int]
    based_on: int | None  # the latest decision the form was opened with, None if there was none


@transaction.atomic
def record_decision(
    *, version: PortfolioVersion, criterion: Criterion, data: DecisionInput, actor: User
) -> CriterionDecision:
    """Record met / not yet met for one criterion; refuse if someone saved one meanwhile."""
    version = (
        PortfolioVersion.objects.select_for_update().select_related("portfolio__learner").get(pk=version.pk)
    )
    check_assessor(version, actor)
    if not criteria_for(version.portfolio).filter(pk=criterion.pk).exists():
        raise AssessmentError("That criterion is not part of this cohort's frameworks.")
    if data.status not in CriterionDecision.Status.values:
        raise AssessmentError("Choose met or not yet met.", field="status")
    feedback = (data.feedback or "").strip()
    if len(feedback) > FEEDBACK_MAX_LENGTH:
        raise AssessmentError(f"Keep the feedback under {FEEDBACK_MAX_LENGTH} characters.", field="feedback")
    if data.status == CriterionDecision.Status.NOT_YET_MET and not feedback:
        raise AssessmentError(
            "Say what is missing: feedback is needed when a criterion is not yet met.", field="feedback"
        )
    known = {item["id"] for item in version.snapshot.get("parts", {}).get("evidence", {}).get("items", [])}
    if not set(data.evidence_ids) <= known:
        raise AssessmentError(
            "One of the evidence items chosen is not part of this version.", field="evidence"
        )
    current = (
        version.decisions.filter(criterion=criterion, superseded_by__isnull=True)
        .select_related("assessor")
        .first()
    )
    if (current.pk if current else None) != data.based_on:
        who = current.assessor.display_name if current else "someone"
        raise DecisionConflict(
            f"{who} saved a decision on {criterion.code} after you opened this page, so yours was not "
            "saved. Theirs is shown above; what you wrote is still in the form to save instead."
        )
    try:
        with transaction.atomic():
            decision = CriterionDecision.objects.create(
                version=version,
                criterion=criterion,
                assessor=actor,
                status=data.status,
                feedback=feedback,
                evidence_ids=sorted(set(data.evidence_ids)),
                supersedes=current,
            )
    except IntegrityError:
        raise DecisionConflict(
            f"Someone saved a decision on {criterion.code} at the same moment, so yours was not saved. "
            "Theirs is shown above; what you wrote is still in the form to save instead."
        ) from None
    verb = "changed" if current else "recorded"
    record_entry(
        portfolio=version.portfolio,
        version=version,
        action=AuditEntry.Action.DECIDED,
        summary=f"{criterion.framework.code} {criterion.code} {verb}: {decision.get_status_display()}.",
        actor=actor,
    )
    return decision


@transaction.atomic
def record_group_met(
    *,
    version: PortfolioVersion,
    criteria: list[Criterion],
    feedback: str,
    based_on: dict[int, int | None],
    actor: User,
) -> list[CriterionDecision]:
    """Mark every criterion of a group met with one feedback, in one transaction: each through
    ``record_decision`` (its checks and its conflict check against ``based_on``, criterion id →
    the decision the assessor saw), so one refusal saves none. A criterion already met is left
    as it is. Each decision rests on the evidence its standing decision rested on, or, for a
    first decision, on every item of the version mapped to it."""
    if not criteria:
        raise AssessmentError("That group has no criteria to mark.")
    standing = current_decisions(version)
    mapped: dict[int, list[int]] = {}
    for item in version.snapshot.get("parts", {}).get("evidence", {}).get("items", []):
        for mapping in item.get("mappings", []):
            mapped.setdefault(mapping["criterion_id"], []).append(item["id"])
    decisions = []
    for criterion in criteria:
        current = standing.get(criterion.pk)
        if current is not None and current.status == CriterionDecision.Status.MET:
            if based_on.get(criterion.pk) != current.pk:
                raise DecisionConflict(
                    f"{current.assessor.display_name} saved a decision on {criterion.code} after you opened "
                    "this page, so none of the group was marked. Look again and mark the group once more."
                )
            continue
        data = DecisionInput(
            status=CriterionDecision.Status.MET,
            feedback=feedback,
            evidence_ids=list(current.evidence_ids) if current else mapped.get(criterion.pk, []),
            based_on=based_on.get(criterion.pk),
        )
        try:
            decisions.append(record_decision(version=version, criterion=criterion, data=data, actor=actor))
        except DecisionConflict:
            raise DecisionConflict(
                f"Someone saved a decision on {criterion.code} after you opened this page, so none of the "
                "group was marked. Look again and mark the group once more."
            ) from None
    return decisions
