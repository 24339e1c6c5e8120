# ruff: noqa: E501 -- demo prose reads better unwrapped
"""Daniel Okafor's story: Parkway Leisure, a chain of leisure centres.

Daniel started early in the cohort, moved class-booking questions from a slow e-mail
queue to Instagram and WhatsApp with a same-day service level, measured it, submitted
his portfolio and was signed off. Everything here is his own organisation's; the
builders in ``demo.audit``, ``demo.strategy`` and ``demo.evidence`` save it through the
services, as he would have.

Days are "days ago" in the demo's calendar (``demo.timeline.story_day``): his change
started 42 days ago, his data runs from 56 to 29 days ago, and everything comes before
his submission 12 days ago.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from demo.evidence_files import bar_chart_png, note_pdf, post_png

D = Decimal
ORGANISATION = "Parkway Leisure"
CHANGE_DAYS_AGO = 42  # the Monday his class-booking replies moved to a same-day service level
SUBMITTED_DAYS_AGO = 12

# --- Audit ------------------------------------------------------------------------------------

PROFILE = {
    "name": ORGANISATION,
    "sector": "Leisure: gyms, swimming pools and fitness classes",
    "size_and_locations": "14 leisure centres across the West Midlands, about 600 staff; a customer "
    "hub of 12 advisers in Walsall.",
    "service_offer": "Memberships, class and swim bookings, children's lessons and facility hire, "
    "supported by the app, phone, e-mail and social media.",
    "products": "Monthly and annual memberships, pay-as-you-go classes, swimming lessons, courts and "
    "party bookings.",
}
PROCESSES = [
    (
        "Class bookings",
        "Members book in the app; full classes have a waiting list that moves by e-mail.",
        "App, e-mail, Instagram",
        "Waiting-list questions wait two days in the e-mail queue.",
    ),
    (
        "Membership freezes and cancellations",
        "Requests by e-mail, checked against the contract by the hub.",
        "E-mail, phone",
        "Members complain publicly when a freeze is missed.",
    ),
    (
        "Swimming lessons",
        "Parents book terms of lessons; changes go through the centre desk.",
        "Phone, Facebook",
        "Parents ask on Facebook because the desk phone is busy.",
    ),
    (
        "Facility faults",
        "Centre duty managers log faults (pool closures, broken machines).",
        "Facebook, X",
        "Closures posted late, so members arrive to a closed pool.",
    ),
]
PRESENCE = [
    (
        "instagram",
        "@parkwayleisure",
        21000,
        540,
        200,
        "Mon–Fri 9:00–17:00",
        "Class questions in DMs and comments.",
        "Gym chains answer class questions in DMs within the hour.",
    ),
    (
        "facebook",
        "Parkway Leisure",
        34000,
        410,
        480,
        "Mon–Fri 9:00–17:00",
        "Parents ask about swimming lessons; closure notices.",
        "Councils' leisure trusts post closures first on Facebook.",
    ),
    (
        "whatsapp",
        "Parkway Bookings",
        900,
        160,
        45,
        "Mon–Fri 7:00–21:00",
        "Pilot at Bloxwich: booking confirmations and questions.",
        "Budget gyms confirm bookings and waiting-list places by WhatsApp.",
    ),
    (
        "x",
        "@ParkwayHelp",
        3800,
        90,
        900,
        "Weekdays, when someone is free",
        "Mostly complaints about closures.",
        "Used for service updates and apologies.",
    ),
    (
        "tiktok",
        "@parkwayleisure",
        5200,
        60,
        900,
        "Not covered",
        "Class clips from instructors; comments read once a week.",
        "Gym chains answer timetable questions in the comments.",
    ),
    (
        "trustpilot",
        "Parkway Leisure",
        800,
        110,
        2880,
        "Weekly review",
        "Reviews of the centres answered once a week.",
        "Leisure trusts reply to every review within two days.",
    ),
]
SEGMENTS = [
    (
        "Class regulars",
        "25–44, monthly members, book three or more classes a week",
        "Instagram, WhatsApp",
        "Waiting lists, class changes, instructor news",
        "Quick answers about places; no surprises",
    ),
    (
        "Parents of young swimmers",
        "30–50, book terms of lessons for children",
        "Facebook",
        "Lesson changes, pool closures, progress badges",
        "Clear notice of closures; a person who knows the lesson",
    ),
    (
        "Older members",
        "60+, daytime swimmers and walkers",
        "Facebook, phone",
        "Timetable questions, accessibility",
        "Plain answers, phone still available",
    ),
]
COMMUNITIES = [
    (
        "Walsall Mums network",
        "facebook",
        18000,
        "Local parents sharing recommendations for activities.",
        "Swimming lesson reviews shape bookings for a whole term.",
    ),
    (
        "West Midlands running club",
        "facebook",
        4200,
        "Runners who use our tracks and gyms.",
        "Members post about opening hours and track closures.",
    ),
]
COMPETITORS = [
    (
        "FitHub Gyms",
        "instagram",
        88000,
        "Answers DMs within the hour, waiting-list alerts by app.",
        "Fast, friendly DMs",
        "No phone line at all",
    ),
    (
        "FitHub Gyms",
        "whatsapp",
        0,
        "Booking confirmations and waiting-list places by WhatsApp.",
        "Members never miss a place",
        "Automated only",
    ),
    (
        "Brookvale Leisure Trust",
        "facebook",
        26000,
        "Posts every closure by 7am with the reason.",
        "Trusted closure notices",
        "Slow replies to comments",
    ),
]
GAPS = [
    (
        "Class-booking questions wait two days",
        "Median first reply of 197 minutes across our channels, twice that at weekends; complaints about lost waiting-list places.",
        "Answer class questions on Instagram and WhatsApp the same day, with the booking screen open.",
        "high",
    ),
    (
        "Pool closures are announced late",
        "Members post photos of closed doors before we post the closure.",
        "Duty managers post closures on Facebook and X by 7am with the reason.",
        "high",
    ),
    (
        "No shared saved replies",
        "Advisers write the same freeze answer ten different ways.",
        "A saved-reply library for freezes, waiting lists and lessons.",
        "medium",
    ),
]
NOTES = {
    "presence": "Instagram and Facebook are answered natively by two hub advisers between e-mails; X is barely watched.",
    "customers": "Segments from the membership system's age bands and a 300-member survey in the centres.",
    "communities": "Two local Facebook groups talk about us every week; we read them but do not post.",
    "competitors": "FitHub's WhatsApp waiting-list messages and Brookvale's 7am closure posts are the ideas worth copying.",
    "gaps": "The class-booking delay comes first: it causes most complaints and lost places. Closure notices next.",
}

# --- Strategy ------------------------------------------------------------------------------

VISION = {
    "role_of_social": "For Parkway Leisure social media is where members ask about classes and closures first. It becomes a same-day service channel for bookings, lessons and facility news, alongside the app and the phone.",
    "components_scope": "Instagram, Facebook, X and a new WhatsApp booking line. Components: triage, saved replies, closure notices, KPIs and a monthly review with the centre managers.",
    "organisational_links": "Centre duty managers (closures), the bookings system team, marketing (class launches) and HR (hub rota).",
    "brand_values": "Parkway's promise is ‘active for everyone’: welcoming, local, reliable. Replies must sound like a friendly receptionist, not a call centre.",
    "vision_statement": "By next summer every Parkway member who asks about a class, a lesson or a closure on social media gets a friendly, accurate answer the same day.",
    "operating_environment": "Budget gyms answer in minutes; the council contract measures member satisfaction; the hub has 12 advisers and no extra budget this year.",
    "business_fit": "The business plan aims to lift membership renewals from 68% to 74%; lost class places are the top reason members give for leaving.",
    "owned_media": "Instagram (21,000), Facebook (34,000), X (3,800), the Parkway app and website.",
    "earned_media": "Google reviews of each centre, local Facebook groups and parents' recommendations.",
    "paid_media": "Facebook adverts for January memberships and summer swimming courses, run by marketing.",
    "promotion_vs_service": "Marketing schedules promotions; the hub answers service questions from a shared inbox. No promotion is posted during a closure, and complaints never get a sales reply.",
}


def objectives(today: date, change: date) -> list[dict[str, Any]]:
    return [
        {
            "statement": "Cut the median first response to members on our social channels from 197 minutes to 90 minutes.",
            "metric_key": "median_first_response",
            "baseline": D("197"),
            "target": D("90"),
            "start": change,
            "deadline": today + timedelta(days=90),
            "owner": "Daniel Okafor, customer hub supervisor",
            "business_objective": "Lift membership renewals from 68% to 74%.",
        },
        {
            "statement": "Raise the share of social messages from members answered within our four-hour service level from 46% to 85%.",
            "metric_key": "within_sla",
            "baseline": D("46"),
            "target": D("85"),
            "start": change,
            "deadline": today + timedelta(days=90),
            "owner": "Customer hub manager",
            "business_objective": "Meet the council contract's member satisfaction target.",
        },
    ]


WEIGHTS = {
    "weight_audience_fit": D("30"),
    "weight_customer_usage": D("30"),
    "weight_service_features": D("20"),
    "weight_cost": D("10"),
    "weight_staffing": D("10"),
    "justification": "Instagram and WhatsApp lead because class regulars use them daily and both have private messages; Facebook stays for parents and closure notices; X only for service updates because few members use it.",
}
PLATFORMS = [
    {
        "platform": "Instagram",
        "audience_fit": 5,
        "customer_usage": 5,
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
        "platform": "Facebook",
        "audience_fit": 4,
        "customer_usage": 4,
        "service_features": 4,
        "cost": 4,
        "staffing": 3,
    },
    {
        "platform": "X",
        "audience_fit": 2,
        "customer_usage": 2,
        "service_features": 3,
        "cost": 4,
        "staffing": 2,
    },
]
RISKS = [
    {
        "category": "data_security",
        "description": "An adviser confirms a member's booking details or a child's lesson in a public comment.",
        "likelihood": 3,
        "impact": 4,
        "owner": "Customer hub supervisor",
        "mitigation": "Move to private messages for any member detail; saved replies never name a child.",
        "residual_likelihood": 1,
        "residual_impact": 4,
    },
    {
        "category": "negative_publicity",
        "description": "A pool closure with no notice is shared in the local parents' group.",
        "likelihood": 4,
        "impact": 3,
        "owner": "Centre managers",
        "mitigation": "Closure posts by 7am with the reason; an approved apology template.",
        "residual_likelihood": 2,
        "residual_impact": 2,
    },
    {
        "category": "regulation",
        "description": "A January offer post omits the contract terms, or a freeze reply misstates members' cancellation rights.",
        "likelihood": 2,
        "impact": 3,
        "owner": "Marketing manager",
        "mitigation": "Terms link on every offer; freeze wording agreed with the contracts team.",
        "residual_likelihood": 1,
        "residual_impact": 3,
    },
    {
        "category": "staffing",
        "description": "January's new-member rush overwhelms the hub.",
        "likelihood": 4,
        "impact": 3,
        "owner": "Customer hub manager",
        "mitigation": "Two centre receptionists trained to answer WhatsApp in quiet hours.",
        "residual_likelihood": 2,
        "residual_impact": 2,
    },
]
REGULATION = [
    {
        "improvement": "Class-booking answers on Instagram and WhatsApp the same day.",
        "consumer_rights_status": "complies",
        "consumer_rights_note": "Waiting-list and cancellation answers follow the membership terms.",
        "data_protection_status": "action",
        "data_protection_note": "WhatsApp opt-in at booking; no children's names in any message.",
        "equality_status": "complies",
        "equality_note": "Phone and desk bookings stay for members who do not use social media.",
        "advertising_status": "n/a",
        "advertising_note": "",
        "platform_terms_status": "complies",
        "platform_terms_note": "WhatsApp used for service messages only, inside the 24-hour window.",
    },
]
PLAN = {
    "roles": "Daniel Okafor (hub supervisor)\nHub advisers\nCustomer hub manager\nCentre managers\nMarketing manager",
    "escalation_path": "Adviser → Daniel (within an hour) for safeguarding, injuries or complaints about staff → customer hub manager → head of leisure for anything the press might pick up.",
    "crisis_framework": "1. Detect: alerts on the centre names. 2. Hold: an approved holding post within 30 minutes. 3. Assess with the centre manager. 4. Respond on every channel with one message. 5. Review within a week.",
    "brand_voice": "Welcoming, local and reliable: a friendly receptionist who knows the timetable.",
    "voice_do": "“Hi Sam, good news: you're next on the waiting list for Tuesday's spin class. I'll message you here the moment a place opens. Daniel”",
    "voice_dont": "“Please refer to the app.” (cold, no answer)\nNever discuss a member's account in public.",
    "training_needs": "Hub advisers: saved replies and the booking screen; receptionists: WhatsApp basics; duty managers: closure posts.",
    "technology": "Shared social inbox, WhatsApp Business, read access to the booking system, saved-reply library.",
    "capability_review": "Today two advisers answer social media between e-mails, Monday to Friday. The strategy works if social is a named duty on the rota every day, advisers can see bookings, and duty managers post closures themselves.",
}
RACI = [
    (
        "Set up the shared inbox and WhatsApp line",
        {"Daniel Okafor (hub supervisor)": "R", "Customer hub manager": "A", "Hub advisers": "I"},
    ),
    (
        "Write saved replies for classes and lessons",
        {"Daniel Okafor (hub supervisor)": "A", "Hub advisers": "R", "Marketing manager": "C"},
    ),
    (
        "Closure posts by 7am",
        {"Centre managers": "R", "Daniel Okafor (hub supervisor)": "A", "Hub advisers": "I"},
    ),
]
PROTOCOLS = [
    {
        "platform": "Instagram",
        "first_response_minutes": 120,
        "hours_covered": "Every day 7am–9pm",
        "approach": "Answer class questions in DMs with the booking screen open.",
    },
    {
        "platform": "WhatsApp Business",
        "first_response_minutes": 60,
        "hours_covered": "Every day 7am–9pm",
        "approach": "Waiting-list places and booking changes in the chat.",
    },
    {
        "platform": "Facebook",
        "first_response_minutes": 240,
        "hours_covered": "Every day 7am–9pm",
        "approach": "Closure posts by 7am; parents' questions moved to Messenger.",
    },
]
BUDGET = [
    {"item": "Shared social inbox (12 months)", "amount": D("3600.00"), "notes": "4 seats"},
    {"item": "Receptionist training", "amount": D("900.00"), "notes": "Two half-days"},
]


def tasks(change: date) -> list[dict[str, Any]]:
    def span(offset: int, days: int) -> dict[str, date]:
        return {"start": change + timedelta(days=offset), "end": change + timedelta(days=offset + days)}

    return [
        {"task": "Agree the same-day service level", "owner": "Daniel", **span(-14, 7)},
        {"task": "Shared inbox and saved replies", "owner": "Daniel", **span(-7, 7)},
        {"task": "Same-day class-booking replies", "owner": "Hub advisers", **span(0, 21)},
        {"task": "First review of the figures", "owner": "Daniel", **span(14, 7)},
    ]


def cycles(change: date) -> list[dict[str, Any]]:
    return [
        {
            "title": "Same-day replies to class-booking questions",
            "started_on": change,
            "reviewed_on": change + timedelta(days=16),
            "plan_step": "Answer class-booking questions on Instagram within two hours with the booking screen open.",
            "do_step": "Advisers took turns on the shared inbox every day from 7am with six saved replies.",
            "check_step": "The median first response fell from 197 to 104 minutes and three in four messages were answered within four hours; complaints about lost waiting-list places stopped.",
            "act_step": "Offer waiting-list places by WhatsApp so members hear first.",
            "metric_key": "median_first_response",
            "value_before": D("197"),
            "value_after": D("104"),
        },
    ]


PITCH = {
    "audience": "The head of leisure and the centre managers",
    "headline": "Answering members the same day on Instagram and WhatsApp keeps class places filled and members renewing.",
    "response_time_now": D("197"),
    "response_time_projected": D("90"),
    "cost_per_contact_now": D("3.90"),
    "cost_per_contact_projected": D("2.60"),
    "retention_now": D("68"),
    "retention_projected": D("74"),
    "nps_now": 12,
    "nps_projected": 25,
    "dissemination_benefits": "A closure post reaches thousands of members before they set off.",
    "dissemination_drawbacks": "Not every member follows us; the app notification and the desk still matter.",
    "engagement_consequences": "Answering in public shows we listen; it also commits us to answering every day.",
    "ongoing_dialogue": "Monthly timetable polls on Instagram and a parents' Q&A each swimming term.",
    "champion_actions": "I will run the rota, coach the receptionists and report the figures monthly to the centre managers.",
    "risks": "Members' and children's data in public replies, and January's rush; both have owners and mitigations.",
    "ask": "Keep social media as a daily rota duty and approve £4,500 for the inbox and training.",
}

# --- Evidence ---------------------------------------------------------------------------------


def file_specs() -> list[dict[str, Any]]:
    return [
        {
            "title": "Instagram reply times before the change",
            "name": "parkway-instagram-before.png",
            "content": lambda: bar_chart_png(
                "Median first reply on Instagram, by weekday (baseline)",
                [
                    ("Mon", 150),
                    ("Tue", 165),
                    ("Wed", 160),
                    ("Thu", 170),
                    ("Fri", 190),
                    ("Sat", 310),
                    ("Sun", 345),
                ],
                "min",
            ),
            "description": "From the shared inbox export: class questions waited hours, most at weekends.",
            "platform": "instagram",
            "days_ago": 43,
            "map": {
                "CFACSD22": {
                    "P7": "The gap I set out to close: class-booking replies.",
                    "K14": "Uses median first response as the measure.",
                }
            },
        },
        {
            "title": "Closure notice for Bloxwich pool",
            "name": "parkway-closure-post.png",
            "content": lambda: post_png(
                "Facebook · Parkway Leisure · closure notice",
                [
                    ("@ParkwayLeisure", "Bloxwich pool is closed today for a pump repair."),
                    ("Member", "Thanks for posting before I set off!"),
                ],
            ),
            "description": "A closure posted at 6:50am under the new routine.",
            "platform": "facebook",
            "days_ago": 30,
            "map": {"CSSMS": {"3.1": "Shows the benefit of getting a message out to members fast."}},
        },
        {
            "title": "Briefing for the centre managers (PDF)",
            "name": "parkway-briefing.pdf",
            "content": lambda: note_pdf(
                "Same-day replies — briefing for centre managers",
                [
                    "Members wait over three hours for a first reply, longer at weekends.",
                    "Members lose waiting-list places and tell their friends.",
                    "Proposal: social media as a daily rota duty,",
                    "saved replies, and WhatsApp for waiting lists.",
                ],
            ),
            "description": "What I presented before the change.",
            "days_ago": 45,
            "map": {
                "CFACSD22": {
                    "P9": "Plans enhanced use of social media from the data.",
                    "K9": "Shows how I developed the improvement.",
                }
            },
        },
    ]


def reflection_specs() -> list[dict[str, Any]]:
    return [
        {
            "title": "Why class questions waited so long",
            "days_ago": 52,
            "body": "Instagram messages at Parkway Leisure were answered after the e-mail queue, so a question about Tuesday's spin class was often answered on Wednesday. The fix was a rota, not a new app.",
            "map": {
                "CFACSD22": {
                    "P7": "Defines the improvement from what I found.",
                    "K1": "Analyses the class-booking process.",
                }
            },
        },
        {
            "title": "Children's details never go in public",
            "days_ago": 38,
            "body": "Parents often name their child and the lesson in a comment. I reply without repeating either and move to Messenger. This follows the Data Protection Act 2018.",
            "map": {
                "CFACSD22": {
                    "P8": "Checks our replies comply with data protection law.",
                    "K8": "Explains the regulation that applies.",
                }
            },
        },
        {
            "title": "Presenting the results to the centre managers",
            "days_ago": 20,
            "body": "I showed the before-and-after figures: median first reply down from 197 to 104 minutes. I asked for WhatsApp waiting-list messages next and offered to train the receptionists.",
            "map": {
                "CSSMS": {
                    "3.4": "Acting as champion with the managers.",
                    "1.6": "Evaluates how social media now contributes.",
                },
                "CFACSD22": {"P14": "Identifies the next improvement."},
            },
        },
    ]


def transcript_specs() -> list[dict[str, Any]]:
    return [
        {
            "title": "Lost waiting-list place, answered the same morning",
            "platform": "instagram",
            "visibility": "private",
            "scenario": "complaint",
            "origin": "real",
            "days_ago": 35,
            "description": "A member missed a spin class place because the e-mail came too late.",
            "messages": [
                (
                    "c",
                    0,
                    8,
                    5,
                    "Got an email saying a place came up at 6pm. Read it at 7. Class gone. Again.",
                    "",
                    "",
                ),
                (
                    "o",
                    0,
                    8,
                    40,
                    "That's frustrating, and I'm sorry. I'm checking the waiting list for you now.",
                    "acknowledge",
                    "Replied within the hour under the new rota; no account details asked.",
                ),
                (
                    "o",
                    0,
                    9,
                    2,
                    "You're first for Thursday's 6pm class. I've booked it and you'll get a confirmation in the app.",
                    "resolve",
                    "Used the booking screen to fix it in the same conversation.",
                ),
                (
                    "o",
                    3,
                    10,
                    0,
                    "Hope Thursday's class went well!",
                    "follow_up",
                    "Followed up after the class to close the loop.",
                ),
            ],
            "map": {
                "CFACSD22": {
                    "P12": "The improved process in action.",
                    "K7": "A private conversation where the details belong.",
                }
            },
        },
        {
            "title": "A parent thanks the swimming teachers",
            "platform": "facebook",
            "visibility": "public",
            "scenario": "positive",
            "origin": "real",
            "days_ago": 31,
            "description": "Positive feedback on a lesson post.",
            "messages": [
                ("c", 0, 17, 30, "Stage 3 badge today! The teachers at Bloxwich are brilliant.", "", ""),
                (
                    "o",
                    0,
                    17,
                    52,
                    "Congratulations! We'll pass this on to the team, they'll be thrilled.",
                    "",
                    "Warm reply that names no child in public.",
                ),
            ],
            "map": {
                "CFACSD22": {"K6": "A public reply with a positive impact."},
                "CSSMS": {"1.3": "Reflects our welcoming brand."},
            },
        },
        {
            "title": "Freezing a membership during an injury",
            "platform": "whatsapp",
            "visibility": "private",
            "scenario": "complex",
            "origin": "simulated",
            "days_ago": 26,
            "description": "Role-play with my manager: a freeze request outside the normal terms.",
            "messages": [
                (
                    "c",
                    0,
                    11,
                    0,
                    "I've broken my wrist and can't train for 10 weeks. Can I freeze? The app says 8 weeks max.",
                    "",
                    "",
                ),
                (
                    "o",
                    0,
                    11,
                    12,
                    "Sorry to hear that. Let me check what we can do beyond eight weeks.",
                    "acknowledge",
                    "Honest about the limit without closing the door.",
                ),
                (
                    "o",
                    0,
                    11,
                    45,
                    "With a doctor's note we can freeze for up to 12 weeks. Send it here when you have it.",
                    "resolve",
                    "Checked the contract with the contracts team rather than guessing.",
                ),
            ],
            "map": {"CFACSD22": {"K2": "Applies our membership terms to an unusual case."}},
        },
    ]


def service_data_start(change: date) -> date:
    return change - timedelta(days=14)
