from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from core import concurrency, drafts, outbox, selectors, services
from core.access import get_cohort_for, role_required
from core.charts import plotly_css
from core.forms import AcceptInvitationForm, AssignAssessorForm, CohortForm, InvitationForm
from core.models import Cohort, Portfolio, Role, User

HOME_FOR_ROLE = {
    Role.LEARNER: "portfolio:learner_home",
    Role.ASSESSOR: "portfolio:assessor_home",
    Role.TUTOR: "portfolio:tutor_home",
    Role.IQA: "portfolio:iqa_home",
    Role.STAFF: "portfolio:tutor_home",
    Role.EQA: "portfolio:eqa_home",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to their role's home page."""
    if request.user.is_superuser:
        return redirect("portfolio:tutor_home")
    return redirect(HOME_FOR_ROLE.get(request.user.role, "portfolio:learner_home"))


# --- Home pages -----------------------------------------------------------------------


@role_required(Role.LEARNER)
def learner_home(request: HttpRequest) -> HttpResponse:
    portfolios = list(selectors.learner_portfolios(request.user))
    if len(portfolios) == 1:
        return redirect("portfolio:portfolio_detail", pk=portfolios[0].pk)
    return render(request, "portfolio/learner_home.html", {"portfolios": portfolios})


@role_required(Role.TUTOR)
def tutor_home(request: HttpRequest) -> HttpResponse:
    cohorts = selectors.tutor_cohorts(request.user)
    return render(request, "portfolio/tutor_home.html", {"cohorts": cohorts})


@role_required(Role.IQA)
def iqa_home(request: HttpRequest) -> HttpResponse:
    cohorts = selectors.iqa_cohorts(request.user)
    return render(request, "portfolio/iqa_home.html", {"cohorts": cohorts})


# --- Portfolio ------------------------------------------------------------------------


# --- Cohorts --------------------------------------------------------------------------


def _cohort_fields(form: CohortForm) -> dict:
    """The cohort form's cleaned values, as create_cohort and update_cohort take them."""
    data = form.cleaned_data
    return {
        "name": data["name"],
        "code": data["code"],
        "organisation": data["organisation"],
        "frameworks": list(data["frameworks"]),
        "start_date": data["start_date"],
        "end_date": data["end_date"],
    }


@role_required(Role.TUTOR)
def cohort_create(request: HttpRequest) -> HttpResponse:
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.create_cohort(
                actor=request.user,
                **_cohort_fields(form),
            )
        except services.PortfolioError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Cohort “{cohort.name}” created. Invite its learners and assessors.")
            return redirect(cohort)
    return render(request, "portfolio/cohort_form.html", {"form": form})


@login_required
@concurrency.reshow_on_conflict
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk, manage=True)
    edit = concurrency.edit_state(request, concurrency.cohort_scope(cohort.pk))
    form = CohortForm(request.POST or None, instance=cohort)
    if request.method == "POST" and not edit.check([form]) and form.is_valid():
        try:
            services.update_cohort(
                cohort=cohort,
                actor=request.user,
                token=edit.posted,
                **_cohort_fields(form),
            )
        except services.PortfolioError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The cohort's details and dates are saved.")
            return redirect(cohort)
    drafts.offer(edit, request, [form])
    return render(
        request,
        "portfolio/cohort_form.html",
        {"form": form, "cohort": cohort, "edit": edit},
        status=409 if edit.conflict else 200,
    )


@require_POST
@login_required
def cohort_invite(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk, manage=True)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(cohort)
    try:
        with outbox.watch() as queued:
            invitation = services.invite_person(
                cohort=cohort,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
    except services.PortfolioError as error:
        messages.error(request, str(error))
    else:
        role = invitation.get_role_display().lower()
        if queued.delayed:
            messages.success(
                request,
                f"Invitation to {invitation.email} as {role} saved. The e-mail will be sent as soon as "
                "the mail service is back; you do not need to invite them again.",
            )
        else:
            messages.success(request, f"Invitation sent to {invitation.email} as {role}.")
    return redirect(cohort)


@require_POST
@login_required
def invitation_revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk, manage=True)
    invitation = get_object_or_404(cohort.invitations, pk=invitation_pk)
    try:
        services.revoke_invitation(invitation=invitation, actor=request.user)
    except services.PortfolioError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect(cohort)


@require_POST
@login_required
def assign_assessor(request: HttpRequest, pk: int, portfolio_pk: int) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk, manage=True)
    portfolio = get_object_or_404(cohort.portfolios.select_related("learner"), pk=portfolio_pk)
    form = AssignAssessorForm(request.POST, portfolio=portfolio)
    if not form.is_valid():
        messages.error(request, "Choose one of this cohort's assessors.")
        return _back_to_roster(cohort, request)
    try:
        services.assign_assessor(
            portfolio=portfolio,
            assessor=form.cleaned_data["assessor"],
            actor=request.user,
            token=concurrency.posted_token(request),
        )
    except concurrency.EditConflict as conflict:
        messages.error(
            request, _assessor_conflict(portfolio, conflict.revision, form.cleaned_data["assessor"])
        )
    except services.PortfolioError as error:
        messages.error(request, str(error))
    else:
        assessor = form.cleaned_data["assessor"]
        who = assessor.display_name if assessor else "nobody"
        messages.success(request, f"{portfolio.learner.display_name} is now assessed by {who}.")
    return _back_to_roster(cohort, request)


def _assessor_conflict(portfolio: Portfolio, revision: concurrency.Revision, chosen: User | None) -> str:
    """Both choices, in words: the one saved meanwhile (shown in the roster) and this one."""
    portfolio.refresh_from_db(fields=["assessor"])
    theirs = portfolio.assessor.display_name if portfolio.assessor else "nobody"
    yours = chosen.display_name if chosen else "nobody"
    when = timezone.localtime(revision.saved_at).strftime("%H:%M") if revision.saved_at else ""
    return (
        f"{revision.saved_by or 'Someone'} assigned {theirs} to {portfolio.learner.display_name}"
        f"{' at ' + when if when else ''}, after you opened this page; your choice, {yours}, was not "
        "saved. The roster shows theirs: choose again to change it."
    )


def _back_to_roster(cohort: Cohort, request: HttpRequest) -> HttpResponse:
    """The cohort page, on the page of learners the form was sent from (a page number only)."""
    page = request.POST.get("page", "")
    url = cohort.get_absolute_url()
    return redirect(f"{url}?page={int(page)}" if page.isdigit() and 1 < int(page) < 100_000 else url)


@login_required
def cohort_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for(request.user, pk)
    frameworks = selectors.frameworks_with_criteria(cohort.frameworks.all())
    return render(request, "portfolio/cohort_criteria.html", {"cohort": cohort, "frameworks": frameworks})


# --- Invitations (public: the signed token is the credential) -------------------------


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.resolve_invitation(token)
    except services.InvitationError as error:
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
                services.accept_invitation_as(invitation=invitation, user=request.user)
            except services.PortfolioError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"You have joined {invitation.cohort.name}.")
                return redirect("portfolio:home")
        return render(request, "portfolio/invitation_existing.html", {"invitation": invitation})

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation=invitation,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except services.InvitationError as error:
            return render(
                request,
                "portfolio/invitation_invalid.html",
                {"reason": error.reason, "message": str(error)},
                status=410,
            )
        except services.PortfolioError as error:
            form.add_error(None, str(error))
        else:
            login(request, user, backend="core.throttling.ThrottledModelBackend")
            messages.success(
                request, f"Welcome, {user.first_name}. You have joined {invitation.cohort.name}."
            )
            return redirect("portfolio:home")
    return render(
        request, "portfolio/invitation_accept.html", {"invitation": invitation, "form": form, "token": token}
    )


@require_GET
@cache_control(max_age=86400, public=True)
def plotly_stylesheet(request: HttpRequest) -> HttpResponse:
    """plotly.js's stylesheet as a file, since the CSP forbids its inline <style>."""
    return HttpResponse(plotly_css(), content_type="text/css; charset=utf-8")
