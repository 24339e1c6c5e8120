"""A portfolio that passes every readiness rule, and one way to break each rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from audit import models as audit
from core.models import Criterion, Portfolio
from core.sections import all_sections
from evidence.models import CriterionMapping, Evidence, TranscriptMessage
from strategy import models as strategy
from tests.audit.factories import ServiceDataImportFactory
from tests.strategy.factories import (
    BudgetLineFactory,
    ObjectiveFactory,
    PlatformScoreFactory,
    RaciActivityFactory,
    ResponseProtocolFactory,
    ReviewCycleFactory,
    RiskFactory,
    TimelineTaskFactory,
)

COMPLIES = {
    f"{prefix}_{part}": value
    for prefix, _label in strategy.REGULATIONS
    for part, value in (("status", "complies"), ("note", "Checked with the policy team."))
}


def _audit(portfolio: Portfolio) -> None:
    audit.OrganisationProfile.objects.create(
        portfolio=portfolio, name="Fernleaf Home", service_offer="Replies within an hour, 8am to 8pm."
    )
    for name in ("Delivery booking", "Returns", "Complaints"):
        audit.ServiceProcess.objects.create(
            portfolio=portfolio, name=name, how_it_runs="By phone and e-mail."
        )
    for platform in ("facebook", "x"):
        audit.PlatformPresence.objects.create(
            portfolio=portfolio,
            platform=platform,
            audience=9500,
            typical_response_minutes=240,
            service_use="Delivery questions and complaints.",
        )
    for name in ("New home owners", "Trade buyers"):
        audit.CustomerSegment.objects.create(
            portfolio=portfolio,
            name=name,
            demographics="25–40",
            platforms="Instagram, Facebook",
            uses="Ideas",
        )
    for name in ("Owners' group", "Trustpilot reviewers"):
        audit.Community.objects.create(
            portfolio=portfolio, name=name, platform="facebook", profile="Owners.", relevance="Reviews."
        )
    for competitor in ("Oakhurst Living", "Loft & Linen"):
        audit.CompetitorPresence.objects.create(
            portfolio=portfolio,
            competitor=competitor,
            platform="x",
            service_activity="Replies in an hour.",
            strengths="Fast.",
        )
    audit.StepNote.objects.create(portfolio=portfolio, step="competitors", text="Copy their weekend rota.")
    audit.ServiceGap.objects.create(
        portfolio=portfolio, gap="Slow weekends", evidence="Nine hours on X.", improvement="Weekend rota"
    )
    ServiceDataImportFactory(portfolio=portfolio, status=audit.ServiceDataImport.Status.DONE)


def _strategy(portfolio: Portfolio) -> None:
    strategy.Vision.objects.create(
        portfolio=portfolio,
        business_fit="Fewer cancelled orders.",
        organisational_links="Delivery and marketing teams.",
        owned_media="Our pages.",
        earned_media="Reviews and shares.",
        paid_media="Promoted posts.",
        promotion_vs_service="Service replies never carry offers.",
    )
    ObjectiveFactory(portfolio=portfolio, metric_key="median_first_response")
    ObjectiveFactory(portfolio=portfolio, metric_key="csat", baseline=70, target=80)
    strategy.PlatformSelection.objects.create(portfolio=portfolio, justification="Where our segments are.")
    PlatformScoreFactory(portfolio=portfolio, platform="Facebook")
    PlatformScoreFactory(portfolio=portfolio, platform="Instagram")
    for category in ("data_security", "negative_publicity", "regulation", "staffing"):
        RiskFactory(portfolio=portfolio, category=category)
    strategy.RegulationCheck.objects.create(portfolio=portfolio, improvement="Weekend rota", **COMPLIES)
    strategy.ImplementationPlan.objects.create(
        portfolio=portfolio,
        roles="Team leader\nAdvisers",
        escalation_path="Adviser, then team leader.",
        crisis_framework="Holding statement within an hour.",
        brand_voice="Warm and plain.",
        voice_do="Use first names.",
        voice_dont="No jargon.",
        training_needs="Two sessions.",
        technology="A shared inbox.",
        capability_review="Two advisers more at weekends.",
    )
    RaciActivityFactory(portfolio=portfolio)
    ResponseProtocolFactory(portfolio=portfolio, platform="Facebook")
    ResponseProtocolFactory(portfolio=portfolio, platform="X")
    BudgetLineFactory(portfolio=portfolio)
    TimelineTaskFactory(portfolio=portfolio)
    ReviewCycleFactory(portfolio=portfolio, act_step="Extend the rota to evenings.")
    strategy.ChampionPitch.objects.create(
        portfolio=portfolio, response_time_now=540, response_time_projected=60, nps_now=12, nps_projected=25
    )


def _transcript(
    portfolio: Portfolio, title: str, scenario: str, visibility: str, stages: list[str]
) -> Evidence:
    item = Evidence.objects.create(
        portfolio=portfolio,
        kind=Evidence.Kind.TRANSCRIPT,
        title=title,
        scenario=scenario,
        visibility=visibility,
        account_handle="@FernleafHome",
    )
    start = timezone.now() - timedelta(days=3)
    TranscriptMessage.objects.create(
        evidence=item, position=0, author="customer", sent_at=start, text="Where is my sofa?"
    )
    for position, stage in enumerate(stages or [""], start=1):
        TranscriptMessage.objects.create(
            evidence=item,
            position=position,
            author="organisation",
            sent_at=start + timedelta(minutes=position * 10),
            text="Sorry, let me check for you. @FernleafHome",
            stage=stage,
            annotation="I moved it to a private message." if position == 1 else "",
        )
    return item


def _evidence(portfolio: Portfolio) -> None:
    all_stages = ["acknowledge", "investigate", "resolve", "follow_up"]
    items = [
        _transcript(portfolio, "Late sofa", "complaint", "public", all_stages),
        _transcript(portfolio, "Thanks for the fitters", "positive", "public", []),
        _transcript(portfolio, "Warranty question", "complex", "private", []),
        Evidence.objects.create(
            portfolio=portfolio, kind=Evidence.Kind.REFLECTION, title="My style", body="I adapted my tone."
        ),
    ]
    for section in all_sections():
        Evidence.objects.create(
            portfolio=portfolio,
            kind=Evidence.Kind.SECTION,
            title=section.title,
            section_key=section.key,
            section_complete=True,
        )
    for criterion in Criterion.objects.filter(framework__cohorts=portfolio.cohort):
        CriterionMapping.objects.create(evidence=items[0], criterion=criterion, note="Shows how I handle it.")


def build_full(portfolio: Portfolio) -> Portfolio:
    _audit(portfolio)
    _strategy(portfolio)
    _evidence(portfolio)
    return portfolio


def _update(model, **values) -> Callable[[Portfolio], None]:
    return lambda p: model.objects.filter(portfolio=p).update(**values)


def _delete(model, **filters) -> Callable[[Portfolio], None]:
    return lambda p: model.objects.filter(portfolio=p, **filters).delete()


def _transcripts(**values) -> Callable[[Portfolio], None]:
    return lambda p: Evidence.objects.filter(portfolio=p, kind="transcript").update(**values)


def _personal_data(p: Portfolio) -> None:
    TranscriptMessage.objects.filter(evidence__portfolio=p, author="customer").update(
        text="My order number is 48213391, e-mail jo.bloggs@example.com"
    )


def _no_annotations(p: Portfolio) -> None:
    TranscriptMessage.objects.filter(evidence__portfolio=p).update(annotation="")


def _unmapped_criterion(p: Portfolio) -> None:
    CriterionMapping.objects.filter(evidence__portfolio=p).first().delete()


def _stale_objective(p: Portfolio) -> None:
    strategy.Objective.objects.filter(portfolio=p).update(deadline=date.today() - timedelta(days=1))


# rule id → how to break it, starting from a full portfolio
BREAKERS: dict[str, Callable[[Portfolio], None]] = {
    "audit.processes": _update(audit.OrganisationProfile, service_offer=""),
    "audit.presence": _update(audit.PlatformPresence, audience=None),
    "audit.presence_service_use": _update(audit.PlatformPresence, service_use=""),
    "audit.customer_segments": _update(audit.CustomerSegment, demographics=""),
    "audit.communities": _delete(audit.Community),
    "audit.competitors": _delete(audit.StepNote, step="competitors"),
    "audit.service_gap": _update(audit.ServiceGap, evidence=""),
    "audit.service_data": _delete(audit.ServiceDataImport),
    "strategy.business_alignment": _update(strategy.Objective, business_objective=""),
    "strategy.media_types": _update(strategy.Vision, earned_media=""),
    "strategy.promotion_vs_service": _update(strategy.Vision, promotion_vs_service=" "),
    "strategy.objectives_smart": _stale_objective,
    "strategy.objective_service_metric": _update(strategy.Objective, metric_key="volume"),
    "strategy.metrics_defined": _update(strategy.Objective, metric_key=""),
    "strategy.platforms_justified": _update(strategy.PlatformSelection, justification=""),
    "strategy.risk_categories": _delete(strategy.Risk, category="negative_publicity"),
    "strategy.risk_mitigation": _update(strategy.Risk, mitigation=""),
    "strategy.regulation_checked": _update(strategy.RegulationCheck, equality_status=""),
    "strategy.implementation_plan": _update(strategy.ImplementationPlan, training_needs=""),
    "strategy.response_protocols": _update(strategy.ImplementationPlan, escalation_path=""),
    "strategy.protocols_per_platform": _update(strategy.ResponseProtocol, platform="Facebook"),
    "strategy.brand_voice": _update(strategy.ImplementationPlan, voice_dont=""),
    "strategy.crisis_framework": _update(strategy.ImplementationPlan, crisis_framework=""),
    "strategy.staffing_capacity": _delete(strategy.Risk, category="staffing"),
    "strategy.resources": _delete(strategy.BudgetLine),
    "strategy.monitoring_cycle": _update(strategy.ReviewCycle, value_after=None),
    "strategy.pitch_quantified": _update(strategy.ChampionPitch, nps_projected=None),
    "strategy.steps_complete": lambda p: (
        Evidence.objects.filter(portfolio=p, kind="section")
        .filter(section_key="strategy.pitch")
        .update(section_complete=False)
    ),
    "evidence.transcript_scenarios": _transcripts(scenario="complaint"),
    "evidence.transcript_visibility": _transcripts(visibility="public"),
    "evidence.transcript_annotations": _no_annotations,
    "evidence.complaint_stages": lambda p: TranscriptMessage.objects.filter(
        evidence__portfolio=p, stage="follow_up"
    ).update(stage="resolve"),
    "evidence.personal_data": _personal_data,
    "evidence.criteria_covered": _unmapped_criterion,
    "evidence.mapping_notes": lambda p: (
        CriterionMapping.objects.filter(evidence__portfolio=p)
        .filter(pk=CriterionMapping.objects.filter(evidence__portfolio=p).first().pk)
        .update(note="")
    ),
    "evidence.reflection": _delete(Evidence, kind="reflection"),
}
