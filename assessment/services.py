"""Writes for submission, assessment and quality assurance.

Each takes the acting user, runs in one transaction and raises ``AssessmentError``
with a message for the person when a rule is broken. Versions, decisions, outcomes and
audit entries are append-only: a changed decision is a new row superseding the old.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from core.access import can_edit
from core.models import (
    AuditEntry,
    Criterion,
    CriterionDecision,
    Membership,
    Portfolio,
    PortfolioVersion,
    QualitySample,
    Role,
    User,
    VersionFile,
    VersionOutcome,
    VersionState,
)
from core.selectors import criteria_for
from core.services import notify
from core.versions import build_snapshot, digest_of, run_on_submit

log = logging.getLogger(__name__)

DECLARATION = (
    "I confirm that this portfolio is my own work. Where I have used other people's words, "
    "data or images I have said so, and the interactions marked as real took place as shown."
)
FEEDBACK_MAX_LENGTH = 4000


class AssessmentError(Exception):
    """A rule of submission or assessment was broken; the message is shown to the user.

    ``field`` names the input at fault, when there is one, so the page can show the message
    beside it and link to it from the error summary.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DecisionConflict(AssessmentError):
    """Someone else saved a decision on this criterion after the form was opened."""


# --- Reading the state of a version --------------------------------------------------------


def latest_version(portfolio: Portfolio) -> PortfolioVersion | None:
    return portfolio.versions.order_by("-number").first()


def version_state(version: PortfolioVersion) -> VersionState:
    """Where the version stands, from its outcome read afresh (one query)."""
    return VersionState.of(VersionOutcome.objects.filter(version=version).first())


def current_decisions(version: PortfolioVersion) -> dict[int, CriterionDecision]:
    """criterion id → the decision nobody has superseded (one query)."""
    return {
        d.criterion_id: d
        for d in version.decisions.filter(superseded_by__isnull=True).select_related("assessor")
    }


# --- Audit trail and notifications ----------------------------------------------------------


def record_entry(
    *, portfolio: Portfolio, version: PortfolioVersion | None, action: str, summary: str, actor: User
) -> AuditEntry:
    return AuditEntry.objects.create(
        portfolio=portfolio, version=version, action=action, summary=summary, actor=actor
    )


def _version_url(version: PortfolioVersion) -> str:
    return reverse("portfolio:version_detail", args=[version.portfolio_id, version.number])


# --- Submission ------------------------------------------------------------------------------


@transaction.atomic
def submit_portfolio(*, portfolio: Portfolio, declaration_signed: bool, actor: User) -> PortfolioVersion:
    """Freeze the working copy as version n+1, after the learner signs the declaration."""
    if not can_edit(actor, portfolio):
        raise AssessmentError("Only the learner can submit their portfolio.")
    if not declaration_signed:
        raise AssessmentError("Sign the authenticity declaration before you submit.", field="declaration")
    portfolio = Portfolio.objects.select_for_update().select_related("learner", "cohort").get(pk=portfolio.pk)
    previous = latest_version(portfolio)
    if previous is not None:
        state = version_state(previous)
        if state == VersionState.AWAITING_REVIEW:
            raise AssessmentError(
                f"Version {previous.number} is still waiting for your assessor: "
                "submit again once it is returned."
            )
        if state == VersionState.SIGNED_OFF:
            raise AssessmentError("Your portfolio has been signed off: it cannot be submitted again.")
    snapshot = build_snapshot(portfolio)
    number = (portfolio.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PortfolioVersion.objects.create(
        portfolio=portfolio,
        number=number,
        submitted_by=actor,
        declaration=DECLARATION,
        snapshot=snapshot,
        digest=digest_of(snapshot),
    )
    VersionFile.objects.bulk_create(
        [
            VersionFile(
                version=version,
                evidence_id=item["id"],
                name=item["file"]["name"],
                original_name=item["file"]["original_name"],
                content_type=item["file"]["content_type"],
                size=item["file"]["size"],
                sha256=item["file"]["sha256"],
            )
            for item in snapshot["parts"].get("evidence", {}).get("items", [])
            if item.get("file")
        ]
    )
    run_on_submit(version)
    record_entry(
        portfolio=portfolio,
        version=version,
        action=AuditEntry.Action.SUBMITTED,
        summary=(
            f"Version {number} submitted with the authenticity declaration signed "
            f"(digest {version.digest[:12]}…)."
        ),
        actor=actor,
    )
    notify(
        recipients=[portfolio.assessor],
        portfolio=portfolio,
        subject=f"{portfolio.learner.display_name} submitted version {number}",
        body="A portfolio is waiting for your review.",
        url=_version_url(version),
    )
    log.info("portfolio %s version %s submitted by %s", portfolio.pk, number, actor.username)
    return version


# --- Decisions and outcomes -------------------------------------------------------------------


def _check_assessor(version: PortfolioVersion, actor: User) -> None:
    if version.portfolio.assessor_id != actor.pk:
        raise AssessmentError("Only the learner's assigned assessor can assess this portfolio.")
    if latest_version(version.portfolio).pk != version.pk:
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
    _check_assessor(version, actor)
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


@transaction.atomic
def return_version(*, version: PortfolioVersion, comment: str, actor: User) -> VersionOutcome:
    """Send the version back for resubmission; at least one criterion must be not yet met."""
    version = (
        PortfolioVersion.objects.select_for_update().select_related("portfolio__learner").get(pk=version.pk)
    )
    _check_assessor(version, actor)
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
    _check_assessor(version, actor)
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
        url=_version_url(version),
    )
    log.info("portfolio %s version %s %s by %s", portfolio.pk, version.number, kind, actor.username)
    return outcome


# --- Quality assurance ------------------------------------------------------------------------


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
