"""The eight strategy steps, each defined once: title, place, criteria, guidance, forms, save.

Every step is a ``core.guided.GuidedStep`` served by the one guided-step view. A step's
``build`` loads it (``strategy.selectors``), makes its form or formsets (``strategy.forms``)
and says how to save them (``strategy.services``, one transaction or nothing). The guidance
is written for this product from the study notes; each criterion note says, in one sentence,
how the finished step proves the criterion (the learner can change the mappings later).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.forms import ModelForm, model_to_dict

from audit.kpis import KPI_CATALOGUE
from audit.selectors import audience_evidence
from core.guided import Guidance, GuidedStep, StepPage, StepRequest, register_step
from core.models import User
from strategy import charts, forms, selectors, services
from strategy.planning import parse_roles
from strategy.scoring import PLATFORM_CRITERIA

STAGE = "Strategy"


def _rows(formset: forms.RowFormSet) -> list[dict[str, Any]]:
    return [{k: v for k, v in form.cleaned_data.items() if k != "DELETE"} for form in formset.kept_forms()]


def _row_formset(sr: StepRequest, form_class: type[ModelForm[Any]], rows: Sequence[Any], prefix: str) -> Any:
    formset_class = forms.row_formset(form_class, rows=len(rows))
    initial = [model_to_dict(row, fields=form_class._meta.fields) for row in rows]
    return formset_class(sr.data, prefix=prefix, initial=initial)


def _vision(sr: StepRequest) -> StepPage:
    row, status = selectors.vision(sr.portfolio)
    form = forms.VisionForm(sr.data, instance=row, prefix="vision")

    def save(actor: User, token: str | None) -> services.StepStatus:
        return services.save_vision(
            portfolio=sr.portfolio, values=form.cleaned_data, actor=actor, token=token
        )

    return StepPage(parts={"form": form}, save=save, status=status)


def _objectives(sr: StepRequest) -> StepPage:
    current = selectors.current_metric_values(sr.portfolio)
    views, status = selectors.objectives(sr.portfolio, current=current)
    formset = _row_formset(sr, forms.ObjectiveForm, [v.objective for v in views], "objectives")

    def save(actor: User, token: str | None) -> services.StepStatus:
        return services.save_objectives(portfolio=sr.portfolio, rows=_rows(formset), actor=actor, token=token)

    return StepPage(
        parts={"formset": formset},
        save=save,
        status=status,
        context={"objective_views": views, "has_service_data": bool(current)},
    )


def _platforms(sr: StepRequest) -> StepPage:
    view, status = selectors.platforms(sr.portfolio)
    form = forms.PlatformSelectionForm(sr.data, instance=view.selection, prefix="weights")
    formset = _row_formset(sr, forms.PlatformScoreForm, view.scores, "platforms")

    def save(actor: User, token: str | None) -> services.StepStatus:
        return services.save_platforms(
            portfolio=sr.portfolio, selection=form.cleaned_data, rows=_rows(formset), actor=actor, token=token
        )

    return StepPage(
        parts={"form": form, "formset": formset},
        save=save,
        status=status,
        context={
            "view": view,
            "criteria": [(label, round(view.weights.get(key, 0) * 100)) for key, label in PLATFORM_CRITERIA],
            "chart": charts.platform_ranking(view.ranking) if view.ranking else None,
            # The audit's audience data, shown beside the matrix so scores rest on it (P2, 2.2, K3).
            "audience": audience_evidence(sr.portfolio),
        },
    )


def _risks(sr: StepRequest) -> StepPage:
    view, status = selectors.risks(sr.portfolio)
    saved = sorted((risk for risk, _scored in view.risks), key=lambda risk: (risk.position, risk.pk))
    formset = _row_formset(sr, forms.RiskForm, saved, "risks")

    def save(actor: User, token: str | None) -> services.StepStatus:
        return services.save_risks(portfolio=sr.portfolio, rows=_rows(formset), actor=actor, token=token)

    return StepPage(
        parts={"formset": formset},
        save=save,
        status=status,
        context={"view": view, "chart": charts.risk_heat_map(view.matrix) if view.risks else None},
    )


def _regulation(sr: StepRequest) -> StepPage:
    rows, status = selectors.regulation_checks(sr.portfolio)
    formset = _row_formset(sr, forms.RegulationCheckForm, rows, "checks")

    def save(actor: User, token: str | None) -> services.StepStatus:
        return services.save_regulation_checks(
            portfolio=sr.portfolio, rows=_rows(formset), actor=actor, token=token
        )

    return StepPage(parts={"formset": formset}, save=save, status=status, context={"checks": rows})


def _raci_formset(sr: StepRequest, view: selectors.ImplementationView) -> forms.RowFormSet:
    # The columns follow the roles as submitted, so renaming a role and filling its
    # column can happen in one save.
    roles = parse_roles(sr.data.get("plan-roles", "")) if sr.data is not None else view.roles
    formset_class = forms.row_formset(forms.RaciForm, rows=len(view.activities))
    initial = [
        {"activity": a.activity, **{f"role_{i}": a.assignments.get(role, "") for i, role in enumerate(roles)}}
        for a in view.activities
    ]
    return cast(
        forms.RowFormSet, formset_class(sr.data, prefix="raci", initial=initial, form_kwargs={"roles": roles})
    )


def _implementation(sr: StepRequest) -> StepPage:
    view, status = selectors.implementation(sr.portfolio)
    form = forms.ImplementationPlanForm(sr.data, instance=view.plan, prefix="plan")
    raci = _raci_formset(sr, view)
    protocols = _row_formset(sr, forms.ResponseProtocolForm, view.protocols, "protocols")
    budget = _row_formset(sr, forms.BudgetLineForm, view.budget, "budget")
    tasks = _row_formset(sr, forms.TimelineTaskForm, view.tasks, "tasks")

    def save(actor: User, token: str | None) -> services.StepStatus:
        return services.save_implementation(
            portfolio=sr.portfolio,
            plan=form.cleaned_data,
            raci=[
                (f.cleaned_data["activity"].strip(), f.assignments())
                for f in cast(list[forms.RaciForm], raci.kept_forms())
                if f.cleaned_data.get("activity", "").strip()
            ],
            protocols=_rows(protocols),
            budget=_rows(budget),
            tasks=_rows(tasks),
            actor=actor,
            token=token,
        )

    return StepPage(
        parts={"form": form, "raci": raci, "protocols": protocols, "budget": budget, "tasks": tasks},
        save=save,
        status=status,
        context={
            "raci_roles": raci.form_kwargs["roles"],
            "view": view,
            "chart": charts.implementation_timeline(view.tasks) if view.tasks else None,
            "wide": True,
        },
    )


def _monitoring(sr: StepRequest) -> StepPage:
    views, status = selectors.cycles(sr.portfolio)
    formset = _row_formset(sr, forms.ReviewCycleForm, [v.cycle for v in views], "cycles")

    def save(actor: User, token: str | None) -> services.StepStatus:
        return services.save_cycles(portfolio=sr.portfolio, rows=_rows(formset), actor=actor, token=token)

    current = selectors.current_metric_values(sr.portfolio)
    return StepPage(
        parts={"formset": formset},
        save=save,
        status=status,
        context={
            "cycle_views": views,
            "current": [
                (KPI_CATALOGUE[key], value) for key, value in current.items() if key in KPI_CATALOGUE
            ],
        },
    )


def _pitch(sr: StepRequest) -> StepPage:
    row, status = selectors.pitch(sr.portfolio)
    form = forms.ChampionPitchForm(sr.data, instance=row, prefix="pitch")

    def save(actor: User, token: str | None) -> services.StepStatus:
        return services.save_pitch(portfolio=sr.portfolio, values=form.cleaned_data, actor=actor, token=token)

    return StepPage(parts={"form": form}, save=save, status=status)


VISION = register_step(
    GuidedStep(
        key="strategy.vision",
        title="Vision and fit",
        order=210,
        stage=STAGE,
        path="strategy/vision/",
        template="strategy/vision.html",
        build=_vision,
        guidance=Guidance(
            intro="Say why social media matters to your customers and your organisation before you say "
            "what you will do on it.",
            points=(
                "Start from the service strategy you already have: social media is one channel within it, "
                "not a plan of its own.",
                "Name the teams the strategy touches (marketing, logistics, IT, legal) and what each needs "
                "to give or receive.",
                "Tell apart the media you own (your pages and accounts), earn (reviews, shares, mentions) "
                "and "
                "pay for (adverts, boosted posts): each needs a different approach.",
                "Promotional posts sell; service interactions solve. Say how you keep the two from getting "
                "in each other's way.",
                "Be honest about constraints such as staff hours, budget and tools: a vision the "
                "organisation "
                "cannot deliver will not convince an assessor.",
            ),
        ),
        default_criteria={
            "CSSMS": {
                "1.1": "Explains what social media does within the organisation's customer service strategy: "
                "the part it plays for customers alongside the other channels.",
                "1.2": "Sets out the parts and reach of the social media strategy and how it connects with "
                "other teams and functions.",
                "1.3": "Shows how brand values and marketing shape the strategy, and which media are owned, "
                "earned or paid.",
                "2.1": "Weighs the operating environment and constraints that shape how the strategy can "
                "be developed.",
                "2.4": "States a vision for social customer service that takes account of the operating "
                "environment and practical limits.",
                "2.5": "Shows the strategy fits the organisation's overall business strategy and objectives.",
            }
        },
    )
)


OBJECTIVES = register_step(
    GuidedStep(
        key="strategy.objectives",
        title="SMART objectives",
        order=220,
        stage=STAGE,
        path="strategy/objectives/",
        template="strategy/objectives.html",
        build=_objectives,
        guidance=Guidance(
            intro="Every objective should be something you could check on a date, with a number.",
            points=(
                "Tie each objective to a service metric such as first response time, customer satisfaction "
                "or first contact resolution.",
                "Record today's figure as the baseline so progress can be shown.",
                "Pick a target that moves the metric the right way: down for waiting times, up for "
                "satisfaction.",
                "Give each objective an owner and link it to the business goal it supports.",
            ),
        ),
        default_criteria={
            "CFACSD22": {
                "K14": "Each objective is tied to a named service metric with a baseline and a target, "
                "showing which metrics track improvement.",
            },
            "CSSMS": {
                "2.5": "Each objective names the business objective it serves, so the strategy stays "
                "consistent with the organisation's aims.",
            },
        },
    )
)


PLATFORMS = register_step(
    GuidedStep(
        key="strategy.platforms",
        title="Platform selection",
        order=230,
        stage=STAGE,
        path="strategy/platforms/",
        template="strategy/platforms.html",
        build=_platforms,
        guidance=Guidance(
            intro="Not every platform suits service. Score each one on the same criteria and let the "
            "weights say what matters most.",
            points=(
                "Base audience fit and customer usage on your audit: where do your customers actually ask "
                "for help?",
                "Look at service features such as private messaging, automated replies and bots, and order "
                "or delivery integrations.",
                "Cost and staffing are scored so that 5 is the cheapest and least demanding.",
                "Weights are relative: they are turned into shares of the total, so 30, 20, 10 means the "
                "same as 3, 2, 1.",
                "Explain the ranking in your own words; a number alone is not a justification.",
            ),
        ),
        default_criteria={
            "CFACSD22": {
                "P2": "Scores the platforms customers are most likely to use and ranks them with a "
                "justified, weighted matrix.",
                "K3": "Compares mainstream and niche platforms on audience, usage and service features.",
            },
            "CSSMS": {
                "2.2": "Assesses how well each platform suits engaging customers, with weighted criteria "
                "and a written justification.",
            },
        },
    )
)


RISKS = register_step(
    GuidedStep(
        key="strategy.risks",
        title="Risk register",
        order=240,
        stage=STAGE,
        path="strategy/risks/",
        template="strategy/risks.html",
        build=_risks,
        guidance=Guidance(
            intro="A public channel brings risks a phone line does not. Show you have thought them "
            "through and who acts on each.",
            points=(
                "Cover at least data security, negative publicity and regulation and advertising standards; "
                "add capacity, technology and crisis risks that apply to you.",
                "Score likelihood and impact from 1 to 5; the score is the two multiplied together.",
                "Give each risk an owner and a mitigation, then score it again as it would be after the "
                "mitigation (the residual score).",
                "Link each risk to what it would cost the business: money, reputation or customers lost.",
            ),
        ),
        default_criteria={
            "CSSMS": {
                "2.5": "Names the risks the strategy must address, with an owner and a mitigation for each.",
                "3.5": "Analyses the risks of using social media by likelihood and impact, before and after "
                "mitigation.",
            }
        },
    )
)


REGULATION = register_step(
    GuidedStep(
        key="strategy.regulation",
        title="Regulation check",
        order=250,
        stage=STAGE,
        path="strategy/regulation/",
        template="strategy/regulation.html",
        build=_regulation,
        guidance=Guidance(
            intro="Check each change you propose against the law and the platforms' own rules before "
            "you recommend it.",
            points=(
                "Consumer rights: what you say on social media about refunds, returns or repairs must match "
                "what customers are entitled to.",
                "Data protection: move anything personal, such as an order number or address, into a private "
                "message and keep only what you need.",
                "Equality: make the service usable for disabled customers and do not treat groups "
                "differently.",
                "Advertising: label paid and incentivised content clearly and make claims you can prove.",
                "Platform terms: automated replies, competitions and data use all have platform rules.",
            ),
        ),
        default_criteria={
            "CFACSD22": {
                "P8": "Checks each proposed improvement against consumer, data protection, equality and "
                "advertising law and the platforms' terms.",
                "K8": "Shows which regulations govern social media service and what each demands of the "
                "improvements.",
            }
        },
    )
)


IMPLEMENTATION = register_step(
    GuidedStep(
        key="strategy.implementation",
        title="Implementation plan",
        order=260,
        stage=STAGE,
        path="strategy/implementation/",
        template="strategy/implementation.html",
        build=_implementation,
        guidance=Guidance(
            intro="Turn the strategy into who does what, by when, with what, for how much.",
            points=(
                "In the responsibility matrix each activity needs exactly one accountable person and at "
                "least "
                "one who does the work.",
                "Set a first response target and the hours covered for every platform, and say what happens "
                "out of hours.",
                "Write the escalation path and a crisis plan before you need them.",
                "A brand voice with real do and don't examples keeps replies consistent under pressure.",
                "Plan training, tools and budget honestly: promising more than the team can deliver is a "
                "common mistake.",
                "Finish with a frank view of whether today's structures and processes can deliver the plan.",
            ),
        ),
        default_criteria={
            "CFACSD22": {
                "P9": "Plans the enhanced use of social media from what the review of current use found.",
                "P10": "Allocates responsibilities with colleagues in a matrix of who is responsible, "
                "accountable, consulted and informed.",
                "P11": "Sets out response protocols, service levels, escalation and crisis procedures.",
                "P12": "Plans how the improvements are put in place: tasks, owners, dates, training, "
                "tools and budget.",
                "K6": "A brand voice with do and don't examples shows why impact in social communication "
                "matters.",
                "K7": "Response protocols per platform show how social media communication works in "
                "practice.",
                "K10": "The responsibility matrix shows the teamwork the improvements depend on.",
                "K11": "Devises procedures for social media service and presents them as protocols and an "
                "escalation path.",
            },
            "CSSMS": {
                "2.6": "Evaluates whether today's structures and processes can deliver the strategy, and "
                "what must change.",
            },
        },
    )
)


MONITORING = register_step(
    GuidedStep(
        key="strategy.monitoring",
        title="Monitoring and review",
        order=270,
        stage=STAGE,
        path="strategy/monitoring/",
        template="strategy/monitoring.html",
        build=_monitoring,
        guidance=Guidance(
            intro="Improvement is a cycle: plan a change, make it, check the data, act on what you learn.",
            points=(
                "Date each cycle and say exactly what was changed.",
                "Compare a metric before and after, and say what the figures showed, including surprises.",
                "The act step is the next improvement: it starts the following cycle.",
                "Link the results to business performance, not only to service figures.",
            ),
        ),
        default_criteria={
            "CFACSD22": {
                "P13": "Records what each change did to the service, measured before and after.",
                "P14": "Each review cycle uses the monitoring data to choose the next improvement.",
                "K12": "Names the data chosen to watch each improvement.",
                "K13": "Shows how the effects of a change were observed in the social media data.",
                "K14": "Compares service metrics before and after each change.",
            },
            "CSSMS": {
                "1.6": "Evaluates how the organisation's use of social media contributes to business "
                "performance, using measured results.",
            },
        },
    )
)


PITCH = register_step(
    GuidedStep(
        key="strategy.pitch",
        title="Champion pitch",
        order=280,
        stage=STAGE,
        path="strategy/pitch/",
        template="strategy/pitch.html",
        build=_pitch,
        guidance=Guidance(
            intro="You are the champion: persuade managers with figures, not enthusiasm alone.",
            points=(
                "Quantify the gains: faster responses, lower cost per contact, better retention, a higher "
                "Net Promoter Score.",
                "Be balanced: show the drawbacks of broadcasting on social media and how you will handle "
                "them.",
                "Explain how the conversation with customers carries on after the first reply.",
                "Say what you yourself will do, and what you need from the people in the room.",
            ),
        ),
        default_criteria={
            "CSSMS": {
                "3.1": "Weighs the benefits and drawbacks of social media for getting messages to customers.",
                "3.2": "Analyses what engaging customers on social media brings and what it commits the "
                "organisation to.",
                "3.3": "Explains how the dialogue with customers will be kept going after first contact.",
                "3.4": "Presents the case to managers and lists the champion's own actions.",
                "3.5": "Sets out the risks of social media use alongside the benefits claimed.",
            }
        },
    )
)


STEPS = [VISION, OBJECTIVES, PLATFORMS, RISKS, REGULATION, IMPLEMENTATION, MONITORING, PITCH]
STEP_NAMES = [step.name for step in STEPS]
