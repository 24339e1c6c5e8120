"""Demo of the assessment cycle for the Fernleaf Home cohort: ``learner2`` waiting for
review, ``learner3`` returned with feedback and working on it, ``learner4`` signed off
and sampled by the quality assurer (one agreement, one action for the assessor to answer).

Everything goes through the same services as the pages. Safe to run again: a learner
who already has a submitted version is left alone.
"""

from __future__ import annotations

from assessment import services as assessment
from core.models import Cohort, Membership, Portfolio, Role
from core.selectors import criteria_for
from demo.evidence import _criteria, _fill
from demo.evidence_content import file_specs, link_specs, reflection_specs, transcript_specs
from evidence.models import Evidence

RETURN_FEEDBACK = {
    "P7": "You name the gaps, but not what they cost the business. Use the weekend complaint "
    "figures to show which gap matters most.",
    "K14": "Say how you will measure the improvement: a service metric with a baseline and a target.",
}


def build_demo_content(*, cohort: Cohort, portfolios: dict[str, Portfolio]) -> None:
    if "learner2" in portfolios:
        _waiting(portfolios["learner2"])
    if "learner3" in portfolios:
        _returned(portfolios["learner3"], cohort)
    if "learner4" in portfolios:
        _signed_off_and_sampled(portfolios["learner4"], cohort)


def _submit(portfolio: Portfolio):
    return assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=portfolio.learner)


def _waiting(portfolio: Portfolio) -> None:
    """Tom: a modest portfolio, submitted and waiting for the assessor."""
    if portfolio.versions.exists() or portfolio.assessor is None:
        return
    criteria = _criteria(portfolio.cohort)
    _fill(
        portfolio,
        criteria,
        [
            (Evidence.Kind.REFLECTION, reflection_specs()[2]),
            (Evidence.Kind.REFLECTION, reflection_specs()[6]),
            (Evidence.Kind.TRANSCRIPT, transcript_specs()[0]),
        ],
    )
    _submit(portfolio)


def _evidence_for(version, criterion_id: int) -> list[int]:
    items = version.snapshot["parts"]["evidence"]["items"]
    return [i["id"] for i in items if any(m["criterion_id"] == criterion_id for m in i["mappings"])]


def _returned(portfolio: Portfolio, cohort: Cohort) -> None:
    """Chloe: version 1 returned with feedback on two criteria; she has started on it."""
    if portfolio.versions.exists() or portfolio.assessor is None:
        return
    criteria = _criteria(cohort)
    _fill(
        portfolio,
        criteria,
        [
            (Evidence.Kind.REFLECTION, reflection_specs()[0]),
            (Evidence.Kind.REFLECTION, reflection_specs()[1]),
            (Evidence.Kind.TRANSCRIPT, transcript_specs()[4]),
            (Evidence.Kind.FILE, file_specs()[1]),
        ],
    )
    version = _submit(portfolio)
    assessor = portfolio.assessor
    for criterion in criteria_for(portfolio)[:10]:
        evidence = _evidence_for(version, criterion.pk)
        feedback = RETURN_FEEDBACK.get(criterion.code)
        if feedback is None and not evidence:
            continue
        assessment.record_decision(
            version=version,
            criterion=criterion,
            data=assessment.DecisionInput(
                status="not_yet_met" if feedback else "met",
                feedback=feedback or "Clear and well evidenced.",
                evidence_ids=evidence,
                based_on=None,
            ),
            actor=assessor,
        )
    if not any(d.status == "not_yet_met" for d in assessment.current_decisions(version).values()):
        first = criteria_for(portfolio)[0]
        current = assessment.current_decisions(version).get(first.pk)
        assessment.record_decision(
            version=version,
            criterion=first,
            data=assessment.DecisionInput(
                status="not_yet_met",
                feedback=RETURN_FEEDBACK["P7"],
                evidence_ids=[],
                based_on=current.pk if current else None,
            ),
            actor=assessor,
        )
    assessment.return_version(
        version=version,
        comment="A good start, Chloe. Work on the two criteria marked not yet met and submit again.",
        actor=assessor,
    )
    # Working on the feedback: a new item in the working copy, not yet submitted.
    _fill(portfolio, criteria, [(Evidence.Kind.REFLECTION, reflection_specs()[6])])


def _signed_off_and_sampled(portfolio: Portfolio, cohort: Cohort) -> None:
    """Daniel: a full portfolio, every criterion met and signed off; three decisions sampled."""
    if portfolio.versions.exists() or portfolio.assessor is None:
        return
    criteria = _criteria(cohort)
    specs = [(Evidence.Kind.FILE, s) for s in file_specs()[:4]]
    specs += [(Evidence.Kind.REFLECTION, s) for s in reflection_specs()]
    specs += [(Evidence.Kind.LINK, s) for s in link_specs()[:2]]
    specs += [(Evidence.Kind.TRANSCRIPT, s) for s in transcript_specs()[:4]]
    _fill(portfolio, criteria, specs)
    version = _submit(portfolio)
    assessor = portfolio.assessor
    for criterion in criteria_for(portfolio):
        evidence = _evidence_for(version, criterion.pk)
        assessment.record_decision(
            version=version,
            criterion=criterion,
            data=assessment.DecisionInput(
                status="met",
                feedback="Met: the evidence shows this in Fernleaf Home's own service."
                if evidence
                else "Met through the professional discussion recorded with the learner.",
                evidence_ids=evidence,
                based_on=None,
            ),
            actor=assessor,
        )
    assessment.sign_off_version(
        version=version, comment="Well done, Daniel: a thorough, well-evidenced portfolio.", actor=assessor
    )
    membership = Membership.objects.filter(cohort=cohort, role=Role.IQA).select_related("user").first()
    if membership is None:
        return
    decisions = list(version.decisions.select_related("criterion", "version__portfolio__learner")[:3])
    samples = assessment.sample_decisions(decisions=decisions, actor=membership.user)
    if len(samples) >= 2:
        assessment.record_finding(sample=samples[0], finding="agreed", comment="", actor=membership.user)
        assessment.record_finding(
            sample=samples[1],
            finding="action",
            comment="Point to the message in the transcript that shows the escalation.",
            actor=membership.user,
        )
