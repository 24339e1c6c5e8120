# ruff: noqa: E501 -- demo prose reads better unwrapped
"""Demo strategy content: Amira Khan's complete strategy for Fernleaf Home, Daniel Okafor's
for Parkway Leisure, and lighter drafts for two other learners. Safe to run again: a step that exists is left alone."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from core.models import Cohort, Portfolio
from demo import parkway, timeline
from strategy import models, services

D = Decimal


def build_demo_content(*, cohort: Cohort, portfolios: dict[str, Portfolio]) -> None:
    today = timezone.localdate()
    if "learner" in portfolios:
        change = timeline.pilot_start(today)
        _complete(
            portfolios["learner"],
            vision=AMIRA_VISION,
            objectives=_amira_objectives(today, change),
            weights=AMIRA_WEIGHTS,
            platforms=AMIRA_PLATFORMS,
            risks=AMIRA_RISKS,
            regulation=AMIRA_REGULATION,
            implementation={
                "plan": AMIRA_PLAN,
                "raci": AMIRA_RACI,
                "protocols": AMIRA_PROTOCOLS,
                "budget": AMIRA_BUDGET,
                "tasks": _amira_tasks(change - timedelta(days=35)),
            },
            cycles=_amira_cycles(change - timedelta(days=35)),
            pitch=AMIRA_PITCH,
        )
    if "learner2" in portfolios:
        _tom(portfolios["learner2"], today)
    if "learner3" in portfolios:
        _chloe(portfolios["learner3"], today)
    if "learner4" in portfolios:
        change = timeline.story_day(parkway.CHANGE_DAYS_AGO, today)
        _complete(
            portfolios["learner4"],
            vision=parkway.VISION,
            objectives=parkway.objectives(today, change),
            weights=parkway.WEIGHTS,
            platforms=parkway.PLATFORMS,
            risks=parkway.RISKS,
            regulation=parkway.REGULATION,
            implementation={
                "plan": parkway.PLAN,
                "raci": parkway.RACI,
                "protocols": parkway.PROTOCOLS,
                "budget": parkway.BUDGET,
                "tasks": parkway.tasks(change),
            },
            cycles=parkway.cycles(change),
            pitch=parkway.PITCH,
        )


def _complete(portfolio: Portfolio, **content: Any) -> None:
    """Every strategy step, each saved once through the services."""
    actor = portfolio.learner
    if not models.Vision.objects.filter(portfolio=portfolio).exists():
        services.save_vision(portfolio=portfolio, values=content["vision"], actor=actor)
    if not models.Objective.objects.filter(portfolio=portfolio).exists():
        services.save_objectives(portfolio=portfolio, rows=content["objectives"], actor=actor)
    if not models.PlatformScore.objects.filter(portfolio=portfolio).exists():
        services.save_platforms(
            portfolio=portfolio, selection=content["weights"], rows=content["platforms"], actor=actor
        )
    if not models.Risk.objects.filter(portfolio=portfolio).exists():
        services.save_risks(portfolio=portfolio, rows=content["risks"], actor=actor)
    if not models.RegulationCheck.objects.filter(portfolio=portfolio).exists():
        services.save_regulation_checks(portfolio=portfolio, rows=content["regulation"], actor=actor)
    if not models.ImplementationPlan.objects.filter(portfolio=portfolio).exists():
        services.save_implementation(portfolio=portfolio, **content["implementation"], actor=actor)
    if not models.ReviewCycle.objects.filter(portfolio=portfolio).exists():
        services.save_cycles(portfolio=portfolio, rows=content["cycles"], actor=actor)
    if not models.ChampionPitch.objects.filter(portfolio=portfolio).exists():
        services.save_pitch(portfolio=portfolio, values=content["pitch"], actor=actor)


def _tom(portfolio: Portfolio, today: date) -> None:
    actor = portfolio.learner
    if not models.Vision.objects.filter(portfolio=portfolio).exists():
        services.save_vision(
            portfolio=portfolio,
            values={
                "role_of_social": "Social media is where Brightwell's younger customers come first when a bill "
                "or a meter reading looks wrong, so it has to be a full service channel, not a noticeboard.",
                "vision_statement": "Every customer who contacts us on social media gets a named person "
                "and a clear next step within the hour.",
                "owned_media": "Facebook page, X account, the Brightwell app and help centre.",
            },
            actor=actor,
        )
    if not models.Objective.objects.filter(portfolio=portfolio).exists():
        services.save_objectives(
            portfolio=portfolio,
            rows=[
                {
                    "statement": "Answer billing messages on Facebook faster.",
                    "metric_key": "median_first_response",
                    "baseline": D("300"),
                    "target": None,
                    "deadline": today + timedelta(days=120),
                    "owner": "",
                    "business_objective": "",
                }
            ],
            actor=actor,
        )


def _chloe(portfolio: Portfolio, today: date) -> None:
    actor = portfolio.learner
    if not models.Risk.objects.filter(portfolio=portfolio).exists():
        services.save_risks(
            portfolio=portfolio,
            rows=[
                {
                    "category": "negative_publicity",
                    "description": "A video of a parcel thrown over a gate is shared widely before Swiftpost replies.",
                    "likelihood": 4,
                    "impact": 3,
                    "owner": "Social media lead",
                    "mitigation": "Brand mention alerts at the depots and a holding reply template.",
                    "residual_likelihood": 2,
                    "residual_impact": 3,
                }
            ],
            actor=actor,
        )


AMIRA_VISION = {
    "role_of_social": "For Fernleaf Home social media is already a service channel whether we planned it or "
    "not: about a third of delivery complaints now reach us on X and Facebook before they reach the phone "
    "line. The strategy makes social the quickest place to get help with delivery slots, damaged items, "
    "assembly and returns, while the contact centre keeps phone and e-mail.",
    "components_scope": "Scope: Facebook, Instagram, X, TikTok, Trustpilot replies and the WhatsApp Business "
    "delivery-update pilot. Components: monitoring and triage, response protocols and service levels, "
    "escalation and crisis handling, brand voice, reporting of KPIs, and a monthly review with marketing.",
    "organisational_links": "Logistics (delivery slots and crew updates), the warehouse (damage claims and "
    "replacement parts), marketing (campaign calendar and paid posts), IT (the help-desk tool and WhatsApp "
    "integration), and HR (rota and training). The contact centre in Leeds owns the service.",
    "brand_values": "Fernleaf promises ‘a home that feels finished’: warm, straightforward, dependable. "
    "Marketing has built that image on Instagram; service replies must sound the same and keep the promise "
    "when something goes wrong, or the campaigns lose credibility.",
    "vision_statement": "Within a year, a Fernleaf customer who asks for help on any of our social channels "
    "gets a warm, personal reply within an hour, seven days a week, and has their delivery or damage problem "
    "sorted in that same conversation wherever possible.",
    "operating_environment": "A competitive online furniture market (Oakhurst Living and Loft & Linen both "
    "answer on X at weekends), rising delivery costs, and customers who expect messaging-app speed. "
    "Constraints: 24 advisers, no weekend social cover today, a help-desk tool without social integration, "
    "and a service budget fixed until April.",
    "business_fit": "The business plan aims to lift repeat purchase from 22% to 27% and cut the cost of "
    "failed deliveries. Faster, friendlier social service supports both: fewer cancelled orders after a "
    "missed slot and more customers who buy again.",
    "owned_media": "Facebook page (48,000 followers), Instagram (62,000), X (9,500), TikTok (3,000), "
    "WhatsApp Business for delivery updates, and the help centre on our website.",
    "earned_media": "Trustpilot reviews (4.1 stars), customers’ room photos tagged #FernleafAtHome, and "
    "mentions by interiors bloggers. We reply to every Trustpilot review within two working days.",
    "paid_media": "Instagram and Facebook adverts for seasonal sales and boosted TikTok assembly videos; "
    "run by marketing, with service briefed before each campaign so advisers can answer questions about it.",
    "promotion_vs_service": "Promotional posts come from marketing’s calendar; service replies come from the "
    "contact centre’s social team using the help-desk queue. We pause scheduled promotions during a "
    "service incident and never answer a complaint with a sales link.",
}


def _amira_objectives(today: date, change: date) -> list[dict[str, object]]:
    deadline = today + timedelta(days=150)
    return [
        {
            "statement": "Cut the median first response time on our social channels from 213 minutes to 45 minutes, "
            "including weekends.",
            "metric_key": "median_first_response",
            "baseline": D("213"),
            "target": D("45"),
            "start": change,
            "deadline": deadline,
            "owner": "Amira Khan, customer service team leader",
            "business_objective": "Reduce cancelled orders after missed delivery slots.",
        },
        {
            "statement": "Raise the share of social interactions answered within our one-hour service level "
            "from 12% to 60%.",
            "metric_key": "within_sla",
            "baseline": D("12"),
            "target": D("60"),
            "start": change,
            "deadline": deadline,
            "owner": "Social media lead",
            "business_objective": "Protect the brand promise of dependable service.",
        },
        {
            "statement": "Lift customer satisfaction for social interactions from 61% to 85%.",
            "metric_key": "csat",
            "baseline": D("61"),
            "target": D("85"),
            "start": change,
            "deadline": today + timedelta(days=240),
            "owner": "Head of customer service",
            "business_objective": "Increase repeat purchase from 22% to 27%.",
        },
        {
            "statement": "Resolve 60% of delivery-slot queries in the first reply by giving advisers access to "
            "the logistics booking screen.",
            "metric_key": "fcr",
            "baseline": D("35"),
            "target": D("60"),
            "start": change,
            "deadline": today + timedelta(days=200),
            "owner": "Logistics liaison",
            "business_objective": "Lower the cost per contact and the number of repeat contacts.",
        },
    ]


AMIRA_WEIGHTS = {
    "weight_audience_fit": D("30"),
    "weight_customer_usage": D("25"),
    "weight_service_features": D("20"),
    "weight_cost": D("10"),
    "weight_staffing": D("15"),
    "justification": "Facebook and Instagram lead because that is where our audit found most of our customers "
    "(35 to 64, mostly women furnishing a home) and most service messages; both have private messaging, "
    "saved replies and order-lookup integrations. WhatsApp Business ranks high for delivery updates because "
    "customers already open those messages and the pilot cut ‘where is my order?’ calls. X stays a service "
    "channel because that is where delivery complaints go public, but we will move conversations to private "
    "messages quickly. TikTok is kept for marketing only for now: few service questions arrive there and it "
    "would need extra staffing.",
}

AMIRA_PLATFORMS = [
    {
        "platform": "Facebook",
        "audience_fit": 5,
        "customer_usage": 5,
        "service_features": 4,
        "cost": 4,
        "staffing": 3,
    },
    {
        "platform": "Instagram",
        "audience_fit": 5,
        "customer_usage": 4,
        "service_features": 4,
        "cost": 4,
        "staffing": 3,
    },
    {
        "platform": "WhatsApp Business",
        "audience_fit": 4,
        "customer_usage": 4,
        "service_features": 5,
        "cost": 3,
        "staffing": 3,
    },
    {
        "platform": "X",
        "audience_fit": 3,
        "customer_usage": 3,
        "service_features": 3,
        "cost": 4,
        "staffing": 2,
    },
    {
        "platform": "TikTok",
        "audience_fit": 2,
        "customer_usage": 1,
        "service_features": 2,
        "cost": 4,
        "staffing": 2,
    },
]

AMIRA_RISKS = [
    {
        "category": "data_security",
        "description": "An adviser asks for or repeats a customer’s address or order details in a public reply.",
        "likelihood": 3,
        "impact": 4,
        "owner": "Social media lead",
        "mitigation": "Move to private messages before any personal detail; saved replies that never ask for "
        "data in public; monthly spot checks.",
        "residual_likelihood": 1,
        "residual_impact": 4,
    },
    {
        "category": "negative_publicity",
        "description": "A video of a damaged sofa goes viral over a weekend with no reply from us.",
        "likelihood": 4,
        "impact": 4,
        "owner": "Head of customer service",
        "mitigation": "Weekend social rota, monitoring alerts on brand mentions, crisis holding statement "
        "approved in advance.",
        "residual_likelihood": 2,
        "residual_impact": 3,
    },
    {
        "category": "regulation",
        "description": "A sale post or an influencer’s room tour is not labelled as an advert, or a reply "
        "misstates customers’ refund rights.",
        "likelihood": 2,
        "impact": 4,
        "owner": "Marketing manager",
        "mitigation": "#ad labelling checklist for marketing; refund and returns wording agreed with legal in "
        "the saved replies.",
        "residual_likelihood": 1,
        "residual_impact": 3,
    },
    {
        "category": "staffing",
        "description": "Weekend and Christmas peaks overwhelm the four-person social team.",
        "likelihood": 4,
        "impact": 3,
        "owner": "Workforce planner",
        "mitigation": "Cross-train eight phone advisers; seasonal rota; automated acknowledgement with "
        "realistic wait times.",
        "residual_likelihood": 2,
        "residual_impact": 3,
    },
    {
        "category": "technology",
        "description": "The help-desk tool loses messages when the social integration fails.",
        "likelihood": 2,
        "impact": 3,
        "owner": "IT service owner",
        "mitigation": "Supplier service level with alerts; fall back to native inboxes with a checklist.",
        "residual_likelihood": 1,
        "residual_impact": 3,
    },
    {
        "category": "accessibility",
        "description": "Customers using screen readers cannot follow image-only delivery updates.",
        "likelihood": 3,
        "impact": 2,
        "owner": "Social media lead",
        "mitigation": "Alt text on every image; text versions of delivery updates; plain-English guide.",
        "residual_likelihood": 1,
        "residual_impact": 2,
    },
]


def _regulation(improvement: str, **notes: tuple[str, str]) -> dict[str, str]:
    row = {"improvement": improvement}
    for prefix, (status, note) in notes.items():
        row[f"{prefix}_status"] = status
        row[f"{prefix}_note"] = note
    return row


AMIRA_REGULATION = [
    _regulation(
        "Weekend social cover with a one-hour first response target on Facebook, Instagram and X.",
        consumer_rights=(
            "complies",
            "Replies about faulty or damaged goods follow the statutory 30-day right "
            "to reject and our 5-year frame guarantee; wording agreed with legal.",
        ),
        data_protection=(
            "action",
            "Weekend advisers need the data protection refresher before their first "
            "shift; move to private messages before asking for order details.",
        ),
        equality=(
            "complies",
            "Same service levels on every channel; phone remains available for customers "
            "who do not use social media.",
        ),
        advertising=("n/a", ""),
        platform_terms=(
            "complies",
            "Meta’s messaging window respected: no promotional messages after 24 hours without consent.",
        ),
    ),
    _regulation(
        "WhatsApp Business delivery updates for every order, with a reply option.",
        consumer_rights=("complies", "Updates state the delivery date agreed at purchase and how to rebook."),
        data_protection=(
            "action",
            "Opt-in at checkout and an updated privacy notice; keep chat history for 12 months only.",
        ),
        equality=("complies", "Text-only versions and SMS fallback for customers without WhatsApp."),
        advertising=("complies", "Service messages only: no offers in delivery updates."),
        platform_terms=("action", "Message templates must be approved by WhatsApp before launch."),
    ),
]

AMIRA_PLAN = {
    "roles": "Amira Khan (team leader)\nSocial media advisers\nHead of customer service\nMarketing "
    "manager\nLogistics liaison\nIT service owner",
    "escalation_path": "Adviser → social media lead (within 30 minutes) for complaints over £500, injury or "
    "safety claims, legal threats or posts gaining traction → head of customer service (within 1 hour) → "
    "communications director for anything that could reach the press.",
    "crisis_framework": "1. Detect: alerts when mentions triple in an hour. 2. Hold: pause scheduled posts, "
    "publish the approved holding statement within 30 minutes. 3. Assess: crisis group (service, marketing, "
    "logistics, comms) meets within an hour. 4. Respond: one agreed message on every channel, personal "
    "replies in private. 5. Recover: update customers until resolved, then review what we learned.",
    "brand_voice": "Warm, straightforward and dependable: like a helpful neighbour who knows furniture. "
    "First names, plain words, no jargon, and always a clear next step.",
    "voice_do": "“Hi Jo, I’m sorry your sofa arrived damaged. I’ve sent you a private message so we can "
    "sort a replacement today. Amira”\nUse the customer’s name and sign off with ours.",
    "voice_dont": "“We apologise for any inconvenience caused.” (cold and vague)\nNever argue in public, "
    "use sales links in complaint replies, or copy and paste the same reply twice in a thread.",
    "training_needs": "All social advisers: brand voice workshop, complaint handling on social media, data "
    "protection refresher. Eight phone advisers: cross-training for weekend cover. Team leaders: crisis "
    "simulation twice a year.",
    "technology": "Help-desk tool with the social inbox add-on (Facebook, Instagram, X, WhatsApp), "
    "monitoring alerts on brand mentions, saved-reply library, read access to the logistics booking screen.",
    "capability_review": "Today the contact centre is built around phone and e-mail from 8am to 6pm on "
    "weekdays; social media is handled by two advisers between other work, with no weekend cover and no "
    "shared inbox. The structure can deliver the strategy only if we create a dedicated social team of four "
    "with a rota covering weekends, give them access to logistics systems, and agree a service-level "
    "agreement with marketing for campaign briefings. Budget for the tool is available; the extra weekend "
    "hours need approval from the head of customer service.",
}

AMIRA_RACI = [
    (
        "Set up the social inbox in the help-desk tool",
        {
            "Amira Khan (team leader)": "R",
            "IT service owner": "A",
            "Social media advisers": "C",
            "Head of customer service": "I",
        },
    ),
    (
        "Write response protocols and saved replies",
        {
            "Amira Khan (team leader)": "A",
            "Social media advisers": "R",
            "Marketing manager": "C",
            "Logistics liaison": "C",
        },
    ),
    (
        "Weekend rota and cross-training",
        {"Amira Khan (team leader)": "R", "Head of customer service": "A", "Social media advisers": "I"},
    ),
    (
        "Crisis communication framework",
        {
            "Head of customer service": "A",
            "Amira Khan (team leader)": "R",
            "Marketing manager": "C",
            "Logistics liaison": "C",
        },
    ),
    (
        "Monthly KPI report",
        {
            "Amira Khan (team leader)": "A",
            "Social media advisers": "R",
            "Head of customer service": "I",
            "Marketing manager": "I",
        },
    ),
]

AMIRA_PROTOCOLS = [
    {
        "platform": "Facebook",
        "first_response_minutes": 60,
        "hours_covered": "Every day 8am–8pm",
        "approach": "Public acknowledgement, then private message for any order detail.",
    },
    {
        "platform": "Instagram",
        "first_response_minutes": 60,
        "hours_covered": "Every day 8am–8pm",
        "approach": "Reply to comments and direct messages; move complaints to direct messages.",
    },
    {
        "platform": "X",
        "first_response_minutes": 30,
        "hours_covered": "Every day 8am–8pm",
        "approach": "Quick public reply with a name; direct message for details.",
    },
    {
        "platform": "WhatsApp Business",
        "first_response_minutes": 15,
        "hours_covered": "Mon–Sat 7am–9pm",
        "approach": "Delivery rebooking handled in the chat with the booking screen.",
    },
    {
        "platform": "Trustpilot",
        "first_response_minutes": 2880,
        "hours_covered": "Weekdays 9am–5pm",
        "approach": "Reply to every review within two working days; invite low scores to talk privately.",
    },
]

AMIRA_BUDGET = [
    {"item": "Help-desk social inbox add-on (12 months)", "amount": D("7200.00"), "notes": "6 seats"},
    {"item": "Weekend cover: extra adviser hours", "amount": D("18500.00"), "notes": "Two advisers, 8 hours"},
    {
        "item": "Training: brand voice and complaint handling",
        "amount": D("2400.00"),
        "notes": "External trainer",
    },
    {"item": "Brand mention monitoring", "amount": D("1800.00"), "notes": "Alerts and sentiment"},
    {"item": "WhatsApp template messages", "amount": D("1100.00"), "notes": "Per-message fees, estimate"},
]


def _amira_tasks(start: date) -> list[dict[str, object]]:
    def span(offset: int, days: int) -> dict[str, date]:
        return {"start": start + timedelta(days=offset), "end": start + timedelta(days=offset + days)}

    return [
        {"task": "Agree strategy with head of service", "owner": "Amira", **span(0, 7)},
        {"task": "Set up social inbox and saved replies", "owner": "IT", **span(7, 21)},
        {"task": "Brand voice and complaints training", "owner": "Amira", **span(21, 14)},
        {"task": "Weekend rota pilot", "owner": "Amira", **span(35, 42)},
        {"task": "WhatsApp delivery updates roll-out", "owner": "Logistics", **span(49, 35)},
        {"task": "First PDCA review", "owner": "Amira", **span(77, 7)},
    ]


def _amira_cycles(start: date) -> list[dict[str, object]]:
    return [
        {
            "title": "Weekend cover pilot",
            "started_on": start + timedelta(days=35),
            "reviewed_on": start + timedelta(days=49),
            "plan_step": "Halve weekend response times on Facebook and X by adding two advisers on Saturday and "
            "Sunday.",
            "do_step": "Two cross-trained phone advisers covered 8am–8pm at weekends for two weeks, using the new "
            "saved replies.",
            "check_step": "Median first response fell from 213 to 96 minutes; weekend complaints escalated to "
            "the head of service fell from 9 to 3.",
            "act_step": "Keep the rota, add monitoring alerts so spikes are seen sooner, and target 45 minutes.",
            "metric_key": "median_first_response",
            "value_before": D("213"),
            "value_after": D("96"),
        },
        {
            "title": "Saved replies for delivery slots",
            "started_on": start + timedelta(days=42),
            "reviewed_on": start + timedelta(days=56),
            "plan_step": "Resolve more slot queries in the first reply.",
            "do_step": "Gave advisers read access to the booking screen and three saved replies for rebooking.",
            "check_step": "First contact resolution rose from 35% to 48%; customers still wait for a call back "
            "when the crew is already out.",
            "act_step": "Ask logistics for live crew ETAs in the booking screen.",
            "metric_key": "fcr",
            "value_before": D("35"),
            "value_after": D("48"),
        },
    ]


AMIRA_PITCH = {
    "audience": "Head of customer service and the operations board",
    "headline": "Answering customers on social media within the hour will cut failed deliveries and "
    "bring them back to buy again.",
    "response_time_now": D("213"),
    "response_time_projected": D("45"),
    "cost_per_contact_now": D("4.80"),
    "cost_per_contact_projected": D("3.10"),
    "retention_now": D("22"),
    "retention_projected": D("27"),
    "nps_now": 18,
    "nps_projected": 30,
    "dissemination_benefits": "One post reaches tens of thousands of customers at once: delivery "
    "disruption, product recalls and care advice reach people before they phone us.",
    "dissemination_drawbacks": "Messages can be misread or taken out of context, posts stay public, and "
    "algorithms decide who sees them, so urgent notices still need e-mail and SMS.",
    "engagement_consequences": "Engaging publicly shows other customers we fix problems, earns reviews and "
    "lowers phone demand; in return we commit to answering every day, in public view, and to keeping the "
    "promises we make there.",
    "ongoing_dialogue": "Follow up every resolved complaint after a week, invite feedback on new ranges, "
    "share customers’ room photos with permission, and run a monthly ‘ask the assembly team’ live session.",
    "champion_actions": "I will lead the weekend pilot, coach advisers on the brand voice, report KPIs "
    "monthly to this board, and share what works with logistics and marketing.",
    "risks": "Public mistakes, data protection slips and weekend capacity are the main risks; each has an "
    "owner, a mitigation and a residual score in the risk register, and the crisis framework covers a "
    "viral complaint.",
    "ask": "Approve £31,000 for the first year, the weekend rota, and adviser access to the booking screen.",
    "speaker_notes": {
        "opening": "Thank the board for the time. One sentence on why I am here: last winter we lost "
        "customers we had already won, because nobody answered them on Facebook at the weekend.",
        "benefits": "Stress the first response figure: three and a half hours down to 45 minutes. Then the money: "
        "£1.70 less per contact, about £20,000 a year at today's volumes.",
        "evidence": "Walk through the pilot: the follow-up weeks are after the weekend rota started. "
        "Point at the response rate and the time to first response; admit volume went up too.",
        "messages": "Keep it balanced: social reaches people fast, but urgent notices still go by e-mail and SMS.",
        "engagement": "The commitment is the point: answering in public every day. Ask who owns it at weekends.",
        "risks": "Show the heat map: one risk sits in the high band, and like every other it has an owner "
        "and a mitigation. Name the crisis framework before anyone asks about a viral complaint.",
        "actions": "Finish on the ask: £31,000, the rota and booking-screen access. Then stop and wait for questions.",
    },
}
