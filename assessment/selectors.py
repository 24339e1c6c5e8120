"""Reads for submission and assessment, each a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import ngettext

from core.models import (
    AuditEntry,
    Cohort,
    Criterion,
    CriterionDecision,
    Membership,
    Portfolio,
    PortfolioVersion,
    QualitySample,
    Role,
    User,
    VersionOutcome,
    VersionState,
)
from core.selectors import criteria_for


def latest_version(portfolio: Portfolio) -> PortfolioVersion | None:
    """The portfolio's newest version, or None before the first submission (one query)."""
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


def versions_with_state(portfolio: Portfolio) -> list[PortfolioVersion]:
    """The portfolio's versions, newest first, each with its outcome (one query)."""
    return list(
        portfolio.versions.select_related("outcome", "outcome__assessor", "submitted_by").order_by("-number")
    )


def state_of(version: PortfolioVersion) -> VersionState:
    """Where the version stands, from the outcome loaded with it (``versions_with_state``)."""
    return VersionState.of(getattr(version, "outcome", None))


def waiting_for_review(user: User) -> QuerySet[PortfolioVersion]:
    """Versions of the portfolios assigned to this assessor that have no outcome yet, oldest
    first. The primary key breaks ties so that pages of the queue never overlap."""
    return PortfolioVersion.objects.filter(portfolio__assessor=user, outcome__isnull=True).order_by(
        "submitted_at", "pk"
    )


def assessor_queue(user: User) -> QuerySet[PortfolioVersion]:
    """Versions of the assessor's learners waiting for review, oldest first (one query). The
    snapshot, the whole frozen portfolio, stays in the database: the queue never shows it.
    Standing decisions are counted in a subquery, not a join and GROUP BY, so that counting
    the queue for its pages reads the versions alone and a page counts the decisions of its
    own versions only."""
    standing = (
        CriterionDecision.objects.filter(version=OuterRef("pk"), superseded_by__isnull=True)
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        waiting_for_review(user)
        .select_related("portfolio__learner", "portfolio__cohort")
        .defer("snapshot")
        .annotate(decision_count=Coalesce(Subquery(standing), 0))
    )


def waiting_label(since: Any, now: Any = None) -> str:
    """How long something has waited, in words: "under an hour", "5 hours", "3 days"."""
    delta: timedelta = (now or timezone.now()) - since
    days = delta.days
    if days >= 1:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours = delta.seconds // 3600
    return (
        ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours} if hours else "under an hour"
    )


@dataclass
class CriterionReview:
    criterion: Criterion
    decision: CriterionDecision | None
    history: list[CriterionDecision]  # earlier decisions on this version, oldest first
    previous: CriterionDecision | None  # the standing decision on the version before
    snapshot_evidence: list[dict[str, Any]]  # items of this version mapped to the criterion


def criteria_review(version: PortfolioVersion) -> list[CriterionReview]:
    """Every criterion of the cohort with the decisions on this version (three queries)."""
    portfolio = version.portfolio
    criteria = list(criteria_for(portfolio))
    by_criterion: dict[int, list[CriterionDecision]] = defaultdict(list)
    previous: dict[int, CriterionDecision] = {}
    rows = (
        CriterionDecision.objects.filter(version__portfolio=portfolio, version__number__lte=version.number)
        .select_related("assessor", "version")
        .defer("version__snapshot")  # every earlier version's whole record: not read here
        .annotate(is_superseded=Exists(CriterionDecision.objects.filter(supersedes=OuterRef("pk"))))
        .order_by("version__number", "decided_at", "pk")
    )
    for decision in rows:
        if decision.version_id == version.pk:
            by_criterion[decision.criterion_id].append(decision)
        elif not decision.is_superseded:
            previous[decision.criterion_id] = decision  # later versions overwrite earlier
    items = version.snapshot.get("parts", {}).get("evidence", {}).get("items", [])
    mapped: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        for mapping in item.get("mappings", []):
            mapped[mapping["criterion_id"]].append({"item": item, "note": mapping["note"]})
    result = []
    for criterion in criteria:
        decisions = by_criterion.get(criterion.pk, [])
        standing = next((d for d in decisions if not d.is_superseded), None)
        result.append(
            CriterionReview(
                criterion=criterion,
                decision=standing,
                history=[d for d in decisions if d is not standing],
                previous=previous.get(criterion.pk),
                snapshot_evidence=mapped.get(criterion.pk, []),
            )
        )
    return result


def last_reviewed_before(version: PortfolioVersion) -> PortfolioVersion | None:
    """The latest earlier version that has an outcome: what the assessor last reviewed."""
    return (
        version.portfolio.versions.filter(number__lt=version.number, outcome__isnull=False)
        .order_by("-number")
        .first()
    )


def trail(portfolio: Portfolio) -> QuerySet[AuditEntry]:
    return (
        portfolio.audit_entries.select_related("actor", "version")
        .defer("version__snapshot")
        .order_by("-at", "-pk")
    )


# --- Quality assurance ---------------------------------------------------------------------


SAMPLING_PAGE_SIZE = 100  # decisions per page of the sampling list: two or three versions


def iqa_cohort_ids(user: User) -> QuerySet:
    return Membership.objects.filter(user=user, role=Role.IQA).values("cohort_id")


def iqa_portfolios(user: User) -> QuerySet[Portfolio]:
    return Portfolio.objects.filter(cohort_id__in=iqa_cohort_ids(user))


@dataclass
class SamplingFilter:
    """Which cohort's and which assessor's decisions the quality assurer is looking at."""

    cohorts: list[Cohort]  # the choices: the cohorts they quality-assure
    assessors: list[User]  # and those cohorts' assessors
    cohort: Cohort | None = None
    assessor: User | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def query(self) -> dict[str, int]:
        chosen = {"cohort": self.cohort, "assessor": self.assessor}
        return {name: value.pk for name, value in chosen.items() if value is not None}


def sampling_filter(user: User, params: Any) -> SamplingFilter:
    """The filter the request asks for, checked against the person's own choices (two queries)."""
    cohort_ids = iqa_cohort_ids(user)
    found = SamplingFilter(
        cohorts=list(Cohort.objects.filter(id__in=cohort_ids).order_by("-start_date", "name")),
        assessors=list(
            User.objects.filter(
                id__in=Membership.objects.filter(cohort_id__in=cohort_ids, role=Role.ASSESSOR).values(
                    "user_id"
                )
            ).order_by("last_name", "first_name", "username")
        ),
    )
    for name, choices, message in (
        ("cohort", found.cohorts, "That is not one of your cohorts: showing them all."),
        ("assessor", found.assessors, "That is not an assessor of your cohorts: showing them all."),
    ):
        wanted = str(params.get(name) or "")
        if not wanted:
            continue
        match = next((c for c in choices if str(c.pk) == wanted), None)
        if match is None:
            found.errors[name] = message
        setattr(found, name, match)
    return found


def _narrowed(rows: QuerySet, to_decision: str, cohort: Cohort | None, assessor: User | None) -> QuerySet:
    """``rows`` kept to one cohort and one assessor where chosen; ``to_decision`` is the path
    from a row to its decision ("" for decisions themselves)."""
    if cohort is not None:
        rows = rows.filter(**{f"{to_decision}version__portfolio__cohort": cohort})
    if assessor is not None:
        rows = rows.filter(**{f"{to_decision}assessor": assessor})
    return rows


def sampleable_decisions(
    user: User, *, cohort: Cohort | None = None, assessor: User | None = None
) -> QuerySet[CriterionDecision]:
    """Standing decisions of closed versions in the quality assurer's cohorts that nobody has
    sampled yet (one query), learner by learner, version by version, and in each version
    framework by framework in the criteria's own order, as the review page lists them."""
    decisions = CriterionDecision.objects.filter(
        version__portfolio__in=iqa_portfolios(user),
        superseded_by__isnull=True,
        version__outcome__isnull=False,
    ).exclude(Exists(QualitySample.objects.filter(decision=OuterRef("pk"))))
    return (
        _narrowed(decisions, "", cohort, assessor)
        .select_related(
            "assessor",
            "criterion__framework",
            "version__portfolio__learner",
            "version__portfolio__cohort",
            "version__outcome",
        )
        .order_by(
            "version__portfolio__learner__last_name",
            "version__portfolio__learner__first_name",
            "version__portfolio__learner__username",
            "version__portfolio_id",
            "version__number",
            "criterion__framework__kind",
            "criterion__framework__code",
            "criterion__group__order",
            "criterion__order",
            "pk",
        )
    )


def samples_for_iqa(
    user: User, *, cohort: Cohort | None = None, assessor: User | None = None
) -> QuerySet[QualitySample]:
    samples = QualitySample.objects.filter(decision__version__portfolio__in=iqa_portfolios(user))
    return _narrowed(samples, "decision__", cohort, assessor).select_related(
        "decision__assessor",
        "decision__criterion__framework",
        "decision__version__portfolio__learner",
        "sampled_by",
    )


def samples_for_assessor(user: User) -> QuerySet[QualitySample]:
    return QualitySample.objects.filter(decision__assessor=user).select_related(
        "decision__criterion__framework", "decision__version__portfolio__learner", "sampled_by"
    )


def open_actions_count(user: User) -> int:
    return QualitySample.objects.filter(
        decision__assessor=user, finding=QualitySample.Finding.ACTION, responded_at__isnull=True
    ).count()


def latest_outcome(portfolio: Portfolio) -> PortfolioVersion | None:
    """The portfolio's latest version with its outcome, the assessor who decided it and how many
    criteria stand not yet met (one query); the snapshot stays in the database."""
    standing_not_met = Q(
        decisions__superseded_by__isnull=True, decisions__status=CriterionDecision.Status.NOT_YET_MET
    )
    return (
        portfolio.versions.select_related("outcome", "outcome__assessor")
        .defer("snapshot")
        .annotate(not_met=Count("decisions", filter=standing_not_met, distinct=True))
        .order_by("-number")
        .first()
    )
