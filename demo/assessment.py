"""Demo of the assessment cycle, each learner with their own organisation's work:
``learner2`` (Tom, Brightwell Energy) submitted three days ago and waiting for review,
``learner3`` (Chloe, Swiftpost Couriers) returned with feedback on her own gaps and working
on it, ``learner4`` (Daniel, Parkway Leisure) complete, assessed, signed off and sampled by
the quality assurer (one agreement, one action for the assessor to answer).

Everything goes through the same services as the pages; each step is then dated when it
would have happened (submissions before reviews, reviews before samples), so waiting
times read naturally. Safe to run again: a learner who already has a submitted version
is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db.models import Max, Model
from django.utils import timezone

from assessment import services as assessment
from assessment.selectors import current_decisions
from core.models import (
    AuditEntry,
    Cohort,
    CriterionDecision,
    Membership,
    Notification,
    Portfolio,
    PortfolioVersion,
    QualitySample,
    Role,
    VersionOutcome,
)
from core.selectors import criteria_for
from demo import parkway
from demo.evidence import _criteria, _fill, daniel_specs
from demo.evidence_content import brightwell_specs, swiftpost_after_feedback, swiftpost_specs
from demo.history import date_sections

RETURN_FEEDBACK = {
    "P7": "You name the missed-delivery gap, but not what it costs Swiftpost. Use the redelivery "
    "figures to show which gap matters most.",
    "K14": "Say how you will measure the improvement: a service metric with a baseline and a target, "
    "such as the share of missed-delivery messages answered within the hour.",
}
# Rows each action writes, and the field that says when.
DATED = [
    (PortfolioVersion, "submitted_at"),
    (CriterionDecision, "decided_at"),
    (VersionOutcome, "decided_at"),
    (QualitySample, "sampled_at"),
    (AuditEntry, "at"),
    (Notification, "created_at"),
]


def build_demo_content(*, cohort: Cohort, portfolios: dict[str, Portfolio]) -> None:
    if "learner2" in portfolios:
        _waiting(portfolios["learner2"])
    if "learner3" in portfolios:
        _returned(portfolios["learner3"], cohort)
    if "learner4" in portfolios:
        _signed_off_and_sampled(portfolios["learner4"], cohort)


def _day(days_ago: int, hour: int, minute: int = 0) -> datetime:
    day: date = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _dated[T](when: datetime, action: Callable[[], T]) -> T:
    """Run ``action`` and date the records it wrote ``when``, as if it had run then."""
    marks = {model: model.objects.aggregate(top=Max("pk"))["top"] or 0 for model, _ in DATED}
    result = action()
    for model, field in DATED:
        model_cls: type[Model] = model
        model_cls.objects.filter(pk__gt=marks[model]).update(**{field: when})
    return result


def _submit(portfolio: Portfolio, when: datetime) -> PortfolioVersion:
    date_sections(portfolio, when - timedelta(hours=1))
    return _dated(
        when,
        lambda: assessment.submit_portfolio(
            portfolio=portfolio, declaration_signed=True, actor=portfolio.learner
        ),
    )


def _waiting(portfolio: Portfolio) -> None:
    """Tom: a modest first portfolio, submitted three days ago, waiting for the assessor."""
    if portfolio.versions.exists() or portfolio.assessor is None:
        return
    _fill(portfolio, _criteria(portfolio.cohort), brightwell_specs())
    _submit(portfolio, _day(3, 9, 40))


def _evidence_for(version: PortfolioVersion, criterion_id: int) -> list[int]:
    items = version.snapshot["parts"]["evidence"]["items"]
    return [i["id"] for i in items if any(m["criterion_id"] == criterion_id for m in i["mappings"])]


def _decide(version: PortfolioVersion, criterion, status: str, feedback: str, when: datetime) -> None:
    current = current_decisions(version).get(criterion.pk)
    _dated(
        when,
        lambda: assessment.record_decision(
            version=version,
            criterion=criterion,
            data=assessment.DecisionInput(
                status=status,
                feedback=feedback,
                evidence_ids=_evidence_for(version, criterion.pk),
                based_on=current.pk if current else None,
            ),
            actor=version.portfolio.assessor,
        ),
    )


def _returned(portfolio: Portfolio, cohort: Cohort) -> None:
    """Chloe: version 1 returned with feedback on two criteria; she is answering it."""
    if portfolio.versions.exists() or portfolio.assessor is None:
        return
    criteria = _criteria(cohort)
    _fill(portfolio, criteria, swiftpost_specs())
    version = _submit(portfolio, _day(24, 11, 20))
    reviewed = _day(19, 14)
    for number, criterion in enumerate(criteria_for(portfolio)):
        feedback = RETURN_FEEDBACK.get(criterion.code)
        if feedback is not None:
            _decide(version, criterion, "not_yet_met", feedback, reviewed + timedelta(minutes=2 * number))
        elif _evidence_for(version, criterion.pk):
            note = "Met: your Swiftpost evidence shows this clearly."
            _decide(version, criterion, "met", note, reviewed + timedelta(minutes=2 * number))
    _dated(
        reviewed + timedelta(hours=2),
        lambda: assessment.return_version(
            version=version,
            comment="A good start, Chloe. Work on the two criteria marked not yet met and submit again.",
            actor=portfolio.assessor,
        ),
    )
    # Working on the feedback: a new item in the working copy, not yet submitted.
    _fill(portfolio, criteria, [swiftpost_after_feedback()])


def _signed_off_and_sampled(portfolio: Portfolio, cohort: Cohort) -> None:
    """Daniel: every guided step complete, every criterion met on his own evidence, signed
    off; three decisions sampled by the quality assurer."""
    if portfolio.versions.exists() or portfolio.assessor is None:
        return
    _fill(portfolio, _criteria(cohort), daniel_specs())
    version = _submit(portfolio, _day(parkway.SUBMITTED_DAYS_AGO, 16, 45))
    reviewed = _day(parkway.SUBMITTED_DAYS_AGO - 3, 10)
    titles_by_id = {item["id"]: item["title"] for item in version.snapshot["parts"]["evidence"]["items"]}
    for number, criterion in enumerate(criteria_for(portfolio)):
        evidence = _evidence_for(version, criterion.pk)
        titles = [titles_by_id[pk] for pk in evidence]
        feedback = (
            f"Met: “{titles[number % len(titles)]}” shows this in {parkway.ORGANISATION}'s own service."
            if evidence
            else "Met through the professional discussion recorded with the learner."
        )
        _decide(version, criterion, "met", feedback, reviewed + timedelta(minutes=3 * number))
    _dated(
        reviewed + timedelta(hours=5),
        lambda: assessment.sign_off_version(
            version=version,
            comment="Well done, Daniel: a thorough, well-evidenced portfolio built on Parkway's own data.",
            actor=portfolio.assessor,
        ),
    )
    membership = Membership.objects.filter(cohort=cohort, role=Role.IQA).select_related("user").first()
    if membership is None:
        return
    iqa = membership.user
    decisions = list(version.decisions.select_related("criterion", "version__portfolio__learner")[:3])
    sampled = _day(parkway.SUBMITTED_DAYS_AGO - 6, 11)
    samples = _dated(sampled, lambda: assessment.sample_decisions(decisions=decisions, actor=iqa))
    if len(samples) >= 2:
        findings = [
            (samples[0], "agreed", ""),
            (samples[1], "action", "Point to the message in the transcript that shows the escalation."),
        ]
        for minutes, (sample, finding, comment) in enumerate(findings):
            when = sampled + timedelta(days=1, hours=3, minutes=20 * minutes)
            _dated(
                when,
                lambda s=sample, f=finding, c=comment: assessment.record_finding(
                    sample=s, finding=f, comment=c, actor=iqa
                ),
            )
            QualitySample.objects.filter(pk=sample.pk).update(reviewed_at=when)
