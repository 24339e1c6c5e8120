# ruff: noqa: E501 -- demo prose reads better unwrapped
"""Demo content for the audit: Fernleaf Home, as Amira Khan (``learner``) audits it; Parkway
Leisure, as Daniel Okafor (``learner4``) did; and the first, draft step of three others.

Idempotent: a step already saved, or a dataset already imported, is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from audit import services
from audit.models import (
    Community,
    CompetitorPresence,
    CustomerSegment,
    OrganisationProfile,
    PlatformPresence,
    ServiceGap,
    ServiceProcess,
    StepNote,
)
from audit.steps import STEPS_BY_SLUG
from audit.synthetic import SEED, interactions_csv
from core.models import Cohort, Portfolio
from demo import parkway, timeline

DEMO_ROWS = 3000

PROCESSES = [
    (
        "Order enquiries",
        "Customers ask about stock, fabrics and lead times before buying; advisers answer from "
        "the stock system by phone, e-mail and Facebook messages.",
        "Phone, e-mail, Facebook",
        "Replies on social wait until the phone queue is clear.",
    ),
    (
        "Delivery booking",
        "The two-person crew's slot is booked by text message two weeks ahead; changes go "
        "through the contact centre in Leeds.",
        "SMS, phone, WhatsApp pilot",
        "Weekend slot changes go unanswered until Monday.",
    ),
    (
        "Assembly",
        "Crews assemble beds, wardrobes and dining sets on delivery when the customer paid for it.",
        "Phone",
        "Assembly booked but not passed to the crew.",
    ),
    (
        "Returns within 30 days",
        "Customer asks for a return; an adviser books a collection and the refund follows the inspection.",
        "E-mail, phone",
        "Refund timing is unclear to customers.",
    ),
    (
        "Damage and guarantee claims",
        "Photos are requested by e-mail; a claim against the 5-year frame guarantee "
        "is approved by a supervisor.",
        "E-mail, X, Facebook",
        "Public complaints on X before a claim is opened.",
    ),
]
PRESENCE = [
    (
        "facebook",
        "Fernleaf Home",
        48000,
        620,
        300,
        "Mon–Fri 9:00–17:30",
        "Order questions and delivery complaints by Messenger and comments.",
        "Made.com-style retailers answer in Messenger within the hour with order look-up.",
    ),
    (
        "instagram",
        "@fernleafhome",
        62000,
        410,
        240,
        "Mon–Fri 9:00–17:30",
        "Product questions under posts; DMs about fabric samples.",
        "Homeware brands use story replies and quick replies for FAQs.",
    ),
    (
        "x",
        "@FernleafHelp",
        9500,
        380,
        420,
        "Mon–Fri 9:00–17:00",
        "Mostly complaints about delivery slots and damaged items.",
        "Airlines and rail firms staff X at weekends and move details to DM quickly.",
    ),
    (
        "tiktok",
        "@fernleafhome",
        3000,
        40,
        1440,
        "Not covered",
        "New account; comments not monitored.",
        "Retailers answer common questions with short reply videos.",
    ),
    (
        "trustpilot",
        "Fernleaf Home",
        5200,
        150,
        2880,
        "Weekly review",
        "Replies to reviews once a week; rating 4.1 stars.",
        "Competitors reply to every negative review within a day.",
    ),
    (
        "whatsapp",
        "Fernleaf Deliveries",
        1200,
        260,
        60,
        "Mon–Sat 8:00–18:00",
        "Pilot: delivery day updates and slot changes.",
        "Furniture retailers send delivery windows and photos of the crew.",
    ),
]
SEGMENTS = [
    (
        "First-home buyers",
        "25–34, renting or first purchase, budget-conscious",
        "Instagram, TikTok, WhatsApp",
        "Inspiration, fabric questions before buying, delivery updates",
        "Fast answers on lead times; easy returns",
    ),
    (
        "Families upgrading",
        "35–54, homeowners, higher order values",
        "Facebook, e-mail, Trustpilot",
        "Comparing reviews, delivery changes, assembly questions",
        "Reliable slots; careful assembly",
    ),
    (
        "Complaining customers",
        "All ages, after a late or damaged delivery",
        "X, Facebook, Trustpilot",
        "Public complaints when phone queues are long",
        "A quick acknowledgement and a named person",
    ),
]
COMMUNITIES = [
    (
        "Small-space living group",
        "facebook",
        85000,
        "Renters sharing layouts and product finds; frank reviews.",
        "Members recommend or warn against sofas that fit small rooms.",
    ),
    (
        "#sofatok",
        "tiktok",
        120000,
        "Short reviews and unboxings of sofas and beds.",
        "Damaged-delivery videos spread fast; early replies limit harm.",
    ),
    (
        "Home renovation forum",
        "other",
        40000,
        "Homeowners discussing furniture quality and guarantees.",
        "Guarantee experiences are discussed in detail and shape trust.",
    ),
]
COMPETITORS = [
    (
        "Oakhurst Living",
        "x",
        21000,
        "Staffed 8:00–20:00 seven days; moves details to DM within minutes.",
        "Fast, consistent tone",
        "Scripted replies",
    ),
    (
        "Oakhurst Living",
        "facebook",
        75000,
        "Messenger bot handles order look-up; humans take complaints.",
        "Order tracking in chat",
        "Bot loops frustrate complex queries",
    ),
    (
        "Loft & Linen",
        "instagram",
        110000,
        "Story FAQs and quick replies about fabrics and delivery.",
        "Strong visual help content",
        "Slow to answer complaints in DMs",
    ),
    (
        "Loft & Linen",
        "trustpilot",
        9000,
        "Replies to every review within a day, offers a callback.",
        "Visible care for unhappy customers",
        "Copy-paste wording",
    ),
]
GAPS = [
    (
        "Weekend replies on X and Facebook are slow",
        "Weekend median first response over 6 hours in the service data; complaints on X at weekends.",
        "Weekend rota of two advisers 9:00–17:00 on social channels; "
        "target first response within 60 minutes.",
        "high",
    ),
    (
        "Complaints about delivery slots and damaged items handled in public",
        "Most X mentions are delivery complaints; claims start after public posts.",
        "Move delivery and damage cases to private messages within the first reply, with a photo "
        "upload link.",
        "high",
    ),
    (
        "No brand voice guide",
        "Replies vary in tone between advisers and channels.",
        "Write a short voice and tone guide with examples for praise, questions and complaints.",
        "medium",
    ),
    (
        "No crisis plan for social media",
        "No agreed steps when a damaged-delivery video spreads.",
        "Agree a crisis communication procedure with escalation to the head of customer service.",
        "medium",
    ),
]
NOTES = {
    "presence": "Accounts are managed natively on each platform; the WhatsApp pilot uses a shared inbox. "
    "Other retailers use a social inbox tool with order look-up, which Fernleaf lacks.",
    "customers": "Profile built from Instagram and Facebook insights, order data by age band and a survey of "
    "400 customers in January.",
    "communities": "Fernleaf does not yet take part; two advisers read the Facebook group weekly.",
    "competitors": "Copy Oakhurst's weekend cover on X and Loft & Linen's habit of replying to every review; "
    "avoid chatbot loops for complaints.",
    "gaps": "Weekend cover and moving complaints to private channels come first: they drive most of the "
    "negative posts. The voice guide and crisis plan follow within three months.",
}


# The lighter learners' first step: their own organisation, a draft (too few processes).
DRAFTS: dict[str, tuple[dict[str, str], list[tuple[str, str]]]] = {
    "learner2": (
        {
            "name": "Brightwell Energy",
            "sector": "Energy supplier",
            "service_offer": "Billing and meter support by phone and chat.",
        },
        [("Billing queries", "Phone queue and web chat")],
    ),
    "learner3": (
        {
            "name": "Swiftpost Couriers",
            "sector": "Parcel delivery",
            "service_offer": "Next-day parcel delivery with tracking, redelivery and depot collection.",
        },
        [
            ("Missed deliveries", "Card through the door; redelivery booked online"),
            ("Lost parcels", "Claim form by e-mail, checked by the depot"),
        ],
    ),
    "learner5": ({"name": "Meadowbank Homes", "sector": "Housing association"}, []),
}


def build_demo_content(*, cohort: Cohort, portfolios: dict[str, Portfolio]) -> None:
    today = timezone.localdate()
    amira = portfolios.get("learner")
    if amira is not None:
        if not OrganisationProfile.objects.filter(portfolio=amira).exists():
            _fill_steps(amira, _amira_content())
        change = timeline.pilot_start(today)
        _service_data(
            amira, change, weeks=6, rows=DEMO_ROWS, seed=SEED, name="Fernleaf social inbox export", sla=60
        )
    daniel = portfolios.get("learner4")
    if daniel is not None:
        if not OrganisationProfile.objects.filter(portfolio=daniel).exists():
            _fill_steps(daniel, _parkway_content())
        change = timeline.story_day(parkway.CHANGE_DAYS_AGO, today)
        _service_data(
            daniel, change, weeks=4, rows=1200, seed=SEED + 4, name="Parkway shared inbox export", sla=240
        )
    for username, (header, rows) in DRAFTS.items():
        portfolio = portfolios.get(username)
        if portfolio is not None and not OrganisationProfile.objects.filter(portfolio=portfolio).exists():
            processes = [ServiceProcess(name=n, how_it_runs=h) for n, h in rows]
            _save(portfolio, "organisation", OrganisationProfile(**header), processes)


def _service_data(
    portfolio: Portfolio, change: date, *, weeks: int, rows: int, seed: int, name: str, sla: int
) -> None:
    """Service data from half the weeks before ``change`` to half after it (the generator's
    improvement starts half-way), and the KPI periods set to compare exactly those halves."""
    if portfolio.service_imports.filter(status="done").exists():
        return
    learner = portfolio.learner
    days = weeks * 7 // 2
    start = change - timedelta(days=days)
    csv = interactions_csv(rows, start=start.isoformat(), weeks=weeks, seed=seed)
    upload = SimpleUploadedFile(f"{slugify(name)}.csv", csv, "text/csv")
    service_import = services.upload_service_data(portfolio=portfolio, upload=upload, actor=learner)
    services.map_columns(
        service_import=service_import,
        columns=service_import.columns,
        formats=service_import.formats,
        save_as=name,
        actor=learner,
    )
    services.start_import(service_import=service_import, actor=learner)
    baseline, follow_up = timeline.periods(change, days)
    services.save_kpi_settings(
        portfolio=portfolio,
        values=services.KpiSettingsInput(
            sla_minutes=sla,
            baseline_start=baseline[0],
            baseline_end=baseline[1],
            follow_up_start=follow_up[0],
            follow_up_end=follow_up[1],
        ),
        actor=learner,
    )


def _save(portfolio: Portfolio, slug: str, header: Model, rows: list[Any]) -> None:
    services.save_step(
        step=STEPS_BY_SLUG[slug],
        portfolio=portfolio,
        header=header,
        rows=rows,
        deleted=[],
        actor=portfolio.learner,
    )


def _amira_content() -> dict[str, Any]:
    return {
        "profile": {
            "name": "Fernleaf Home",
            "sector": "Online retail: furniture and homeware",
            "size_and_locations": "About 180 staff; head office and a contact centre of 24 advisers in Leeds; "
            "two-person delivery and assembly crews nationwide.",
            "service_offer": "Delivery booking with a two-person crew, assembly on delivery, returns "
            "within 30 days and a 5-year frame guarantee, supported by phone, e-mail and social media.",
            "products": "Sofas, beds, dining furniture and soft furnishings.",
        },
        "processes": PROCESSES,
        "presence": PRESENCE,
        "segments": SEGMENTS,
        "communities": COMMUNITIES,
        "competitors": COMPETITORS,
        "gaps": GAPS,
        "notes": NOTES,
    }


def _parkway_content() -> dict[str, Any]:
    return {
        "profile": parkway.PROFILE,
        "processes": parkway.PROCESSES,
        "presence": parkway.PRESENCE,
        "segments": parkway.SEGMENTS,
        "communities": parkway.COMMUNITIES,
        "competitors": parkway.COMPETITORS,
        "gaps": parkway.GAPS,
        "notes": parkway.NOTES,
    }


def _fill_steps(portfolio: Portfolio, content: dict[str, Any]) -> None:
    notes = content["notes"]
    _save(
        portfolio,
        "organisation",
        OrganisationProfile(**content["profile"]),
        [
            ServiceProcess(name=n, how_it_runs=h, channels=c, problems=p)
            for n, h, c, p in content["processes"]
        ],
    )
    _save(
        portfolio,
        "presence",
        StepNote(step="presence", text=notes["presence"]),
        [
            PlatformPresence(
                platform=p,
                account=a,
                audience=au,
                monthly_messages=m,
                typical_response_minutes=t,
                hours_covered=h,
                service_use=u,
                others_use=o,
            )
            for p, a, au, m, t, h, u, o in content["presence"]
        ],
    )
    _save(
        portfolio,
        "customers",
        StepNote(step="customers", text=notes["customers"]),
        [
            CustomerSegment(name=n, demographics=d, platforms=p, uses=u, needs=ne)
            for n, d, p, u, ne in content["segments"]
        ],
    )
    _save(
        portfolio,
        "communities",
        StepNote(step="communities", text=notes["communities"]),
        [
            Community(name=n, platform=p, size=s, profile=pr, relevance=r)
            for n, p, s, pr, r in content["communities"]
        ],
    )
    _save(
        portfolio,
        "competitors",
        StepNote(step="competitors", text=notes["competitors"]),
        [
            CompetitorPresence(
                competitor=c, platform=p, audience=a, service_activity=s, strengths=st, weaknesses=w
            )
            for c, p, a, s, st, w in content["competitors"]
        ],
    )
    _save(
        portfolio,
        "gaps",
        StepNote(step="gaps", text=notes["gaps"]),
        [ServiceGap(gap=g, evidence=e, improvement=i, priority=p) for g, e, i, p in content["gaps"]],
    )
