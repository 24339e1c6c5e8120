"""The one gate for who may see what.

Every view finds objects through these helpers. Missing and "not yours" give the
same 404, so ids cannot be probed; "yours to read but not to change" gives 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from core.models import Cohort, Export, FormDraft, Membership, Portfolio, Role, User


class AuthenticatedHttpRequest(HttpRequest):
    """For the type checker only: the request of a view behind ``login_required`` or
    ``role_required``, whose user is signed in (never ``AnonymousUser``)."""

    user: User


def is_staff_user(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.STAFF))


def can_edit(user: User, portfolio: Portfolio) -> bool:
    """Whether this person may change the portfolio's working copy. Only its learner edits
    their own portfolio; everyone else who may see it (assessor, tutors, quality assurers,
    staff) reads it."""
    return user.pk is not None and portfolio.learner_id == user.pk


def _cohort_ids_with_role(user: User, *roles: str) -> QuerySet[Membership, Any]:
    return Membership.objects.filter(user=user, role__in=roles).values("cohort_id")


def portfolios_visible_to(user: User) -> QuerySet[Portfolio]:
    """Portfolios this person may read: their own, their learners', their cohorts'."""
    if not user.is_authenticated:
        return Portfolio.objects.none()
    if is_staff_user(user):
        return Portfolio.objects.all()
    return Portfolio.objects.filter(
        Q(learner=user)
        | Q(assessor=user)
        | Q(cohort_id__in=_cohort_ids_with_role(user, Role.TUTOR, Role.IQA))
    )


def cohorts_visible_to(user: User) -> QuerySet[Cohort]:
    if not user.is_authenticated:
        return Cohort.objects.none()
    if is_staff_user(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(
        Q(id__in=Membership.objects.filter(user=user).values("cohort_id"))
        | Q(id__in=Portfolio.objects.filter(learner=user).values("cohort_id"))
    )


def cohorts_managed_by(user: User) -> QuerySet[Cohort]:
    if is_staff_user(user):
        return Cohort.objects.all()
    return Cohort.objects.filter(id__in=_cohort_ids_with_role(user, Role.TUTOR))


def get_portfolio_for(user: User, pk: int, *, write: bool = False) -> Portfolio:
    """The portfolio if this person may read it (404 otherwise); 403 to write another's."""
    try:
        portfolio = portfolios_visible_to(user).select_related("cohort", "learner", "assessor").get(pk=pk)
    except Portfolio.DoesNotExist:
        raise Http404("No such portfolio.") from None
    if write and not can_edit(user, portfolio):
        raise PermissionDenied("Only the learner can change their portfolio.")
    return portfolio


def get_export_for(user: User, portfolio_pk: int, export_pk: int) -> Export:
    """A PDF export of a portfolio this person may read (404 otherwise, or if the export
    belongs to another portfolio). The document does not depend on who asked for it, so
    everyone who may read the portfolio may follow and download its exports."""
    portfolio = get_portfolio_for(user, portfolio_pk)
    try:
        export = portfolio.exports.select_related("version", "requested_by").get(pk=export_pk)
    except Export.DoesNotExist:
        raise Http404("No such export.") from None
    export.portfolio = portfolio
    return export


def get_cohort_for(user: User, pk: int, *, manage: bool = False, overview: bool = False) -> Cohort:
    """A cohort this person belongs to (404 otherwise).

    ``overview`` asks for the whole-cohort view (tutors, quality assurers, staff);
    ``manage`` for changing it (tutors, staff). Members without that right get 403.
    """
    try:
        cohort = cohorts_visible_to(user).get(pk=pk)
    except Cohort.DoesNotExist:
        raise Http404("No such cohort.") from None
    if is_staff_user(user) or not (manage or overview):
        return cohort
    roles = set(Membership.objects.filter(user=user, cohort=cohort).order_by().values_list("role", flat=True))
    if manage and Role.TUTOR not in roles:
        raise PermissionDenied("Only the cohort's tutors can change it.")
    if overview and not roles & {Role.TUTOR, Role.IQA}:
        raise PermissionDenied("Only the cohort's tutors and quality assurers can see the whole cohort.")
    return cohort


def get_draft_for(user: User, pk: int) -> FormDraft:
    """A form draft of this person's own (404 otherwise: nobody else's draft, not even staff's)."""
    try:
        return FormDraft.objects.get(pk=pk, owner_id=user.pk)
    except FormDraft.DoesNotExist:
        raise Http404("No such draft.") from None


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Allow only people with one of these roles (staff always); others get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in roles and not is_staff_user(request.user):
                raise PermissionDenied("This page is not for your role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
