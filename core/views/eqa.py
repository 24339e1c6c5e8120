"""External quality assurance: the tutor's grants and their log, the assurer's home, their
grant's learners and versions, their findings, and the link that creates their account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import eqa
from core.access import (
    AuthenticatedHttpRequest,
    get_cohort_for,
    get_eqa_grant_for,
    get_managed_grant_for,
    role_required,
)
from core.forms import AcceptInvitationForm, EqaFindingForm, EqaGrantForm
from core.models import EqaGrant, Portfolio, PortfolioVersion, Role
from core.services import InvitationError, PortfolioError

LOG_PAGE_SIZE = 50


# --- The tutor: grant, follow, end ----------------------------------------------------------


@login_required
def eqa_grants(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The cohort's external accesses, and the form to give one."""
    cohort = get_cohort_for(request.user, pk, manage=True)
    form = EqaGrantForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = eqa.grant_eqa_access(
                cohort=cohort,
                email=data["email"],
                ends_on=data["ends_on"],
                portfolios=list(data["portfolios"]),
                versions=list(data["versions"]),
                purpose=data["purpose"],
                actor=request.user,
            )
        except eqa.EqaError as error:
            form.add_error(error.field, str(error))
        else:
            told = (
                "They have been e-mailed"
                if grant.eqa_id
                else "They have been e-mailed a link to create their account"
            )
            messages.success(
                request, f"Access given to {grant.email} until {grant.last_day:%-d %B %Y}. {told}."
            )
            return redirect(grant)
    context = {
        "cohort": cohort,
        "form": form,
        "grants": eqa.grants_of_cohort(cohort),
        "last_end_day": eqa.last_end_day(),
    }
    return render(request, "portfolio/eqa/grants.html", context, status=400 if form.errors else 200)


@login_required
def eqa_grant_manage(request: AuthenticatedHttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    """One access: what it shares, the assurer's findings and every page they opened."""
    grant = get_managed_grant_for(request.user, pk, grant_pk)
    log = Paginator(grant.log.select_related("eqa", "portfolio__learner"), LOG_PAGE_SIZE)
    context = {
        "cohort": grant.cohort,
        "grant": grant,
        "learners": eqa.grant_contents(grant),
        "findings": grant.findings.select_related("portfolio__learner", "version", "created_by"),
        "log": log.get_page(request.GET.get("page")),
    }
    return render(request, "portfolio/eqa/grant_manage.html", context)


@require_POST
@login_required
def eqa_grant_end(request: AuthenticatedHttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    grant = get_managed_grant_for(request.user, pk, grant_pk)
    try:
        eqa.end_eqa_grant(grant=grant, actor=request.user)
    except eqa.EqaError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The access of {grant.email} has ended.")
    return redirect(grant)


# --- The assurer ------------------------------------------------------------------------------


@role_required(Role.EQA)
def eqa_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The assurer's accesses, live and ended, with the learners of each live one."""
    grants = list(eqa.grants_of_eqa(request.user))
    open_now = [g for g in grants if g.is_live]
    contents = eqa.contents_of_grants(open_now)
    live = [(g, contents[g.pk]) for g in open_now]
    ended = [g for g in grants if not g.is_live]
    return render(request, "portfolio/eqa/home.html", {"live": live, "ended": ended})


def _finding_form(learners: list[eqa.GrantedLearner], data: object = None) -> EqaFindingForm:
    """The finding form, its choices the grant's learners and the versions shown of them."""
    portfolios = Portfolio.objects.filter(pk__in=[c.portfolio.pk for c in learners]).select_related("learner")
    versions = PortfolioVersion.objects.filter(pk__in=[v.pk for c in learners for v in c.versions])
    return EqaFindingForm(
        data,
        portfolios=portfolios,
        versions=versions.defer("snapshot").select_related("portfolio__learner"),
    )


@role_required(Role.EQA)
def eqa_grant(request: AuthenticatedHttpRequest, grant_pk: int) -> HttpResponse:
    """One access as the assurer sees it: each learner's versions (to read and download), the
    internal quality assurance samples of their decisions, and the findings sent so far."""
    grant = get_eqa_grant_for(request.user, grant_pk)
    learners = eqa.grant_contents(grant)
    return _render_grant(request, grant, learners, _finding_form(learners))


def _render_grant(
    request: HttpRequest,
    grant: EqaGrant,
    learners: list[eqa.GrantedLearner],
    form: EqaFindingForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "grant": grant,
        "learners": learners,
        "findings": grant.findings.select_related("portfolio__learner", "version"),
        "form": form,
    }
    return render(request, "portfolio/eqa/grant.html", context, status=status)


@require_POST
@role_required(Role.EQA)
def eqa_finding(request: AuthenticatedHttpRequest, grant_pk: int) -> HttpResponse:
    grant = get_eqa_grant_for(request.user, grant_pk)
    learners = eqa.grant_contents(grant)
    form = _finding_form(learners, request.POST)
    if form.is_valid():
        try:
            eqa.record_eqa_finding(
                grant=grant,
                text=form.cleaned_data["text"],
                portfolio=form.cleaned_data["portfolio"],
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except eqa.EqaError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(
                request, "Your finding has been sent to the centre's tutors and quality assurers."
            )
            return redirect("portfolio:eqa_grant", grant_pk=grant.pk)
    return _render_grant(request, grant, learners, form, status=400)


def eqa_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the assurer's e-mail: create their account (or take the access with the
    EQA account they are logged in with)."""
    try:
        grant = eqa.resolve_grant_token(token)
    except InvitationError as error:
        status = 400 if error.reason == "invalid" else 410
        return render(
            request,
            "portfolio/invitation_invalid.html",
            {"reason": error.reason, "message": str(error)},
            status=status,
        )
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                eqa.accept_eqa_grant_as(grant=grant, user=request.user)
            except PortfolioError as error:
                messages.error(request, str(error))
            else:
                return redirect("portfolio:eqa_grant", grant_pk=grant.pk)
        return render(request, "portfolio/eqa/accept_existing.html", {"grant": grant})
    form = AcceptInvitationForm(request.POST or None, email=grant.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = eqa.accept_eqa_grant(
                grant=grant,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except InvitationError as error:
            return render(
                request,
                "portfolio/invitation_invalid.html",
                {"reason": error.reason, "message": str(error)},
                status=410,
            )
        except PortfolioError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend="core.throttling.ThrottledModelBackend")
            messages.success(
                request, f"Welcome, {user.first_name}. Your access to {grant.cohort.name} is open."
            )
            return redirect("portfolio:eqa_grant", grant_pk=grant.pk)
    return render(request, "portfolio/eqa/accept.html", {"grant": grant, "form": form})
