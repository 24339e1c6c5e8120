"""Pages of the witness flow: the portfolio's requests, asking a witness, withdrawing, the
assessor's check, and the one public page a witness opens with their signed link."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.access import AuthenticatedHttpRequest, get_portfolio_for
from evidence.models import WitnessRequest
from evidence.witness import (
    WitnessError,
    WitnessLinkError,
    can_check_witness,
    can_request_witness,
    record_witness_check,
    request_witness,
    resolve_witness_token,
    submit_testimony,
    withdraw_witness_request,
    witness_criteria,
    witness_requests,
)
from evidence.witness_forms import TestimonyForm, WitnessCheckForm, WitnessRequestForm


@login_required
def witness_list(request: AuthenticatedHttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    return render(
        request,
        "evidence/witness_list.html",
        {
            "portfolio": portfolio,
            "requests": list(witness_requests(portfolio)),
            "can_request": can_request_witness(request.user, portfolio),
        },
    )


@login_required
def witness_new(request: AuthenticatedHttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    if not can_request_witness(request.user, portfolio):
        raise PermissionDenied("Only the learner and their assessor can ask for a witness testimony.")
    form = WitnessRequestForm(request.POST or None, criteria=witness_criteria(portfolio))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            witness_request = request_witness(
                portfolio=portfolio,
                actor=request.user,
                name=data["name"],
                job_title=data["job_title"],
                relationship=data["relationship"],
                organisation=data["organisation"],
                email=data["email"],
                activity=data["activity"],
                criteria=list(data["criteria"]),
            )
        except WitnessError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"The request is on its way to {witness_request.name} ({witness_request.email}).",
            )
            return redirect("evidence:witness_list", portfolio_pk=portfolio.pk)
    return render(
        request,
        "evidence/witness_form.html",
        {"portfolio": portfolio, "form": form, "days": settings.WITNESS_LINK_MAX_AGE_DAYS},
    )


def _request_of(portfolio_pk: int, pk: int, request: AuthenticatedHttpRequest) -> WitnessRequest:
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    witness_request = portfolio.witness_requests.filter(pk=pk).first()
    if witness_request is None:
        raise Http404("No such witness request.")
    witness_request.portfolio = portfolio
    return witness_request


@require_POST
@login_required
def witness_withdraw(request: AuthenticatedHttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    witness_request = _request_of(portfolio_pk, pk, request)
    if not can_request_witness(request.user, witness_request.portfolio):
        raise PermissionDenied("Only the learner and their assessor can withdraw a request.")
    try:
        withdraw_witness_request(witness_request=witness_request, actor=request.user)
    except WitnessError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"The request to {witness_request.name} is withdrawn; its link no longer works."
        )
    return redirect("evidence:witness_list", portfolio_pk=portfolio_pk)


@login_required
def witness_check(request: AuthenticatedHttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    """The assessor records how they checked the witness of a signed testimony (``pk``: the
    request)."""
    witness_request = _request_of(portfolio_pk, pk, request)
    portfolio = witness_request.portfolio
    if not can_check_witness(request.user, portfolio):
        raise PermissionDenied("Only the learner's assessor can record a check of the witness.")
    if witness_request.evidence_id is None:
        raise Http404("No testimony to check.")
    initial = {
        "method": witness_request.check_method,
        "checked_on": witness_request.checked_on,
        "note": witness_request.check_note,
    }
    form = WitnessCheckForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_witness_check(
                witness_request=witness_request,
                actor=request.user,
                method=form.cleaned_data["method"],
                checked_on=form.cleaned_data["checked_on"],
                note=form.cleaned_data["note"],
            )
        except WitnessError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your check of the witness is recorded on the testimony.")
            return redirect("evidence:detail", portfolio_pk=portfolio.pk, pk=witness_request.evidence_id)
    return render(
        request,
        "evidence/witness_check.html",
        {"portfolio": portfolio, "witness_request": witness_request, "form": form},
    )


# --- The witness's page (public: the signed token is the credential) -----------------------


def _link_refused(request: HttpRequest, error: WitnessLinkError) -> HttpResponse:
    status = 400 if error.reason == "invalid" else 410
    return render(
        request,
        "evidence/witness_invalid.html",
        {"reason": error.reason, "message": str(error)},
        status=status,
    )


@never_cache
def witness_testify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        witness_request = resolve_witness_token(token)
    except WitnessLinkError as error:
        return _link_refused(request, error)
    initial = {
        "name": witness_request.name,
        "job_title": witness_request.job_title,
        "organisation": witness_request.organisation,
        "relationship": witness_request.relationship,
    }
    form = TestimonyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submit_testimony(
                witness_request=witness_request,
                testimony=data["testimony"],
                seen_from=data["seen_from"],
                seen_to=data["seen_to"],
                name=data["name"],
                job_title=data["job_title"],
                organisation=data["organisation"],
                relationship=data["relationship"],
                signature=data["signature"],
            )
        except WitnessLinkError as error:
            return _link_refused(request, error)
        except WitnessError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "evidence/witness_thanks.html", {"name": data["name"]})
    criteria = list(
        witness_request.criteria.select_related("framework").order_by(
            "framework__code", "group__order", "order", "pk"
        )
    )
    return render(
        request,
        "evidence/witness_testify.html",
        {
            "witness_request": witness_request,
            "learner": witness_request.portfolio.learner,
            "criteria": criteria,
            "form": form,
        },
    )
