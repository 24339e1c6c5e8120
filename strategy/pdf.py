"""The strategy's eight chapters, built from a snapshot's strategy rows.

The rows are rebuilt as unsaved model instances so the same pure functions as the
pages judge them (SMART tests, platform ranking, risk scores, RACI rules) and the same
chart functions draw them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from audit.kpis import KPI_CATALOGUE
from core.formatting import signed_change
from core.pdf.blocks import (
    Block,
    Chart,
    Checks,
    Facts,
    Fields,
    Heading,
    Note,
    Table,
    first,
    instances,
    measured,
    minutes,
    number,
    text_fields,
    uk_date,
)
from core.pdf.chapters import ChapterContext, register_chapter
from core.pdf.charts import ChartSpec
from strategy import charts as strategy_charts
from strategy.completeness import PLAN_FIELDS, VISION_FIELDS, objective_facts
from strategy.models import PlatformSelection
from strategy.planning import parse_roles, raci_problems
from strategy.scoring import PLATFORM_CRITERIA, ScoringError, heat_map_matrix, rank_platforms, score_risks
from strategy.smart import higher_is_better, metric_label, metric_unit, objective_progress, smart_tests

Context = ChapterContext


def _chart(context_dict: dict[str, Any], key: str) -> Chart:
    """A chart from the pages' own chart function (a ``chart_context`` dict)."""
    return Chart(
        ChartSpec(
            key=key,
            title=context_dict["title"],
            description=context_dict["description"],
            figure=context_dict["figure"],
        )
    )


def vision(ctx: Context) -> list[Block]:
    row = first(ctx.snapshot, "strategy", "vision")
    fields = text_fields(row, [name for name, _label in VISION_FIELDS])
    return [fields] if fields.items else []


def objectives(ctx: Context) -> list[Block]:
    blocks: list[Block] = []
    current = {
        key: value for key, value in (ctx.kpis.overall if ctx.kpis else {}).items() if value is not None
    }
    for number_, row in enumerate(instances(ctx.snapshot, "strategy", "objective"), start=1):
        facts = objective_facts(row)
        unit = metric_unit(facts)
        better = higher_is_better(facts)
        progress = objective_progress(
            baseline=row.baseline,
            target=row.target,
            current=current.get(row.metric_key),
            higher_is_better=better,
        )
        items = [
            ("Metric", metric_label(facts)),
            ("Aim", ("Higher is better" if better else "Lower is better") if metric_label(facts) else ""),
            ("Baseline", measured(row.baseline, unit)),
            ("Target", measured(row.target, unit)),
            ("Starts", uk_date(row.start)),
            ("Deadline", uk_date(row.deadline)),
            ("Owner", row.owner),
        ]
        if progress is not None:
            items.append(
                (
                    "Progress",
                    f"{progress.percent}% of the way ({measured(progress.current, unit, places=1)} now)",
                )
            )
        blocks += [
            Heading(f"Objective {number_}: {row.statement}" if row.statement else f"Objective {number_}"),
            Facts([(k, v) for k, v in items if v]),
            text_fields(row, ["business_objective"]),
            Checks([(test.passed, test.label, test.reason) for test in smart_tests(facts, today=ctx.today)]),
        ]
    return blocks


def platforms(ctx: Context) -> list[Block]:
    selection = first(ctx.snapshot, "strategy", "platformselection") or PlatformSelection()
    scores = instances(ctx.snapshot, "strategy", "platformscore")
    blocks: list[Block] = []
    weights = selection.weights()
    total = sum(float(v) for v in weights.values()) or 1.0
    blocks.append(Heading("Weights"))
    blocks.append(
        Table(
            ["Criterion", "Weight"],
            [[label, f"{round(100 * float(weights[key]) / total)}%"] for key, label in PLATFORM_CRITERIA],
            numeric=(1,),
            compact=True,
        )
    )
    if scores:
        try:
            ranking = rank_platforms([(row.platform, row.scores()) for row in scores], weights)
        except ScoringError as error:
            ranking = []
            blocks.append(Note(f"The platforms could not be ranked: {error}"))
        by_name = {rank.name: rank for rank in ranking}
        blocks.append(Heading("Scores (1 poor to 5 strong)"))
        blocks.append(
            Table(
                ["Platform", *[label for _key, label in PLATFORM_CRITERIA], "Weighted score", "Rank"],
                [
                    [
                        row.platform,
                        *[str(row.scores()[key]) for key, _label in PLATFORM_CRITERIA],
                        f"{by_name[row.platform].score:.2f}" if row.platform in by_name else "",
                        str(by_name[row.platform].rank) if row.platform in by_name else "",
                    ]
                    for row in scores
                ],
                numeric=tuple(range(1, len(PLATFORM_CRITERIA) + 3)),
            )
        )
        notes = [(row.platform, row.notes) for row in scores if row.notes]
        if notes:
            blocks.append(Fields(notes))
        if ranking:
            blocks.append(_chart(strategy_charts.platform_ranking(ranking), "platform-ranking"))
    blocks.append(text_fields(selection, ["justification"]))
    return blocks


def risks(ctx: Context) -> list[Block]:
    rows = instances(ctx.snapshot, "strategy", "risk")
    if not rows:
        return [Note("No risks recorded.")]
    by_position = dict(enumerate(rows))
    try:
        scored = score_risks(
            [
                (i, r.likelihood, r.impact, r.residual_likelihood, r.residual_impact)
                for i, r in by_position.items()
            ]
        )
        matrix = heat_map_matrix([(r.likelihood, r.impact) for r in rows])
    except ScoringError as error:
        return [Note(f"The risk register could not be scored: {error}")]
    risk = by_position  # position → risk row, the keys score_risks hands back
    return [
        _chart(strategy_charts.risk_heat_map(matrix), "risk-heat-map"),
        Heading("The register, highest score first"),
        Table(
            ["Category", "Risk", "Likelihood × impact", "Owner", "Mitigation", "After mitigation"],
            [
                [
                    risk[s.key].get_category_display(),
                    risk[s.key].description,
                    f"{risk[s.key].likelihood} × {risk[s.key].impact} = {s.score} ({s.level.lower()})",
                    risk[s.key].owner,
                    risk[s.key].mitigation,
                    f"{s.residual_score} ({s.residual_level.lower()})"
                    if s.residual_score is not None
                    else "",
                ]
                for s in scored
            ],
        ),
    ]


def regulation(ctx: Context) -> list[Block]:
    blocks: list[Block] = []
    for row in instances(ctx.snapshot, "strategy", "regulationcheck"):
        blocks += [
            Heading(row.improvement),
            Table(["Law or rule", "Status", "Note"], [list(check) for check in row.checks()], compact=True),
        ]
    return blocks or [Note("No improvements checked yet.")]


def _raci(ctx: Context, roles: list[str]) -> list[Block]:
    activities = instances(ctx.snapshot, "strategy", "raciactivity")
    if not activities:
        return []
    columns = roles or sorted({role for a in activities for role in (a.assignments or {})})
    problems = [
        (False, a.activity, problem) for a in activities for problem in raci_problems(a.assignments or {})
    ]
    blocks: list[Block] = [
        Heading("Responsibilities (R responsible, A accountable, C consulted, I informed)"),
        Table(
            ["Activity", *columns],
            [[a.activity, *[(a.assignments or {}).get(role, "") for role in columns]] for a in activities],
        ),
    ]
    if problems:
        blocks.append(Checks(problems))
    return blocks


def implementation(ctx: Context) -> list[Block]:
    plan = first(ctx.snapshot, "strategy", "implementationplan")
    roles = parse_roles(plan.roles) if plan else []
    blocks: list[Block] = []
    if roles:
        blocks.append(Facts([("People or roles", ", ".join(roles))]))
    blocks += _raci(ctx, roles)
    protocols = instances(ctx.snapshot, "strategy", "responseprotocol")
    if protocols:
        blocks += [
            Heading("Response protocols and service levels"),
            Table(
                ["Platform", "First response target", "Hours covered", "How we respond"],
                [
                    [p.platform, minutes(p.first_response_minutes), p.hours_covered, p.approach]
                    for p in protocols
                ],
            ),
        ]
    blocks.append(text_fields(plan, [name for name, _label in PLAN_FIELDS]))
    budget = instances(ctx.snapshot, "strategy", "budgetline")
    if budget:
        total = sum((line.amount or Decimal(0) for line in budget), Decimal(0))
        blocks += [
            Heading("Budget"),
            Table(
                ["Item", "Amount (£)", "Notes"],
                [[line.item, f"{line.amount:,.2f}", line.notes] for line in budget],
                numeric=(1,),
                footer=["Total", f"{total:,.2f}", ""],
            ),
        ]
    tasks = instances(ctx.snapshot, "strategy", "timelinetask")
    if tasks:
        blocks += [
            Heading("Timeline"),
            _chart(strategy_charts.implementation_timeline(tasks), "implementation-timeline"),
            Table(
                ["Task", "Owner", "Starts", "Ends"],
                [[t.task, t.owner, uk_date(t.start), uk_date(t.end)] for t in tasks],
                compact=True,
            ),
        ]
    return [block for block in blocks if not isinstance(block, Fields) or block.items]


def monitoring(ctx: Context) -> list[Block]:
    blocks: list[Block] = []
    for cycle in instances(ctx.snapshot, "strategy", "reviewcycle"):
        kpi = KPI_CATALOGUE.get(cycle.metric_key)
        unit = kpi.unit if kpi else ""
        change = (
            float(cycle.value_after - cycle.value_before)
            if cycle.value_before is not None and cycle.value_after is not None
            else None
        )
        verdict = ""
        if change and kpi is not None:
            verdict = " (better)" if (change > 0) == kpi.higher_is_better else " (worse)"
        items = [
            ("Started", uk_date(cycle.started_on)),
            ("Reviewed", uk_date(cycle.reviewed_on)),
            # A key no catalogue knows any more is not shown as the raw key it was stored under.
            ("Measure", kpi.label if kpi else ""),
            ("Before", measured(cycle.value_before, unit)),
            ("After", measured(cycle.value_after, unit)),
            ("Change", signed_change(change, unit) + verdict if change is not None else ""),
        ]
        blocks += [
            Heading(cycle.title),
            Facts([(k, v) for k, v in items if v]),
            text_fields(cycle, ["plan_step", "do_step", "check_step", "act_step"]),
        ]
    if ctx.kpis is not None:
        blocks += ctx.kpis.blocks()
    else:
        blocks.append(Note("No service data had been imported, so there are no measured KPIs."))
    return blocks


def pitch(ctx: Context) -> list[Block]:
    row = first(ctx.snapshot, "strategy", "championpitch")
    if row is None:
        return []
    blocks: list[Block] = [Facts([(k, v) for k, v in (("Audience", row.audience),) if v])]
    if row.headline:
        blocks.append(Fields([("The case in one sentence", row.headline)]))
    pairs = [
        ("First response time (minutes)", row.response_time_now, row.response_time_projected),
        ("Cost per contact (£)", row.cost_per_contact_now, row.cost_per_contact_projected),
        ("Customer retention (%)", row.retention_now, row.retention_projected),
        ("Net Promoter Score", row.nps_now, row.nps_projected),
    ]
    figures = [
        [label, number(now), number(later)]
        for label, now, later in pairs
        if now is not None or later is not None
    ]
    if figures:
        blocks += [
            Heading("The impact in figures"),
            Table(["Measure", "Now", "Projected"], figures, numeric=(1, 2)),
        ]
    blocks.append(
        text_fields(
            row,
            [
                "dissemination_benefits",
                "dissemination_drawbacks",
                "engagement_consequences",
                "ongoing_dialogue",
                "champion_actions",
                "risks",
                "ask",
            ],
        )
    )
    return blocks


register_chapter("strategy.vision", vision)
register_chapter("strategy.objectives", objectives)
register_chapter("strategy.platforms", platforms)
register_chapter("strategy.risks", risks)
register_chapter("strategy.regulation", regulation)
register_chapter("strategy.implementation", implementation)
register_chapter("strategy.monitoring", monitoring)
register_chapter("strategy.pitch", pitch)
