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
from django.utils import timezone

from core.models import (
    Cohort,
    EqaGrant,
    Export,
    FormDraft,
    Membership,
    Portfolio,
    PortfolioVersion,
    Role,
    User,
)


class AuthenticatedHttpRequest(HttpRequest):
    """For the type checker only: the request of a view behind ``login_required`` or
    ``role_required``, whose user is signed in (never ``AnonymousUser``)."""

    user: User


def is_staff_user(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.STAFF))


def is_learner_of(user: User, portfolio: Portfolio) -> bool:
    """Whether this person is the portfolio's learner: the one who confirms the records
    about their work, answers questions on it, and takes no part in annotating it."""
    return user.pk is not None and portfolio.learner_id == user.pk


def can_edit(user: User, portfolio: Portfolio) -> bool:
    """Whether this person may change the portfolio's working copy. Only its learner edits
    their own portfolio; everyone else who may see it (assessor, tutors, quality assurers,
    staff) reads it."""
    return is_learner_of(user, portfolio)


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


def get_portfolio_for(user: User, pk: int, *, write: bool = False, moderation: bool = False) -> Portfolio:
    """The portfolio if this person may read it (404 otherwise); 403 to write another's.

    ``moderation``: the page shows only submitted versions (their list and pages, their
    files, their PDFs, the trail), which an external quality assurer may read while a grant
    names them. Every other page stays closed to an EQA: they never see a working copy."""
    if moderation and is_eqa(user):
        portfolio = _moderated_portfolio(user, pk)
    else:
        try:
            portfolio = portfolios_visible_to(user).select_related("cohort", "learner", "assessor").get(pk=pk)
        except Portfolio.DoesNotExist:
            raise Http404("No such portfolio.") from None
    if write and not can_edit(user, portfolio):
        raise PermissionDenied("Only the learner can change their portfolio.")
    return portfolio


def get_portfolio_for_assessor(user: User, pk: int) -> Portfolio:
    """The portfolio if this person is its assigned assessor, who writes records about the
    learner's work (observations); 404 to those who may not read it, 403 to other readers."""
    portfolio = get_portfolio_for(user, pk)
    if portfolio.assessor_id is None or portfolio.assessor_id != user.pk:
        raise PermissionDenied("Only the portfolio's assessor can write its records.")
    return portfolio


def get_export_for(user: User, portfolio_pk: int, export_pk: int) -> Export:
    """A PDF export of a portfolio this person may read (404 otherwise, or if the export
    belongs to another portfolio). The document does not depend on who asked for it, so
    everyone who may read the portfolio may follow and download its exports (an external
    quality assurer: those of the versions granted to them)."""
    portfolio = get_portfolio_for(user, portfolio_pk, moderation=True)
    exports = portfolio.exports.select_related("version", "requested_by")
    if is_eqa(user):
        exports = exports.filter(version__in=versions_visible_to(user, portfolio))
    try:
        export = exports.get(pk=export_pk)
    except Export.DoesNotExist:
        raise Http404("No such export.") from None
    export.portfolio = portfolio
    return export


# --- External quality assurers: only what a live grant names --------------------------------


def is_eqa(user: User) -> bool:
    return bool(user.is_authenticated and user.role == Role.EQA and not user.is_superuser)


def live_eqa_grants(user: User) -> QuerySet[EqaGrant]:
    """The grants open to this assurer now. Checked on every request: an access ends at its
    end date without anything having to run."""
    now = timezone.now()
    return EqaGrant.objects.filter(eqa_id=user.pk, ended_at__isnull=True, starts_at__lte=now, ends_at__gt=now)


def _granted_portfolios(grants: QuerySet[EqaGrant]) -> Q:
    whole = EqaGrant.portfolios.through.objects.filter(eqagrant__in=grants).values("portfolio_id")
    single = EqaGrant.versions.through.objects.filter(eqagrant__in=grants).values(
        "portfolioversion__portfolio_id"
    )
    return Q(pk__in=whole) | Q(pk__in=single)


def access_ended_message(what: str, grant: EqaGrant) -> str:
    """Why the assurer is refused. An access that ran to its date is told by its last day, as
    the tutor chose it and the e-mail gave it (its end is the midnight after, which read as
    "ended on 11 December, 00:00" for an access given until 10 December); one ended early, by
    when."""
    if grant.closes_at == grant.ends_at:
        when = f"{grant.last_day:%-d %B %Y}, its last day"
    else:
        when = f"{timezone.localtime(grant.closes_at):%-d %B %Y, %H:%M}, before its last day"
    return (
        f"Your access to {what} ended on {when}. Ask the centre for a new grant if you need to see it again."
    )


def _moderated_portfolio(user: User, pk: int) -> Portfolio:
    granted = Portfolio.objects.filter(_granted_portfolios(live_eqa_grants(user)))
    portfolio = granted.select_related("cohort", "learner", "assessor").filter(pk=pk).first()
    if portfolio is not None:
        return portfolio
    # Granted once, no longer: say so plainly rather than pretend the learner does not exist.
    mine = EqaGrant.objects.filter(eqa_id=user.pk)
    ended = mine.filter(pk__in=mine.filter(Q(portfolios=pk) | Q(versions__portfolio_id=pk)).values("pk"))
    last = ended.order_by("-ends_at").first()
    if last is not None:
        raise PermissionDenied(access_ended_message("this learner's portfolio", last))
    raise Http404("No such portfolio.")


def versions_visible_to(user: User, portfolio: Portfolio) -> QuerySet[PortfolioVersion]:
    """The versions of a portfolio (already let through the gate) this person may read: all of
    them, or for an external quality assurer those their live grants name."""
    if not is_eqa(user):
        return portfolio.versions.all()
    live = live_eqa_grants(user)
    if live.filter(portfolios=portfolio).exists():
        return portfolio.versions.all()
    return portfolio.versions.filter(
        pk__in=EqaGrant.versions.through.objects.filter(eqagrant__in=live).values("portfolioversion_id")
    )


def get_eqa_grant_for(user: User, pk: int) -> EqaGrant:
    """One of the assurer's own grants while it is live (404 for anyone else's; 403 with the
    date once it has ended)."""
    grant = EqaGrant.objects.select_related("cohort", "granted_by").filter(pk=pk, eqa_id=user.pk).first()
    if grant is None or not is_eqa(user):
        raise Http404("No such access.")
    if not grant.is_live:
        raise PermissionDenied(access_ended_message(grant.cohort.name, grant))
    return grant


def get_managed_grant_for(user: User, cohort_pk: int, pk: int) -> EqaGrant:
    """A grant of a cohort this person manages (its tutors, staff); 404 if it is another's."""
    cohort = get_cohort_for(user, cohort_pk, manage=True)
    grant = cohort.eqa_grants.select_related("eqa", "granted_by", "ended_by").filter(pk=pk).first()
    if grant is None:
        raise Http404("No such access.")
    grant.cohort = cohort
    return grant


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
