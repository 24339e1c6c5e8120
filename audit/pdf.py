"""The audit's six chapters, built from a snapshot's audit rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from audit.pdf_kpis import kpi_figures
from core.pdf.blocks import (
    Block,
    Facts,
    Fields,
    Heading,
    Note,
    Table,
    instances,
    minutes,
    number,
    text_fields,
)
from core.pdf.chapters import ChapterContext, register_chapter, register_provider

Snapshot = dict[str, Any]


def _note(snapshot: Snapshot, step: str) -> list[Block]:
    for row in instances(snapshot, "audit", "stepnote"):
        if row.step == step and row.text.strip():
            return [Fields([("Overview", row.text)])]
    return []


def organisation(snapshot: Snapshot) -> list[Block]:
    blocks: list[Block] = []
    profile = next(iter(instances(snapshot, "audit", "organisationprofile")), None)
    if profile is not None:
        blocks.append(
            Facts([(k, v) for k, v in (("Organisation", profile.name), ("Sector", profile.sector)) if v])
        )
        blocks.append(text_fields(profile, ["size_and_locations", "service_offer", "products"]))
    processes = instances(snapshot, "audit", "serviceprocess")
    if processes:
        blocks.append(Heading("Essential customer service processes"))
        blocks.append(
            Table(
                ["Process", "How it runs today", "Channels", "Problems seen"],
                [[p.name, p.how_it_runs, p.channels, p.problems] for p in processes],
            )
        )
    return blocks


def presence(snapshot: Snapshot) -> list[Block]:
    blocks = _note(snapshot, "presence")
    rows = instances(snapshot, "audit", "platformpresence")
    if rows:
        blocks.append(Heading("Accounts, audience and service levels"))
        blocks.append(
            Table(
                [
                    "Platform",
                    "Account",
                    "Audience",
                    "Messages a month",
                    "Typical first response",
                    "Hours covered",
                ],
                [
                    [
                        r.get_platform_display(),
                        r.account,
                        number(r.audience),
                        number(r.monthly_messages),
                        minutes(r.typical_response_minutes),
                        r.hours_covered,
                    ]
                    for r in rows
                ],
                numeric=(2, 3),
            )
        )
        for r in rows:
            fields = text_fields(r, ["service_use", "others_use"])
            if fields.items:
                blocks += [Heading(r.get_platform_display() or "Platform"), fields]
    return blocks


def customers(snapshot: Snapshot) -> list[Block]:
    blocks = _note(snapshot, "customers")
    for segment in instances(snapshot, "audit", "customersegment"):
        blocks += [
            Heading(segment.name or "Customer segment"),
            text_fields(segment, ["demographics", "platforms", "uses", "needs"]),
        ]
    return blocks


def communities(snapshot: Snapshot) -> list[Block]:
    blocks = _note(snapshot, "communities")
    for community in instances(snapshot, "audit", "community"):
        facts = [
            ("Platform", community.get_platform_display()),
            ("Approximate members", number(community.size)),
        ]
        blocks += [
            Heading(community.name or "Community"),
            Facts([(k, v) for k, v in facts if v]),
            text_fields(community, ["profile", "relevance"]),
        ]
    return blocks


def competitors(snapshot: Snapshot) -> list[Block]:
    blocks = _note(snapshot, "competitors")
    rows = instances(snapshot, "audit", "competitorpresence")
    if rows:
        blocks.append(
            Table(
                ["Competitor", "Platform", "Audience"],
                [[r.competitor, r.get_platform_display(), number(r.audience)] for r in rows],
                numeric=(2,),
                compact=True,
            )
        )
        for r in rows:
            title = f"{r.competitor} on {r.get_platform_display()}" if r.platform else r.competitor
            blocks += [
                Heading(title or "Competitor"),
                text_fields(r, ["service_activity", "strengths", "weaknesses"]),
            ]
    return blocks


def gaps(snapshot: Snapshot) -> list[Block]:
    blocks = _note(snapshot, "gaps")
    rows = instances(snapshot, "audit", "servicegap")
    if rows:
        blocks.append(
            Table(
                ["Service gap", "What shows it", "Improvement proposed", "Priority"],
                [[r.gap, r.evidence, r.improvement, r.get_priority_display()] for r in rows],
            )
        )
    elif not blocks:
        blocks.append(Note("No service gaps recorded."))
    return blocks


def _from_snapshot(build: Callable[[Snapshot], list[Block]]) -> Callable[[ChapterContext], list[Block]]:
    """The audit's chapters read only the snapshot."""

    def builder(ctx: ChapterContext) -> list[Block]:
        return build(ctx.snapshot)

    return builder


register_chapter("audit.organisation", _from_snapshot(organisation))
register_chapter("audit.presence", _from_snapshot(presence))
register_chapter("audit.customers", _from_snapshot(customers))
register_chapter("audit.communities", _from_snapshot(communities))
register_chapter("audit.competitors", _from_snapshot(competitors))
register_chapter("audit.gaps", _from_snapshot(gaps))
# The service KPIs of the portfolio (or of the version), which the strategy's chapters compare against.
register_provider("kpis", kpi_figures)
