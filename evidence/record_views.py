"""Pages for the assessor's records: writing an observation, and the learner confirming it.

The assessor reaches them through ``get_portfolio_for_assessor`` (404 to those who may not
read the portfolio, 403 to its other readers); the learner confirms through
``get_portfolio_for(write=True)``, which only the learner passes. Reading a record is the
evidence item's own page."""

from __future__ import annotations

from typing import Any, BinaryIO, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.access import AuthenticatedHttpRequest, get_portfolio_for, get_portfolio_for_assessor
from core.file_responses import stored_file_response
from core.models import Portfolio
from core.selectors import criteria_for
from evidence.forms import ObservationForm
from evidence.models import Evidence, RecordAttachment
from evidence.records import ObservationData, confirm_record, create_observation, update_observation
from evidence.services import EvidenceError


def _posted_notes(data: QueryDict, allowed: set[int]) -> dict[int, str]:
    """Ticked criteria (``c-<id>-on``) and their notes (``c-<id>-note``); ids not of this
    portfolio's criteria are ignored, so a forged id maps nothing."""
    notes = {}
    for key in data:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "c" and parts[2] == "on" and parts[1].isdigit():
            pk = int(parts[1])
            if pk in allowed:
                notes[pk] = data.get(f"c-{pk}-note", "")
    return notes


def _criteria_rows(portfolio: Portfolio, notes: dict[int, str]) -> list[dict[str, Any]]:
    return [
        {"criterion": c, "on": c.pk in notes, "note": notes.get(c.pk, "")} for c in criteria_for(portfolio)
    ]


def _observation_page(
    request: AuthenticatedHttpRequest, portfolio: Portfolio, evidence: Evidence | None
) -> HttpResponse:
    allowed = set(criteria_for(portfolio).values_list("pk", flat=True))
    status = 200
    if request.method == "POST":
        form = ObservationForm(request.POST, request.FILES)
        notes = _posted_notes(request.POST, allowed)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            uploads = fields.pop("attachments")
            data = ObservationData(**fields, notes=notes, uploads=uploads)
            try:
                if evidence is None:
                    evidence = create_observation(portfolio=portfolio, data=data, actor=request.user)
                    messages.success(request, "Observation recorded: the learner is asked to confirm it.")
                else:
                    evidence = update_observation(evidence=evidence, data=data, actor=request.user)
                    messages.success(request, "Observation record saved.")
            except EvidenceError as error:
                messages.error(request, str(error))
            else:
                return redirect(evidence.get_absolute_url())
        status = 400
    elif evidence is not None:
        observation = evidence.observation
        form = ObservationForm(
            initial={
                "title": evidence.title,
                "occurred_on": evidence.occurred_on,
                "place": observation.place,
                "duration_minutes": observation.duration_minutes,
                "activity": observation.activity,
                "questions": observation.questions,
            }
        )
        notes = {m.criterion_id: m.note for m in evidence.mappings.all()}
    else:
        form, notes = ObservationForm(), {}
    return render(
        request,
        "evidence/records/observation_form.html",
        {
            "portfolio": portfolio,
            "evidence": evidence,
            "form": form,
            "rows": _criteria_rows(portfolio, notes),
            "attachments": list(evidence.attachments.all()) if evidence is not None else [],
        },
        status=status,
    )


@login_required
def observation_add(request: AuthenticatedHttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for_assessor(request.user, portfolio_pk)
    return _observation_page(request, portfolio, None)


@login_required
def observation_edit(request: AuthenticatedHttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for_assessor(request.user, portfolio_pk)
    evidence = get_object_or_404(
        portfolio.evidence.select_related("observation", "portfolio__learner").prefetch_related("mappings"),
        pk=pk,
        kind=Evidence.Kind.OBSERVATION,
    )
    return _observation_page(request, portfolio, evidence)


@login_required
def record_attachment(
    request: AuthenticatedHttpRequest, portfolio_pk: int, pk: int, attachment_pk: int
) -> FileResponse:
    """A record's photo or file, to those who may read the portfolio; inline only for
    images and PDFs."""
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    attachment = get_object_or_404(
        RecordAttachment, pk=attachment_pk, evidence_id=pk, evidence__portfolio=portfolio
    )
    try:
        handle = cast(BinaryIO, attachment.file.storage.open(str(attachment.file.name), "rb"))
    except (FileNotFoundError, OSError):
        raise Http404("The stored file is missing.") from None
    return stored_file_response(
        handle,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        inline=attachment.is_inline,
    )


@require_POST
@login_required
def record_confirm(request: AuthenticatedHttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    """The learner accepts the record they read, or comments on it."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    evidence = get_object_or_404(
        portfolio.evidence.select_related("observation", "portfolio__assessor"),
        pk=pk,
        kind=Evidence.Kind.OBSERVATION,
    )
    accept = request.POST.get("action") == "accept"
    try:
        confirm_record(
            evidence=evidence,
            accept=accept,
            comment=request.POST.get("comment", ""),
            read_digest=request.POST.get("digest", ""),
            actor=request.user,
        )
    except EvidenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Record confirmed." if accept else "Your comment is with the record.")
    return redirect(evidence.get_absolute_url())
