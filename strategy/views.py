"""The eight strategy steps. Each page shows its form(s), guidance and state; a save
writes the whole step in one transaction or nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseForm, BaseFormSet, model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from audit import charts as audit_charts
from audit import selectors as audit_selectors
from audit.datasets import DatasetUnavailable
from audit.kpis import KPI_CATALOGUE
from audit.selectors import audience_evidence
from core import concurrency, drafts
from core.access import get_portfolio_for
from core.charts import chart_context
from core.formatting import signed_change
from core.models import Portfolio
from core.sections import get_section
from strategy import charts, forms, pitch_deck, selectors, services
from strategy.completeness import StepStatus
from strategy.guidance import GUIDANCE
from strategy.planning import parse_roles
from strategy.scoring import PLATFORM_CRITERIA

STEP_NAMES = [
    "vision",
    "objectives",
    "platforms",
    "risks",
    "regulation",
    "implementation",
    "monitoring",
    "pitch",
]


def _portfolio(request: HttpRequest, portfolio_pk: int) -> tuple[Portfolio, bool]:
    """The portfolio, checked for writing on POST; and whether this person may edit it."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=request.method == "POST")
    return portfolio, portfolio.learner_id == request.user.pk


def _data(request: HttpRequest) -> Any:
    """The submitted data on POST (even when empty), None otherwise."""
    return request.POST if request.method == "POST" else None


def _read_only(*parts: BaseForm | BaseFormSet) -> None:
    for part in parts:
        for form in part.forms if isinstance(part, BaseFormSet) else [part]:
            for field in form.fields.values():
                field.disabled = True


def _rows(formset: forms.RowFormSet) -> list[dict[str, Any]]:
    return [{k: v for k, v in form.cleaned_data.items() if k != "DELETE"} for form in formset.kept_forms()]


def _initial(rows: Sequence[Any], form_class: type[BaseForm]) -> list[dict[str, Any]]:
    return [model_to_dict(row, fields=form_class._meta.fields) for row in rows]


def _row_formset(request: HttpRequest, form_class: type[BaseForm], rows: Sequence[Any], prefix: str) -> Any:
    formset_class = forms.row_formset(form_class, rows=len(rows))
    return formset_class(_data(request), prefix=prefix, initial=_initial(rows, form_class))


def _edit(request: HttpRequest, portfolio: Portfolio, step: str) -> concurrency.EditState:
    """The step's version token and conflict state; one scope guards all its forms."""
    return concurrency.edit_state(request, concurrency.portfolio_scope(portfolio.pk, f"strategy.{step}"))


def _saved(request: HttpRequest, status: StepStatus) -> None:
    if status.complete:
        messages.success(request, "Saved. This step is complete.")
    else:
        count = len(status.missing)
        messages.info(request, f"Saved as a draft. {count} thing{'s' if count != 1 else ''} still to do.")


def _render(
    request: HttpRequest,
    portfolio: Portfolio,
    step: str,
    *,
    status: StepStatus,
    can_edit: bool,
    parts: Sequence[BaseForm | BaseFormSet],
    context: dict[str, Any],
    edit: concurrency.EditState,
) -> HttpResponse:
    if not can_edit:
        _read_only(*parts)
    else:
        drafts.offer(edit, request, list(parts))
    section = get_section(f"strategy.{step}")
    steps = [(name, get_section(f"strategy.{name}")) for name in STEP_NAMES]
    return render(
        request,
        f"strategy/{step}.html",
        {
            "portfolio": portfolio,
            "step": step,
            "step_number": STEP_NAMES.index(step) + 1,
            "section": section,
            "steps": [(name, s.title, s.url(portfolio.pk)) for name, s in steps],
            "status": status,
            "can_edit": can_edit,
            "guidance": GUIDANCE[step],
            "edit": edit if can_edit else None,
            **context,
        },
        status=409 if edit.conflict else 200,
    )


def _save(request: HttpRequest, step: str, portfolio: Portfolio, action: Callable[[], StepStatus]) -> bool:
    """Run the step's service; a domain error becomes a message and nothing is kept."""
    try:
        status = action()
    except services.StrategyError as error:
        messages.error(request, str(error))
        return False
    _saved(request, status)
    return True


@login_required
@concurrency.reshow_on_conflict
def vision(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio, can_edit = _portfolio(request, portfolio_pk)
    row, status = selectors.vision(portfolio)
    form = forms.VisionForm(_data(request), instance=row, prefix="vision")
    edit = _edit(request, portfolio, "vision")
    if (
        request.method == "POST"
        and not edit.check([form])
        and form.is_valid()
        and _save(
            request,
            "vision",
            portfolio,
            lambda: services.save_vision(
                portfolio=portfolio, values=form.cleaned_data, actor=request.user, token=edit.posted
            ),
        )
    ):
        return redirect("strategy:vision", portfolio_pk=portfolio.pk)
    return _render(
        request,
        portfolio,
        "vision",
        status=status,
        can_edit=can_edit,
        parts=[form],
        context={"form": form},
        edit=edit,
    )


@login_required
@concurrency.reshow_on_conflict
def objectives(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio, can_edit = _portfolio(request, portfolio_pk)
    current = selectors.current_metric_values(portfolio)
    views, status = selectors.objectives(portfolio, current=current)
    formset = _row_formset(request, forms.ObjectiveForm, [v.objective for v in views], "objectives")
    edit = _edit(request, portfolio, "objectives")
    if (
        request.method == "POST"
        and not edit.check([formset])
        and formset.is_valid()
        and _save(
            request,
            "objectives",
            portfolio,
            lambda: services.save_objectives(
                portfolio=portfolio, rows=_rows(formset), actor=request.user, token=edit.posted
            ),
        )
    ):
        return redirect("strategy:objectives", portfolio_pk=portfolio.pk)
    context = {"formset": formset, "objective_views": views, "has_service_data": bool(current)}
    return _render(
        request,
        portfolio,
        "objectives",
        status=status,
        can_edit=can_edit,
        parts=[formset],
        context=context,
        edit=edit,
    )


@login_required
@concurrency.reshow_on_conflict
def platforms(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio, can_edit = _portfolio(request, portfolio_pk)
    view, status = selectors.platforms(portfolio)
    form = forms.PlatformSelectionForm(_data(request), instance=view.selection, prefix="weights")
    formset = _row_formset(request, forms.PlatformScoreForm, view.scores, "platforms")
    edit = _edit(request, portfolio, "platforms")
    if (
        request.method == "POST"
        and not edit.check([form, formset])
        and all([form.is_valid(), formset.is_valid()])
    ):

        def action() -> StepStatus:
            return services.save_platforms(
                portfolio=portfolio,
                selection=form.cleaned_data,
                rows=_rows(formset),
                actor=request.user,
                token=edit.posted,
            )

        if _save(request, "platforms", portfolio, action):
            return redirect("strategy:platforms", portfolio_pk=portfolio.pk)
    context = {
        "form": form,
        "formset": formset,
        "view": view,
        "criteria": [(label, round(view.weights.get(key, 0) * 100)) for key, label in PLATFORM_CRITERIA],
        "chart": charts.platform_ranking(view.ranking) if view.ranking else None,
        # The audit's audience data, shown beside the matrix so scores rest on it (P2, 2.2, K3).
        "audience": audience_evidence(portfolio),
    }
    return _render(
        request,
        portfolio,
        "platforms",
        status=status,
        can_edit=can_edit,
        parts=[form, formset],
        context=context,
        edit=edit,
    )


@login_required
@concurrency.reshow_on_conflict
def risks(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio, can_edit = _portfolio(request, portfolio_pk)
    view, status = selectors.risks(portfolio)
    saved = sorted((risk for risk, _scored in view.risks), key=lambda risk: (risk.position, risk.pk))
    formset = _row_formset(request, forms.RiskForm, saved, "risks")
    edit = _edit(request, portfolio, "risks")
    if (
        request.method == "POST"
        and not edit.check([formset])
        and formset.is_valid()
        and _save(
            request,
            "risks",
            portfolio,
            lambda: services.save_risks(
                portfolio=portfolio, rows=_rows(formset), actor=request.user, token=edit.posted
            ),
        )
    ):
        return redirect("strategy:risks", portfolio_pk=portfolio.pk)
    context = {
        "formset": formset,
        "view": view,
        "chart": charts.risk_heat_map(view.matrix) if view.risks else None,
    }
    return _render(
        request,
        portfolio,
        "risks",
        status=status,
        can_edit=can_edit,
        parts=[formset],
        context=context,
        edit=edit,
    )


@login_required
@concurrency.reshow_on_conflict
def regulation(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio, can_edit = _portfolio(request, portfolio_pk)
    rows, status = selectors.regulation_checks(portfolio)
    formset = _row_formset(request, forms.RegulationCheckForm, rows, "checks")
    edit = _edit(request, portfolio, "regulation")
    if (
        request.method == "POST"
        and not edit.check([formset])
        and formset.is_valid()
        and _save(
            request,
            "regulation",
            portfolio,
            lambda: services.save_regulation_checks(
                portfolio=portfolio, rows=_rows(formset), actor=request.user, token=edit.posted
            ),
        )
    ):
        return redirect("strategy:regulation", portfolio_pk=portfolio.pk)
    return _render(
        request,
        portfolio,
        "regulation",
        status=status,
        can_edit=can_edit,
        parts=[formset],
        context={"formset": formset, "checks": rows},
        edit=edit,
    )


def _raci_formset(request: HttpRequest, view: selectors.ImplementationView) -> forms.RowFormSet:
    # The columns follow the roles as submitted, so renaming a role and filling its
    # column can happen in one save.
    roles = parse_roles(request.POST.get("plan-roles", "")) if request.method == "POST" else view.roles
    formset_class = forms.row_formset(forms.RaciForm, rows=len(view.activities))
    initial = [
        {"activity": a.activity, **{f"role_{i}": a.assignments.get(role, "") for i, role in enumerate(roles)}}
        for a in view.activities
    ]
    return formset_class(_data(request), prefix="raci", initial=initial, form_kwargs={"roles": roles})


@login_required
@concurrency.reshow_on_conflict
def implementation(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio, can_edit = _portfolio(request, portfolio_pk)
    view, status = selectors.implementation(portfolio)
    form = forms.ImplementationPlanForm(_data(request), instance=view.plan, prefix="plan")
    raci = _raci_formset(request, view)
    protocols = _row_formset(request, forms.ResponseProtocolForm, view.protocols, "protocols")
    budget = _row_formset(request, forms.BudgetLineForm, view.budget, "budget")
    tasks = _row_formset(request, forms.TimelineTaskForm, view.tasks, "tasks")
    parts = [form, raci, protocols, budget, tasks]
    edit = _edit(request, portfolio, "implementation")
    if request.method == "POST" and not edit.check(parts) and all([part.is_valid() for part in parts]):

        def action() -> StepStatus:
            return services.save_implementation(
                portfolio=portfolio,
                plan=form.cleaned_data,
                raci=[
                    (f.cleaned_data["activity"].strip(), f.assignments())
                    for f in raci.kept_forms()
                    if f.cleaned_data.get("activity", "").strip()
                ],
                protocols=_rows(protocols),
                budget=_rows(budget),
                tasks=_rows(tasks),
                actor=request.user,
                token=edit.posted,
            )

        if _save(request, "implementation", portfolio, action):
            return redirect("strategy:implementation", portfolio_pk=portfolio.pk)
    context = {
        "form": form,
        "raci": raci,
        "raci_roles": raci.form_kwargs["roles"],
        "protocols": protocols,
        "budget": budget,
        "tasks": tasks,
        "view": view,
        "chart": charts.implementation_timeline(view.tasks) if view.tasks else None,
        "wide": True,
    }
    return _render(
        request,
        portfolio,
        "implementation",
        status=status,
        can_edit=can_edit,
        parts=parts,
        context=context,
        edit=edit,
    )


@login_required
@concurrency.reshow_on_conflict
def monitoring(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio, can_edit = _portfolio(request, portfolio_pk)
    views, status = selectors.cycles(portfolio)
    formset = _row_formset(request, forms.ReviewCycleForm, [v.cycle for v in views], "cycles")
    edit = _edit(request, portfolio, "monitoring")
    if (
        request.method == "POST"
        and not edit.check([formset])
        and formset.is_valid()
        and _save(
            request,
            "monitoring",
            portfolio,
            lambda: services.save_cycles(
                portfolio=portfolio, rows=_rows(formset), actor=request.user, token=edit.posted
            ),
        )
    ):
        return redirect("strategy:monitoring", portfolio_pk=portfolio.pk)
    current = selectors.current_metric_values(portfolio)
    context = {
        "formset": formset,
        "cycle_views": views,
        "current": [(KPI_CATALOGUE[key], value) for key, value in current.items() if key in KPI_CATALOGUE],
    }
    return _render(
        request,
        portfolio,
        "monitoring",
        status=status,
        can_edit=can_edit,
        parts=[formset],
        context=context,
        edit=edit,
    )


@login_required
@concurrency.reshow_on_conflict
def pitch(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio, can_edit = _portfolio(request, portfolio_pk)
    row, status = selectors.pitch(portfolio)
    form = forms.ChampionPitchForm(_data(request), instance=row, prefix="pitch")
    edit = _edit(request, portfolio, "pitch")
    if (
        request.method == "POST"
        and not edit.check([form])
        and form.is_valid()
        and _save(
            request,
            "pitch",
            portfolio,
            lambda: services.save_pitch(
                portfolio=portfolio, values=form.cleaned_data, actor=request.user, token=edit.posted
            ),
        )
    ):
        return redirect("strategy:pitch", portfolio_pk=portfolio.pk)
    return _render(
        request,
        portfolio,
        "pitch",
        status=status,
        can_edit=can_edit,
        parts=[form],
        context={"form": form},
        edit=edit,
    )


@login_required
def pitch_presentation(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    """The pitch as a slide deck: the audience's view, or (``?view=presenter``) the presenter's,
    with the speaker notes, the next slide and a clock; the two follow each other."""
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    row, status = selectors.pitch(portfolio)
    presenter = request.GET.get("view") == "presenter"
    notes = (row.speaker_notes or {}) if row else {}
    benefits = _pitch_benefits(row)
    charts_by_slide = _pitch_charts(portfolio) if row else {}
    # A slide with nothing to show is left out rather than shown empty to an audience.
    shown = {"benefits": bool(benefits), "evidence": "evidence" in charts_by_slide}
    slides = [
        {"key": slide.key, "title": slide.title, "notes": notes.get(slide.key, "") if presenter else ""}
        for slide in pitch_deck.SLIDES
        if shown.get(slide.key, True)
    ]
    for slide_view, following in zip(slides, [*slides[1:], None], strict=True):
        slide_view["next_title"] = following["title"] if following else ""
    return render(
        request,
        "strategy/pitch_presentation.html",
        {
            "portfolio": portfolio,
            "pitch": row,
            "status": status,
            "benefits": benefits,
            "slides": slides,
            "presenter": presenter,
            "handout_notes": notes,
            "charts": charts_by_slide,
        },
    )


def _pitch_charts(portfolio: Portfolio) -> dict[str, dict[str, Any]]:
    """The service data's before-and-after figures and the risk heat map, for their slides."""
    found: dict[str, dict[str, Any]] = {}
    risk_view, _status = selectors.risks(portfolio)
    if risk_view.risks:
        found["risks"] = charts.risk_heat_map(risk_view.matrix)
    service_import = audit_selectors.current_import(portfolio)
    if service_import is not None:
        try:
            view = audit_selectors.kpi_view(portfolio, service_import)
        except DatasetUnavailable:
            view = None
        if view is not None and view.comparison is not None:
            found["evidence"] = chart_context(
                audit_charts.baseline_follow_up_figure(
                    view.comparison,
                    baseline_label=view.baseline.label(),
                    follow_up_label=view.follow_up.label(),
                ),
                element_id="pitch-kpi-comparison",
                title="Baseline against follow-up",
                description=f"Pairs of bars per measure: {view.baseline.label()} against "
                f"{view.follow_up.label()}.",
            )
    return found


def _pitch_benefits(row: Any) -> list[dict[str, Any]]:
    """The four quantified benefits as (label, now, projected, unit, change) for the slides."""
    if row is None:
        return []
    pairs = [
        ("First response time", row.response_time_now, row.response_time_projected, "minutes", False),
        ("Cost per contact", row.cost_per_contact_now, row.cost_per_contact_projected, "£", False),
        ("Customer retention", row.retention_now, row.retention_projected, "%", True),
        ("Net Promoter Score", row.nps_now, row.nps_projected, "score", True),
    ]
    benefits = []
    for label, now, projected, unit, higher in pairs:
        if now is None or projected is None:
            continue
        change = float(projected) - float(now)
        benefits.append(
            {
                "label": label,
                "now": now,
                "projected": projected,
                "unit": unit,
                "change": abs(change),
                # "by 11.6 percentage points": a rate's change is never written as a percentage.
                "change_text": signed_change(abs(change), unit).removeprefix("+"),
                "better": (change > 0) == higher if change else None,
                "direction": "up" if change > 0 else "down" if change < 0 else "no change",
            }
        )
    return benefits
