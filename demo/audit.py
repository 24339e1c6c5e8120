"""Demo content for the audit: Fernleaf Home, as Amira Khan (``learner``) audits it.

Idempotent: a step already saved, or a dataset already imported, is left alone.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

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
from audit.synthetic import interactions_csv
from core.models import Cohort, Portfolio

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


def build_demo_content(*, cohort: Cohort, portfolios: dict[str, Portfolio]) -> None:
    portfolio = portfolios.get("learner")
    if portfolio is None:
        return
    learner = portfolio.learner
    if not OrganisationProfile.objects.filter(portfolio=portfolio).exists():
        _fill_steps(portfolio, learner)
    if not portfolio.service_imports.filter(status="done").exists():
        upload = SimpleUploadedFile("fernleaf-social-service.csv", interactions_csv(DEMO_ROWS), "text/csv")
        service_import = services.upload_service_data(portfolio=portfolio, upload=upload, actor=learner)
        services.map_columns(
            service_import=service_import,
            columns=service_import.columns,
            formats=service_import.formats,
            save_as="Fernleaf social inbox export",
            actor=learner,
        )
        services.start_import(service_import=service_import, actor=learner)
    light = portfolios.get("learner2")
    if light is not None and not OrganisationProfile.objects.filter(portfolio=light).exists():
        header = OrganisationProfile(
            name="Brightwell Energy",
            sector="Energy supplier",
            service_offer="Billing and meter support by phone and chat.",
        )
        _save(
            light, "organisation", header, [ServiceProcess(name="Billing queries", how_it_runs="Phone queue")]
        )


def _save(portfolio: Portfolio, slug: str, header, rows: list) -> None:
    services.save_step(
        step=STEPS_BY_SLUG[slug],
        portfolio=portfolio,
        header=header,
        rows=rows,
        deleted=[],
        actor=portfolio.learner,
    )


def _fill_steps(portfolio: Portfolio, learner) -> None:
    _save(
        portfolio,
        "organisation",
        OrganisationProfile(
            name="Fernleaf Home",
            sector="Online retail: furniture and homeware",
            size_and_locations="About 180 staff; head office and a contact centre of 24 advisers in Leeds; "
            "two-person delivery and assembly crews nationwide.",
            service_offer="Delivery booking with a two-person crew, assembly on delivery, returns "
            "within 30 days "
            "and a 5-year frame guarantee, supported by phone, e-mail and social media.",
            products="Sofas, beds, dining furniture and soft furnishings.",
        ),
        [ServiceProcess(name=n, how_it_runs=h, channels=c, problems=p) for n, h, c, p in PROCESSES],
    )
    _save(
        portfolio,
        "presence",
        StepNote(step="presence", text=NOTES["presence"]),
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
            for p, a, au, m, t, h, u, o in PRESENCE
        ],
    )
    _save(
        portfolio,
        "customers",
        StepNote(step="customers", text=NOTES["customers"]),
        [
            CustomerSegment(name=n, demographics=d, platforms=p, uses=u, needs=ne)
            for n, d, p, u, ne in SEGMENTS
        ],
    )
    _save(
        portfolio,
        "communities",
        StepNote(step="communities", text=NOTES["communities"]),
        [Community(name=n, platform=p, size=s, profile=pr, relevance=r) for n, p, s, pr, r in COMMUNITIES],
    )
    _save(
        portfolio,
        "competitors",
        StepNote(step="competitors", text=NOTES["competitors"]),
        [
            CompetitorPresence(
                competitor=c, platform=p, audience=a, service_activity=s, strengths=st, weaknesses=w
            )
            for c, p, a, s, st, w in COMPETITORS
        ],
    )
    _save(
        portfolio,
        "gaps",
        StepNote(step="gaps", text=NOTES["gaps"]),
        [ServiceGap(gap=g, evidence=e, improvement=i, priority=p) for g, e, i, p in GAPS],
    )
