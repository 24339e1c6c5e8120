"""Internal quality assurance: a quality assurer samples decisions, records a finding, and the
assessor answers an action."""

from __future__ import annotations

import random
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessment.services.base import AssessmentError, record_entry
from core.models import AuditEntry, CriterionDecision, Membership, Portfolio, QualitySample, Role, User
from core.services import notify


def _check_iqa(portfolio: Portfolio, actor: User) -> None:
    if not Membership.objects.filter(user=actor, cohort_id=portfolio.cohort_id, role=Role.IQA).exists():
        raise AssessmentError("Only a quality assurer of this cohort can sample its decisions.")


@transaction.atomic
def sample_decisions(*, decisions: Iterable[CriterionDecision], actor: User) -> list[QualitySample]:
    """Sample the chosen decisions (each once); the assessors are told."""
    samples = []
    for decision in decisions:
        portfolio = decision.version.portfolio
        _check_iqa(portfolio, actor)
        if CriterionDecision.objects.filter(supersedes=decision).exists():
            continue  # only a decision that still stands is sampled
        sample, created = QualitySample.objects.get_or_create(
            decision=decision, defaults={"sampled_by": actor}
        )
        if not created:
            continue
        samples.append(sample)
        record_entry(
            portfolio=portfolio,
            version=decision.version,
            action=AuditEntry.Action.SAMPLED,
            summary=f"Decision on {decision.criterion.code} ({decision.get_status_display()}) sampled.",
            actor=actor,
        )
        notify(
            recipients=[decision.assessor],
            portfolio=portfolio,
            subject=(
                f"Your decision on {decision.criterion.code} for {portfolio.learner.display_name} was sampled"
            ),
            body="The quality assurer will record agreement or an action.",
            url=reverse("portfolio:qa_actions"),
        )
    return samples


def sample_share(
    *, candidates: list[CriterionDecision], percent: int, actor: User, seed: int | None = None
) -> list[QualitySample]:
    """Sample ``percent`` of each assessor's decisions (at least one each), chosen at random."""
    if not 1 <= percent <= 100:
        raise AssessmentError("Give a share between 1 and 100 per cent.")
    chooser = random.Random(seed)
    by_assessor: dict[int, list[CriterionDecision]] = {}
    for decision in candidates:
        by_assessor.setdefault(decision.assessor_id, []).append(decision)
    chosen: list[CriterionDecision] = []
    for decisions in by_assessor.values():
        count = max(1, round(len(decisions) * percent / 100))
        chosen += chooser.sample(decisions, min(count, len(decisions)))
    return sample_decisions(decisions=chosen, actor=actor)


@transaction.atomic
def record_finding(*, sample: QualitySample, finding: str, comment: str, actor: User) -> QualitySample:
    sample = (
        QualitySample.objects.select_for_update()
        .select_related("decision__version__portfolio__learner", "decision__criterion", "decision__assessor")
        .get(pk=sample.pk)
    )
    portfolio = sample.decision.version.portfolio
    _check_iqa(portfolio, actor)
    if sample.finding != QualitySample.Finding.PENDING:
        raise AssessmentError("A finding has already been recorded for this sample.")
    if finding not in (QualitySample.Finding.AGREED, QualitySample.Finding.ACTION):
        raise AssessmentError("Choose agreed or an action for the assessor.")
    comment = (comment or "").strip()
    if finding == QualitySample.Finding.ACTION and not comment:
        raise AssessmentError("Describe the action the assessor should take.")
    sample.finding, sample.comment, sample.reviewed_at = finding, comment, timezone.now()
    sample.save(update_fields=["finding", "comment", "reviewed_at"])
    finding_label = sample.get_finding_display().lower()
    record_entry(
        portfolio=portfolio,
        version=sample.decision.version,
        action=AuditEntry.Action.QA_FINDING,
        summary=f"Quality assurance on {sample.decision.criterion.code}: {finding_label}."
        + (f" {comment}" if comment else ""),
        actor=actor,
    )
    notify(
        recipients=[sample.decision.assessor],
        portfolio=portfolio,
        subject=_finding_subject(sample),
        body=comment,
        url=reverse("portfolio:qa_actions"),
    )
    return sample


def _decision_place(decision: CriterionDecision) -> str:
    """ "P2 for Amira Khan, version 2": which decision, on whose version."""
    version = decision.version
    return f"{decision.criterion.code} for {version.portfolio.learner.display_name}, version {version.number}"


def _finding_subject(sample: QualitySample) -> str:
    """The finding as the assessor, who reads it, is asked to take it."""
    if sample.finding == QualitySample.Finding.ACTION:
        return f"Quality assurance asks you to act on {_decision_place(sample.decision)}"
    return f"Quality assurance agrees with your decision on {_decision_place(sample.decision)}"


@transaction.atomic
def answer_action(*, sample: QualitySample, response: str, actor: User) -> QualitySample:
    sample = (
        QualitySample.objects.select_for_update()
        .select_related("decision__version__portfolio__learner", "decision__criterion")
        .get(pk=sample.pk)
    )
    if sample.decision.assessor_id != actor.pk:
        raise AssessmentError("Only the assessor who made the decision can answer.")
    if sample.finding != QualitySample.Finding.ACTION or sample.responded_at:
        raise AssessmentError("There is no open action to answer on this sample.")
    response = (response or "").strip()
    if not response:
        raise AssessmentError("Write what you did about the action.")
    sample.response, sample.responded_at = response, timezone.now()
    sample.save(update_fields=["response", "responded_at"])
    record_entry(
        portfolio=sample.decision.version.portfolio,
        version=sample.decision.version,
        action=AuditEntry.Action.QA_RESPONSE,
        summary=f"Assessor answered the action on {sample.decision.criterion.code}: {response}",
        actor=actor,
    )
    notify(
        recipients=[sample.sampled_by],
        portfolio=sample.decision.version.portfolio,
        subject=f"{actor.display_name} answered your action on {_decision_place(sample.decision)}",
        body=response,
        url=reverse("portfolio:qa_sampling"),
    )
    return sample
