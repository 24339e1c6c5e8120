"""The strategy's pages beyond its guided steps (those are ``strategy.steps``, served by the one
guided-step view): the champion pitch as a slide deck."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit import selectors as audit_selectors
from core.access import get_portfolio_for
from core.formatting import signed_change
from core.models import Portfolio
from strategy import charts, pitch_deck, selectors


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
    comparison = audit_selectors.kpi_comparison_chart(portfolio, element_id="pitch-kpi-comparison")
    if comparison is not None:
        found["evidence"] = comparison
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
