"""The one view of every guided step (the protocol is in ``core.guided``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseFormSet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from core import concurrency, drafts
from core.access import AuthenticatedHttpRequest, can_edit, get_portfolio_for
from core.guided import (
    Part,
    StepError,
    StepRequest,
    all_steps,
    get_step,
    navigation,
    stage_steps,
)


def read_only(parts: list[Part]) -> None:
    """Disable every field: what a reader sees is what was written, not a form to fill."""
    for part in parts:
        for form in part.forms if isinstance(part, BaseFormSet) else [part]:
            for field in form.fields.values():
                field.disabled = True


@login_required
@concurrency.reshow_on_conflict
def step_view(request: AuthenticatedHttpRequest, portfolio_pk: int, key: str) -> HttpResponse:
    try:
        step = get_step(key)
    except KeyError as missing:
        raise Http404("No such step.") from missing
    posted = request.method == "POST"
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=posted)
    editable = can_edit(request.user, portfolio)
    edit = concurrency.edit_state(request, concurrency.portfolio_scope(portfolio.pk, step.key))
    page = step.build(
        StepRequest(
            request=request,
            portfolio=portfolio,
            step=step,
            data=request.POST if posted else None,
            can_edit=editable,
            edit=edit,
        )
    )
    parts = list(page.parts.values())
    status_code = 200
    if posted and not edit.check(parts):
        if all([part.is_valid() for part in parts]):  # a list: every part shows its errors
            try:
                status = page.save(request.user, edit.posted)
            except StepError as error:
                messages.error(request, str(error))
            else:
                level, text = step.on_saved(step, status)
                messages.add_message(request, level, text)
                return redirect(step.url_name, portfolio_pk=portfolio.pk)
        else:
            if step.invalid_message:
                messages.error(request, step.invalid_message)
            status_code = step.invalid_status
    if editable:
        drafts.offer(edit, request, parts)
    else:
        read_only(parts)
    siblings = stage_steps(step.stage)
    position = siblings.index(step)
    return render(
        request,
        step.template,
        {
            "portfolio": portfolio,
            "step": step,
            "status": page.status,
            "can_edit": editable,
            "edit": edit if editable else None,
            "guidance": step.guidance,
            "step_number": position + 1,
            "step_count": len(siblings),
            "previous": siblings[position - 1] if position else None,
            "next": siblings[position + 1] if position + 1 < len(siblings) else None,
            "navigation": navigation(step.stage),
            **page.parts,
            **page.context,
        },
        status=409 if edit.conflict else status_code,
    )


def step_urls(app_label: str) -> list[URLPattern]:
    """The URL of each of the app's registered steps, for the app's ``urls.py``."""
    return [
        path(f"portfolios/<int:portfolio_pk>/{step.path}", step_view, {"key": step.key}, name=step.name)
        for step in all_steps()
        if step.app_label == app_label
    ]
