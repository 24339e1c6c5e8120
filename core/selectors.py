"""Reads shaped for the pages: each returns a queryset whose cost is a fixed number of queries."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.cache import caches
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.access import cohorts_managed_by, is_staff_user
from core.models import (
    Cohort,
    Criterion,
    CriterionDecision,
    CriterionGroup,
    CrosswalkLink,
    Framework,
    Invitation,
    Membership,
    Notification,
    Portfolio,
    Role,
    User,
)


def learner_portfolios(user: User) -> QuerySet[Portfolio]:
    return (
        Portfolio.objects.filter(learner=user)
        .select_related("cohort", "assessor")
        .prefetch_related("cohort__frameworks")
        .order_by("-cohort__start_date")
    )


def assessor_caseload(user: User) -> QuerySet[Portfolio]:
    return (
        Portfolio.objects.filter(assessor=user)
        .select_related("learner", "cohort", "assessor")
        .order_by("cohort__name", "learner__last_name", "learner__first_name")
    )


def _count(rows: QuerySet[Any]) -> Coalesce:
    """The number of these rows that belong to the outer cohort, as a scalar subquery."""
    return Coalesce(Subquery(rows.order_by().values("cohort").annotate(n=Count("pk")).values("n")), 0)


def _with_counts(cohorts: QuerySet[Cohort]) -> QuerySet[Cohort]:
    """The cohorts with the numbers their cards show, in the one query that lists them.

    Each count is a subquery of its own rather than a join. Joins would be shared with
    whatever filter chose the cohorts (the quality assurer's list filters on memberships,
    and counting assessors over that join found the quality assurer's membership alone),
    and three joined lists multiply each other's rows before DISTINCT undoes it.
    """
    cohort, now = OuterRef("pk"), timezone.now()
    return cohorts.annotate(
        learner_count=_count(Portfolio.objects.filter(cohort=cohort)),
        assessor_count=_count(Membership.objects.filter(cohort=cohort, role=Role.ASSESSOR)),
        unassigned_count=_count(Portfolio.objects.filter(cohort=cohort, assessor__isnull=True)),
        pending_invitation_count=_count(
            Invitation.objects.filter(
                cohort=cohort, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
            )
        ),
    ).order_by("-start_date", "name")


def tutor_cohorts(user: User) -> QuerySet[Cohort]:
    return _with_counts(cohorts_managed_by(user))


def iqa_cohorts(user: User) -> QuerySet[Cohort]:
    if is_staff_user(user):
        return _with_counts(Cohort.objects.all())
    return _with_counts(
        Cohort.objects.filter(id__in=Membership.objects.filter(user=user, role=Role.IQA).values("cohort_id"))
    )


def cohort_roster(cohort: Cohort) -> QuerySet[Portfolio]:
    return cohort.portfolios.select_related("learner", "assessor").order_by(
        "learner__last_name", "learner__first_name", "learner__username"
    )


def cohort_assessors(cohort: Cohort) -> list[User]:
    return list(
        User.objects.filter(memberships__cohort=cohort, memberships__role=Role.ASSESSOR).order_by(
            "last_name", "first_name"
        )
    )


def cohort_staff(cohort: Cohort) -> QuerySet[Membership]:
    return cohort.memberships.select_related("user").order_by("role", "user__last_name", "user__first_name")


def cohort_invitations(cohort: Cohort) -> QuerySet[Invitation]:
    return cohort.invitations.select_related("invited_by").order_by("-created_at")[:50]


# The order of criteria everywhere (the coverage matrix, the assessor's review, the
# dashboards): standards before units, by framework code, then group and criterion order.
CRITERIA_ORDER = ("framework__kind", "framework__code", "group__order", "group_id", "order", "pk")


def criteria_for_cohort(cohort: Cohort) -> QuerySet[Criterion]:
    """The criteria of the cohort's frameworks, with framework and group, in ``CRITERIA_ORDER``
    (one query)."""
    return _criteria_of_cohort(cohort.pk)


def criteria_for(portfolio: Portfolio) -> QuerySet[Criterion]:
    """The criteria the portfolio is assessed against: those of its cohort's frameworks, with
    framework and group, in ``CRITERIA_ORDER`` (one query). Filter it to check that a
    criterion belongs to the portfolio."""
    return _criteria_of_cohort(portfolio.cohort_id)


def _criteria_of_cohort(cohort_id: int) -> QuerySet[Criterion]:
    return (
        Criterion.objects.filter(framework__cohorts=cohort_id)
        .select_related("framework", "group")
        .order_by(*CRITERIA_ORDER)
    )


def criteria_for_cohorts(cohort_ids: Iterable[int]) -> dict[int, list[Criterion]]:
    """cohort id → its criteria in ``CRITERIA_ORDER``, each with its framework and group
    attached, for many cohorts at once (two queries). A framework shared by cohorts is read once."""
    links = list(
        Cohort.frameworks.through.objects.filter(cohort_id__in=list(cohort_ids))
        .select_related("framework")
        .order_by("framework__kind", "framework__code")
    )
    by_framework: dict[int, list[Criterion]] = defaultdict(list)
    frameworks = {link.framework_id: link.framework for link in links}
    criteria = (
        Criterion.objects.filter(framework_id__in=list(frameworks))
        .select_related("group")
        .order_by("group__order", "group_id", "order", "pk")
    )
    for criterion in criteria:
        criterion.framework = frameworks[criterion.framework_id]
        by_framework[criterion.framework_id].append(criterion)
    result: dict[int, list[Criterion]] = defaultdict(list)
    for link in links:
        result[link.cohort_id] += by_framework[link.framework_id]
    return dict(result)


def _groups_with_criteria(*, crosswalks: bool) -> Prefetch[str, QuerySet[CriterionGroup], str]:
    """A framework's groups in order, each with its criteria in order (two queries), and with
    each criterion's crosswalk links both ways when asked (two more)."""
    criteria = Criterion.objects.order_by("order", "pk")
    if crosswalks:
        criteria = criteria.prefetch_related(
            Prefetch("crosswalk_out", queryset=CrosswalkLink.objects.select_related("target__framework")),
            Prefetch("crosswalk_in", queryset=CrosswalkLink.objects.select_related("source__framework")),
        )
    groups = CriterionGroup.objects.order_by("order", "pk").prefetch_related(
        Prefetch("criteria", queryset=criteria)
    )
    return Prefetch("groups", queryset=groups)


def frameworks_with_criteria(
    frameworks: QuerySet[Framework], *, crosswalks: bool = True
) -> QuerySet[Framework]:
    """Frameworks with their groups and criteria in three queries, and the criteria's crosswalk
    links in two more unless ``crosswalks`` is False."""
    return frameworks.order_by("kind", "code").prefetch_related(_groups_with_criteria(crosswalks=crosswalks))


# How long a process keeps a cohort's criteria trees (``cohort_framework_trees``) before it reads
# them again, whatever else happens: the key changes at once when a framework is imported again
# (its ``imported_at``), and a change saved in this process clears them; a crosswalk link edited
# in the admin of another process shows within this many seconds.
FRAMEWORK_TREES_SECONDS = 60


def cohort_framework_trees(cohort: Cohort, *, crosswalks: bool = True) -> list[Framework]:
    """``frameworks_with_criteria(cohort.frameworks.all())``, read once a minute per process:
    one query (the frameworks, whose import stamps are the key) instead of five and their
    objects; on a miss the same five as ``frameworks_with_criteria``. Each call gets its own
    objects (the cache keeps them pickled), so a page may annotate them."""
    frameworks = list(cohort.frameworks.order_by("kind", "code"))
    stamps = [(f.pk, f.imported_at) for f in frameworks]
    key = "framework-trees:" + hashlib.sha256(repr((crosswalks, stamps)).encode()).hexdigest()
    cache = caches["local"]
    trees: list[Framework] | None = cache.get(key)
    if trees is None:
        prefetch_related_objects(frameworks, _groups_with_criteria(crosswalks=crosswalks))
        cache.set(key, frameworks, FRAMEWORK_TREES_SECONDS)
        trees = frameworks
    return trees


def forget_framework_trees(**_: Any) -> None:
    """Empties this process's local cache (on a change to a framework, group, criterion or link):
    its criteria trees, and the KPI snapshots with them, which are cheap to make again."""
    caches["local"].clear()


def frameworks_by_cohort(cohort_ids: Iterable[int]) -> dict[int, list[Framework]]:
    """cohort id → its frameworks in kind and code order, each with its groups and their criteria
    (``framework.groups.all()``, ``group.criteria.all()``), for many cohorts in three queries. A
    framework shared by cohorts is read once and is the same object in each."""
    links = list(
        Cohort.frameworks.through.objects.filter(cohort_id__in=list(cohort_ids))
        .select_related("framework")
        .order_by("framework__kind", "framework__code")
    )
    frameworks = {link.framework_id: link.framework for link in links}
    prefetch_related_objects(list(frameworks.values()), _groups_with_criteria(crosswalks=False))
    result: dict[int, list[Framework]] = defaultdict(list)
    for link in links:
        result[link.cohort_id].append(frameworks[link.framework_id])
    return dict(result)


def latest_decision_statuses(portfolio_ids: list[int]) -> dict[tuple[int, int], str]:
    """(portfolio id, criterion id) → the status of the standing decision of the latest version
    that has one (one query). Only three columns: loading the decisions with their versions
    would bring every version's snapshot along, once per decision."""
    rows = (
        CriterionDecision.objects.filter(version__portfolio_id__in=portfolio_ids, superseded_by__isnull=True)
        .order_by("version__number", "decided_at", "pk")
        .values_list("version__portfolio_id", "criterion_id", "status")
    )
    # Later versions come last and overwrite earlier ones.
    return {(portfolio_id, criterion_id): status for portfolio_id, criterion_id, status in rows}


def notifications_for(user: User, *, limit: int = 50) -> list[Notification]:
    return list(user.notifications.select_related("portfolio__learner")[:limit])


def unread_count(user: User) -> int:
    return user.notifications.filter(read_at__isnull=True).count()
