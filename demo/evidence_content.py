"""The demo learner's evidence, as data: what each item says and the criteria it proves.

Criteria notes are in the learner's voice. Kept apart from ``demo.evidence`` (which builds
the items) so the story can be read and edited on its own.
"""

# ruff: noqa: E501 - sentences of demo content read better unbroken

from __future__ import annotations

from typing import Any

from demo.evidence_files import bar_chart_png, note_pdf, post_png, rota_xlsx, volumes_csv
from demo.timeline import story_day

# --- Content --------------------------------------------------------------------------------


def file_specs() -> list[dict[str, Any]]:
    return [
        {
            "title": "Weekend response times on X before the change",
            "name": "x-weekend-response-times.png",
            "content": lambda: bar_chart_png(
                "Median first response on X, by weekday (baseline weeks)",
                [("Mon", 48), ("Tue", 41), ("Wed", 45), ("Thu", 52), ("Fri", 66), ("Sat", 312), ("Sun", 390)],
                "min",
            ),
            "description": "Export from our social inbox showing how slow weekend replies were.",
            "platform": "x",
            "days_ago": 29,
            "map": {
                "CFACSD22": {
                    "P3": "Shows how we currently use X for service: replies on weekdays, little cover at weekends.",
                    "P7": "The weekend gap is the improvement I went on to define.",
                    "K14": "Uses median first response time as the metric.",
                },
                "CSSMS": {"1.6": "Shows how slow weekend replies hurt service performance."},
            },
        },
        {
            "title": "Screenshot: public reply to a damaged-table review",
            "name": "facebook-review-reply.png",
            "content": lambda: post_png(
                "Facebook · Fernleaf Home page · review thread",
                [
                    ("Customer", "Table arrived with a split leg. Not impressed."),
                    ("@FernleafHome", "Sorry to see this. We've sent you a message to put it right."),
                    ("Customer", "Replacement came Friday, crew were great. Thanks."),
                ],
            ),
            "description": "A public reply that moved the details to private messages.",
            "platform": "facebook",
            "days_ago": 55,
            "map": {
                "CFACSD22": {"K7": "Shows how a public thread and a private message work together."},
                "CSSMS": {"3.2": "Shows the benefit of engaging in public: other customers saw it resolved."},
            },
        },
        {
            "title": "Instagram poll: which delivery updates customers want",
            "name": "instagram-poll.png",
            "content": lambda: bar_chart_png(
                "Instagram story poll (2,140 votes)",
                [("Text", 38), ("WhatsApp", 46), ("E-mail", 11), ("None", 5)],
                "%",
            ),
            "description": "Poll I ran to test demand for WhatsApp delivery updates.",
            "platform": "instagram",
            "days_ago": 48,
            "map": {
                "CFACSD22": {
                    "P4": "Profiles how our Instagram followers prefer to hear about deliveries.",
                    "K5": "Uses a poll to profile customers on one platform.",
                },
                "CSSMS": {"2.2": "Tests which engagement method suits customers before choosing it."},
            },
        },
        {
            "title": "Trustpilot rating, last twelve months",
            "name": "trustpilot-trend.png",
            "content": lambda: bar_chart_png(
                "Trustpilot average rating by quarter",
                [("Q1", 3.8), ("Q2", 3.9), ("Q3", 4.0), ("Q4", 4.1)],
                "★",
            ),
            "description": "Rating trend used as a baseline for the strategy.",
            "platform": "reviews",
            "days_ago": 54,
            "map": {
                "CFACSD22": {"P13": "Part of the monitoring baseline for the improvements."},
                "CSSMS": {"1.6": ""},  # claimed only: the learner has not yet said how
            },
        },
        {
            "title": "Social contact volumes and response times (CSV)",
            "name": "social-volumes-before-after.csv",
            "content": lambda: volumes_csv(story_day(49)),
            "description": "Weekly export before and after the weekend rota, by platform.",
            "days_ago": 6,
            "map": {
                "CFACSD22": {
                    "P13": "The data I used to monitor the effect of the weekend rota.",
                    "K12": "Shows which data I selected: volume, first response, resolutions.",
                    "K13": "Before-and-after weeks side by side show the effect.",
                },
            },
        },
        {
            "title": "Escalation notes for weekend advisers",
            "name": "escalation-notes.txt",
            "content": lambda: (
                "Weekend escalation on social channels\n\n"
                "1. Safety, injury or damage to property: call the duty team leader at once.\n"
                "2. A post going viral (over 50 shares): hold, use the approved holding line, escalate.\n"
                "3. Refunds over £500: log and pass to the Monday refunds team.\n"
                "4. Never ask for card details in public or in private messages.\n"
            ).encode(),
            "description": "Procedure I drafted with the duty team leaders.",
            "days_ago": 35,
            "map": {
                "CFACSD22": {
                    "P11": "A procedure I contributed for weekend social customer service.",
                    "K11": "Shows how I devised and presented the procedure.",
                },
                "CSSMS": {
                    "3.5": "Names the risks (safety, virality, payment data) and what to do about each."
                },
            },
        },
        {
            "title": "Delivery complaints: one-page briefing (PDF)",
            "name": "delivery-complaints-briefing.pdf",
            "content": lambda: note_pdf(
                "Delivery complaints on social media — briefing",
                [
                    "Most complaints on X are about missed delivery slots (41%)",
                    "and items damaged in transit (27%).",
                    "Customers expect a first reply within the hour, even at weekends.",
                    "Proposal: a weekend rota, a holding line for delays,",
                    "and WhatsApp updates on the day of delivery.",
                ],
            ),
            "description": "Briefing I gave the operations manager.",
            "days_ago": 45,
            "map": {
                "CFACSD22": {
                    "P1": "Analyses delivery booking, our most complained-about process.",
                    "K1": "Shows how I analysed the process from complaint data.",
                    "P9": "Plans enhanced use of social media from the data reviewed.",
                },
                "CSSMS": {"2.1": "Weighs the factors (volumes, expectations, staffing) behind the strategy."},
            },
        },
        {
            "title": "Weekend rota proposal (spreadsheet)",
            "name": "weekend-rota.xlsx",
            "content": rota_xlsx,
            "description": "Who covers which platform at the weekend, with the escalation contact.",
            "days_ago": 38,
            "map": {
                "CFACSD22": {
                    "P10": "Allocates responsibilities with colleagues for the weekend cover.",
                    "K10": "Shows the teamwork the improvement depends on.",
                },
                "CSSMS": {"2.6": "Tests whether the team structure can deliver weekend cover."},
            },
        },
        {
            "title": "Response times after the weekend rota",
            "name": "x-weekend-after.png",
            "content": lambda: bar_chart_png(
                "Median first response on X, by weekday (follow-up weeks)",
                [("Mon", 35), ("Tue", 31), ("Wed", 33), ("Thu", 38), ("Fri", 44), ("Sat", 58), ("Sun", 64)],
                "min",
            ),
            "description": "The same export, three weeks after the rota started.",
            "platform": "x",
            "days_ago": 7,
            "map": {
                "CFACSD22": {
                    "P13": "Monitors the effect: weekend replies fell from over five hours to about an hour.",
                    "P14": "The review that led to the next improvement (Sunday evening cover).",
                },
            },
        },
    ]


def reflection_specs() -> list[dict[str, Any]]:
    return [
        {
            "title": "Why weekend replies on X were so slow",
            "days_ago": 50,
            "body": (
                "## What I found\n\nOur X account is mostly complaints about deliveries, and nobody was "
                "rostered on social at weekends. Posts from Friday evening waited until Monday.\n\n"
                "## What I did\n\n- Read back through a month of X posts in the inbox\n"
                "- Compared weekday and weekend figures\n- Took the numbers to my manager\n\n"
                "## What I learnt\n\nThe fix was not a new tool but a rota. **Data made the case.**"
            ),
            "map": {
                "CFACSD22": {
                    "P7": "Defines the improvement: weekend cover on X and Facebook.",
                    "K9": "Shows how I developed the improvement from evidence.",
                },
                "CSSMS": {"2.1": "Reflects on capacity as a factor in the strategy."},
            },
        },
        {
            "title": "Public reply or private message?",
            "days_ago": 52,
            "body": (
                "I used to answer everything in public. Now I **acknowledge in public** so others see "
                "we care, then move to a private message for anything with an order or an address. "
                "Customers' details never belong in a public thread."
            ),
            "map": {
                "CFACSD22": {
                    "K7": "Explains how public and private communications work on each platform.",
                    "K8": "Applies data protection when choosing where to reply.",
                },
                "CSSMS": {"3.3": "Keeps the dialogue going in the right place."},
            },
        },
        {
            "title": "Learning from the damaged-sofa complaint",
            "days_ago": 30,
            "body": (
                "The customer was angry and right. I followed the four steps: acknowledge, "
                "investigate with the delivery crew, resolve with a replacement, follow up a week later.\n\n"
                "Next time I would offer the replacement date in my first private message."
            ),
            "map": {
                "CFACSD22": {"P12": "Shows me putting the new complaint procedure into practice."},
                "CSSMS": {"3.2": "Weighs the consequences of engaging with an angry customer in public."},
            },
        },
        {
            "title": "Championing social customer service with the managers",
            "days_ago": 4,
            "body": (
                "I presented the before-and-after figures to the contact centre managers: weekend "
                "first response down from 5 hours to about an hour, with two advisers.\n\n"
                "I offered to coach each team on our brand voice, and asked for Sunday evening cover."
            ),
            "map": {
                "CSSMS": {
                    "3.4": "Shows me acting as champion: presenting results and asking for more.",
                    "3.1": "Weighs the benefits against the cost of two advisers at weekends.",
                },
                "CFACSD22": {"K6": "Explains why fast, visible replies make an impact."},
            },
        },
        {
            "title": "A holding statement for the crisis simulation",
            "days_ago": 25,
            "body": (
                "We had no crisis plan. In the simulation I drafted a holding line within 20 minutes, "
                "agreed it with the head of customer service, and pinned it on X and Facebook.\n\n"
                "I learnt that speed matters more than detail in the first hour."
            ),
            "map": {
                "CSSMS": {"3.5": "Analyses the risk of negative publicity and how to contain it."},
                "CFACSD22": {"P11": ""},  # claimed only
            },
        },
        {
            "title": "Customers who post their order details",
            "days_ago": 35,
            "body": (
                "Some customers post their order number and postcode in public. I now reply without "
                "repeating them, ask them to delete the post, and continue in a private message. "
                "This follows the Data Protection Act 2018."
            ),
            "map": {
                "CFACSD22": {
                    "P8": "Checks that our social replies comply with data protection law.",
                    "K8": "Shows which regulation applies and how.",
                },
            },
        },
        {
            "title": "My PDCA cycle on the weekend backlog",
            "days_ago": 6,
            "body": (
                "**Plan**: weekend rota of two advisers. **Do**: ran it for three weeks. **Check**: median "
                "first response fell from 312 to 58 minutes on Saturdays. **Act**: asked for Sunday evening "
                "cover, the slowest remaining slot."
            ),
            "map": {
                "CFACSD22": {
                    "P14": "Reviews the data and identifies the next improvement.",
                    "K13": "Shows how I monitored the effect of the change.",
                },
                "CSSMS": {"1.6": "Evaluates how our use of social media now contributes to performance."},
            },
        },
    ]


def link_specs() -> list[dict[str, Any]]:
    return [
        {
            "title": "Oakhurst Living's customer service on X",
            "url": "https://x.com/oakhurstliving",
            "platform": "x",
            "description": "Competitor account I reviewed: replies within the hour, seven days a week.",
            "days_ago": 55,
            "map": {
                "CSSMS": {"2.3": "Competitor presence on X: faster and seven days a week."},
                "CFACSD22": {"P3": "Shows how others use X for customer service."},
            },
        },
        {
            "title": "Loft & Linen on TikTok",
            "url": "https://www.tiktok.com/@loftandlinen",
            "platform": "tiktok",
            "description": "Competitor using TikTok for assembly tips.",
            "days_ago": 54,
            "map": {"CSSMS": {"2.3": "Competitor activity on a platform we have only just joined."}},
        },
        {
            "title": "ICO guidance on personal information",
            "url": "https://ico.org.uk/for-organisations/",
            "description": "Guidance I used for the data protection check.",
            "days_ago": 36,
            "map": {"CFACSD22": {"P8": "The regulator's guidance I checked our proposals against."}},
        },
        {
            "title": "Consumer Rights Act 2015",
            "url": "https://www.legislation.gov.uk/ukpga/2015/15/contents",
            "description": "Customers' rights on faulty and damaged goods.",
            "days_ago": 36,
            "map": {"CFACSD22": {"K8": ""}},  # claimed only
        },
        {
            "title": "Fernleaf Home delivery help page",
            "url": "https://www.fernleafhome.co.uk/help/delivery",
            "description": "The page our social replies link to for delivery slots.",
            "days_ago": 56,
            "map": {"CFACSD22": {"K2": "Sets out our delivery, assembly and returns services."}},
        },
    ]


def transcript_specs() -> list[dict[str, Any]]:
    return [
        {
            "title": "Missed delivery slot, answered on a Saturday",
            "platform": "x",
            "visibility": "public",
            "scenario": "complaint",
            "origin": "real",
            "days_ago": 16,  # a Saturday, three weeks into the weekend rota
            "description": "A customer waited in all day for a sofa that did not come.",
            "source_url": "https://x.com/FernleafHome/status/1",
            "messages": [
                (
                    "c",
                    0,
                    9,
                    12,
                    "Took a day off for my sofa delivery. 7–12 slot. Nothing. No call. Brilliant.",
                    "",
                    "",
                ),
                (
                    "o",
                    0,
                    9,
                    31,
                    "That's not the day you planned, and we're sorry. We're checking with the crew now "
                    "and will message you privately within the hour.",
                    "acknowledge",
                    "Replied in public so others could see we respond at weekends; no details asked in public.",
                ),
                (
                    "o",
                    0,
                    10,
                    5,
                    "The van broke down near Wakefield. A new crew can come at 2pm today or first "
                    "slot Monday. Which suits you?",
                    "investigate",
                    "Checked the tracking and called the crew before replying, so the answer was real.",
                ),
                ("c", 0, 10, 9, "2pm today please.", "", ""),
                (
                    "o",
                    0,
                    10,
                    14,
                    "Booked for 2pm. We've refunded the delivery charge for the trouble.",
                    "resolve",
                    "Used my authority to refund £49 without escalating: within the rota's limit.",
                ),
                (
                    "o",
                    2,
                    11,
                    0,
                    "Hope the sofa has settled in well. Anything else we can help with?",
                    "follow_up",
                    "Followed up on Monday: closes the loop and shows the complaint process ran to the end.",
                ),
            ],
            "map": {
                "CFACSD22": {
                    "P12": "The improved weekend process in action, from first reply to follow-up.",
                    "K7": "Moves from a public reply to private messages at the right moment.",
                },
                "CSSMS": {"3.3": "Keeps the dialogue going after the problem is solved."},
            },
        },
        {
            "title": "A customer shows off her new sofa",
            "platform": "instagram",
            "visibility": "public",
            "scenario": "positive",
            "origin": "real",
            "days_ago": 28,
            "description": "Positive feedback on a post tagging us.",
            "messages": [
                (
                    "c",
                    0,
                    19,
                    40,
                    "Finally! The Harlow corner sofa in sage. Delivery crew were lovely.",
                    "",
                    "",
                ),
                (
                    "o",
                    0,
                    20,
                    2,
                    "It looks wonderful in your room! Thank you for sharing, and we'll pass your "
                    "kind words to the crew.",
                    "",
                    "Matched the customer's warm tone and thanked the crew by name internally.",
                ),
            ],
            "map": {
                "CFACSD22": {"K6": "Shows a reply that makes a positive impact in public."},
                "CSSMS": {"1.3": "The reply reflects our brand values: warm, practical, proud of the crews."},
            },
        },
        {
            "title": "Frame guarantee on a sofa bought second-hand",
            "platform": "facebook",
            "visibility": "private",
            "scenario": "complex",
            "origin": "simulated",
            "days_ago": 22,
            "description": "Role-play with my team leader: a guarantee question with no easy answer.",
            "messages": [
                (
                    "c",
                    0,
                    14,
                    0,
                    "Bought one of your sofas on a marketplace. The frame has cracked. Is it "
                    "still under the 5-year guarantee?",
                    "",
                    "",
                ),
                (
                    "o",
                    0,
                    14,
                    18,
                    "Thanks for asking us. The guarantee is for the original buyer, but let me "
                    "check what we can do.",
                    "acknowledge",
                    "Honest about the rule straight away, without closing the door.",
                ),
                (
                    "o",
                    0,
                    15,
                    2,
                    "I've spoken to our product team: we can't replace it under guarantee, but "
                    "we can repair the frame at cost, £85 including collection.",
                    "resolve",
                    "Checked policy with the product team rather than guessing: complex queries need the owner.",
                ),
                ("c", 0, 15, 10, "That's fair, thanks for being straight with me.", "", ""),
            ],
            "map": {
                "CFACSD22": {
                    "K2": "Applies our guarantee terms correctly to an unusual case.",
                    "P11": "Tests the procedure for queries that need another team.",
                },
            },
        },
        {
            "title": "Crisis simulation: crew video goes viral",
            "platform": "x",
            "visibility": "public",
            "scenario": "crisis",
            "origin": "simulated",
            "days_ago": 25,
            "description": "A simulated post of a crew scraping a customer's staircase, shared widely.",
            "messages": [
                (
                    "c",
                    0,
                    18,
                    5,
                    "Watch @FernleafHome's crew wreck my new staircase. 2k shares and counting.",
                    "",
                    "",
                ),
                ("c", 0, 18, 20, "Still nothing from them?", "", ""),
                (
                    "o",
                    0,
                    18,
                    28,
                    "We've seen this and we're very sorry. We're contacting the customer now and "
                    "will update here by 9pm.",
                    "acknowledge",
                    "Holding line agreed with the head of service within 20 minutes; promised a time for the update.",
                ),
                (
                    "o",
                    0,
                    20,
                    50,
                    "Update: we've spoken to the customer, a repairer visits tomorrow at our cost, "
                    "and we're reviewing crew training.",
                    "resolve",
                    "Kept the promise of an update before 9pm; no blame placed on the crew in public.",
                ),
            ],
            "map": {
                "CSSMS": {
                    "3.5": "Analyses and handles the risk of negative publicity in a simulated crisis."
                },
                "CFACSD22": {"P11": "Tests the crisis procedure I contributed."},
            },
        },
        {
            "title": "Damaged dining table, Trustpilot review",
            "platform": "reviews",
            "visibility": "public",
            "scenario": "complaint",
            "origin": "real",
            "days_ago": 44,
            "description": "A one-star review answered publicly, then resolved by e-mail.",
            "messages": [
                (
                    "c",
                    0,
                    8,
                    0,
                    "One star. Dining table arrived with a deep scratch and nobody answers.",
                    "",
                    "",
                ),
                (
                    "o",
                    1,
                    10,
                    30,
                    "We're sorry the table arrived damaged. We've e-mailed you to arrange a "
                    "replacement top this week.",
                    "acknowledge",
                    "Replied the next day: reviews were not on the rota yet, which I later fixed.",
                ),
                (
                    "o",
                    6,
                    16,
                    0,
                    "The replacement was fitted on Thursday. Thank you for your patience.",
                    "follow_up",
                    "Public follow-up so readers of the review see the outcome.",
                ),
            ],
            "map": {
                "CFACSD22": {"P3": "Shows how we used review sites before the strategy: slow and ad hoc."},
            },
        },
        {
            "title": "Narrow stairs and a double wardrobe",
            "platform": "whatsapp",
            "visibility": "private",
            "scenario": "complex",
            "origin": "real",
            "days_ago": 12,
            "description": "Delivery update pilot: a customer asks whether the wardrobe will fit.",
            "messages": [
                (
                    "c",
                    0,
                    7,
                    45,
                    "Your message says delivery today. Our stairs are very narrow — will the wardrobe fit?",
                    "",
                    "",
                ),
                (
                    "o",
                    0,
                    7,
                    52,
                    "Good question! The wardrobe comes flat-packed and the crew assemble it in "
                    "the room. The widest box is 62 cm.",
                    "investigate",
                    "Checked the product dimensions before answering, so the customer could measure.",
                ),
                ("c", 0, 8, 3, "Stairs are 70 cm. Perfect, thanks!", "", ""),
            ],
            "map": {
                "CFACSD22": {"P12": "Shows the WhatsApp delivery-update pilot working."},
                "CSSMS": {"2.2": "Shows WhatsApp suits practical, private delivery questions."},
            },
        },
        {
            "title": "Assembly tips video comment",
            "platform": "tiktok",
            "visibility": "public",
            "scenario": "positive",
            "origin": "simulated",
            "days_ago": 10,
            "description": "Practice reply in our new brand voice on TikTok.",
            "messages": [
                ("c", 0, 21, 0, "This video saved my marriage lol. Bed built in 20 mins.", "", ""),
                (
                    "o",
                    0,
                    21,
                    15,
                    "Ha! We love a calm bedtime. More build hacks every Friday.",
                    "",
                    "Lighter tone on TikTok, as the draft brand voice guide allows, still clear and kind.",
                ),
            ],
            "map": {"CFACSD22": {"K3": "Shows the different tone a newer, niche platform needs."}},
        },
        {
            "title": "Refund delay by private message",
            "platform": "facebook",
            "visibility": "private",
            "scenario": "complaint",
            "origin": "simulated",
            "days_ago": 18,
            "description": "Practice with a colleague playing the customer; details redacted.",
            "messages": [
                (
                    "c",
                    0,
                    12,
                    0,
                    "Returned my rug 3 weeks ago. Still no refund. Order [reference removed].",
                    "",
                    "",
                ),
                (
                    "o",
                    0,
                    12,
                    9,
                    "I'm sorry you're still waiting. I'll look into it now.",
                    "acknowledge",
                    "Did not repeat the order number back, even in private.",
                ),
                (
                    "o",
                    0,
                    12,
                    40,
                    "The warehouse logged the return but the refund wasn't triggered. I've "
                    "processed it today: 3 to 5 working days.",
                    "investigate",
                    "Found the cause, not just the symptom, and told the refunds team so it doesn't recur.",
                ),
                (
                    "o",
                    7,
                    10,
                    0,
                    "Just checking the refund has reached you?",
                    "follow_up",
                    "Follow-up a week later, as the procedure says.",
                ),
                ("c", 7, 10, 30, "Yes, all sorted. Thanks.", "", ""),
            ],
            "map": {"CFACSD22": {"P12": "", "K11": "Uses the four steps I wrote into the procedure."}},
        },
    ]


# --- The other learners' own work ------------------------------------------------------------


def brightwell_specs() -> list[tuple[str, dict[str, Any]]]:
    """Tom Bradley at Brightwell Energy: a modest first portfolio, submitted three days ago."""
    return [
        (
            "reflection",
            {
                "title": "What billing complaints on X taught me",
                "days_ago": 40,
                "body": "Most posts to @BrightwellHelp are about estimated bills. Customers post when the phone "
                "queue is over 30 minutes. A reply that asks for a meter photo in a private message settles "
                "most of them the same day.",
                "map": {
                    "CFACSD22": {
                        "P3": "How Brightwell uses X for billing service today.",
                        "P7": "The gap I chose.",
                    },
                    "CSSMS": {"1.6": "How slow replies on X affect our complaint figures."},
                },
            },
        ),
        (
            "transcript",
            {
                "title": "Estimated bill query on X",
                "platform": "x",
                "visibility": "public",
                "scenario": "complaint",
                "origin": "real",
                "days_ago": 30,
                "description": "A customer disputes an estimated bill in public.",
                "handle": "@BrightwellHelp",
                "messages": [
                    (
                        "c",
                        0,
                        8,
                        40,
                        "£212 for a one-bed flat?! You've estimated again. 40 mins on hold.",
                        "",
                        "",
                    ),
                    (
                        "o",
                        0,
                        9,
                        5,
                        "Sorry about the wait. Send us a photo of your meter by DM and we'll re-bill today.",
                        "acknowledge",
                        "Moved to a private message before any account detail.",
                    ),
                    (
                        "o",
                        0,
                        11,
                        20,
                        "Thanks for the photo: your new bill is £96 and the estimate is cancelled.",
                        "resolve",
                        "Re-billed from the reading while the customer was still in the chat.",
                    ),
                ],
                "map": {
                    "CFACSD22": {
                        "P12": "A billing complaint handled from public to private.",
                        "K7": "Public reply, private details.",
                    }
                },
            },
        ),
        (
            "transcript",
            {
                "title": "Thanks for fixing a smart meter",
                "platform": "facebook",
                "visibility": "public",
                "scenario": "positive",
                "origin": "real",
                "days_ago": 22,
                "description": "A customer thanks the engineer on our Facebook page.",
                "handle": "Brightwell Energy",
                "messages": [
                    (
                        "c",
                        0,
                        18,
                        0,
                        "Engineer came same day when our smart meter went blank. Top service.",
                        "",
                        "",
                    ),
                    (
                        "o",
                        0,
                        18,
                        25,
                        "Thank you! We'll pass this to the engineer, it'll make their week.",
                        "",
                        "A short, warm reply in our brand voice.",
                    ),
                ],
                "map": {"CFACSD22": {"K6": "A public reply with a positive impact."}},
            },
        ),
        (
            "transcript",
            {
                "title": "Moving home with a prepayment meter",
                "platform": "facebook",
                "visibility": "private",
                "scenario": "complex",
                "origin": "simulated",
                "days_ago": 14,
                "description": "Role-play with my team leader: debt on a prepayment meter at the old address.",
                "handle": "Brightwell Energy",
                "messages": [
                    (
                        "c",
                        0,
                        10,
                        0,
                        "I'm moving out and there's £30 debt on the prepayment key. Do I still owe it?",
                        "",
                        "",
                    ),
                    (
                        "o",
                        0,
                        10,
                        20,
                        "Good question: I'm checking with our metering team before I answer.",
                        "investigate",
                        "Checked the rules instead of guessing.",
                    ),
                    (
                        "o",
                        0,
                        10,
                        55,
                        "The debt moves to your final bill and you can pay it in instalments.",
                        "resolve",
                        "Clear answer with an option the customer can afford.",
                    ),
                ],
                "map": {"CFACSD22": {"K2": "Applies our prepayment rules to a real case."}},
            },
        ),
        (
            "link",
            {
                "title": "Ofgem's complaint handling standards",
                "url": "https://www.ofgem.gov.uk/",
                "description": "The regulator's standards our replies must meet.",
                "days_ago": 35,
                "map": {"CFACSD22": {"P8": "The energy regulator's rules on complaints."}},
            },
        ),
    ]


def swiftpost_specs() -> list[tuple[str, dict[str, Any]]]:
    """Chloe Evans at Swiftpost Couriers: what she submitted as version 1."""
    return [
        (
            "reflection",
            {
                "title": "Why missed-delivery complaints end up on X",
                "days_ago": 48,
                "body": "When a Swiftpost driver leaves a card, customers try the tracking page, then the phone, "
                "then post on X. By the time we reply the parcel is back at the depot.",
                "map": {
                    "CFACSD22": {
                        "P1": "Analyses the missed-delivery process.",
                        "P7": "Names the gaps I found.",
                    }
                },
            },
        ),
        (
            "transcript",
            {
                "title": "Parcel left in the rain",
                "platform": "x",
                "visibility": "public",
                "scenario": "complaint",
                "origin": "real",
                "days_ago": 40,
                "description": "A customer posts a photo of a soaked parcel on the doorstep.",
                "handle": "@SwiftpostHelp",
                "messages": [
                    ("c", 0, 17, 10, "Thanks Swiftpost, my new laptop box is now a puddle.", "", ""),
                    (
                        "o",
                        0,
                        17,
                        40,
                        "That's not good enough, sorry. Please DM us and we'll open a damage claim now.",
                        "acknowledge",
                        "Apologised in public, asked for details only in private.",
                    ),
                    (
                        "o",
                        1,
                        9,
                        15,
                        "Your claim is approved: the sender is sending a replacement today.",
                        "resolve",
                        "Checked the driver's photo before approving.",
                    ),
                ],
                "map": {
                    "CFACSD22": {
                        "P12": "A complaint handled in the right place.",
                        "K7": "Public and private replies together.",
                    }
                },
            },
        ),
        (
            "file",
            {
                "title": "What customers complain about on X",
                "name": "swiftpost-complaint-reasons.png",
                "content": lambda: bar_chart_png(
                    "Swiftpost complaints on X by reason (four weeks)",
                    [("Missed", 44), ("Damaged", 21), ("Late", 19), ("Lost", 16)],
                    "%",
                ),
                "description": "My count of a month of complaints on X.",
                "platform": "x",
                "days_ago": 36,
                "map": {
                    "CFACSD22": {
                        "P3": "How Swiftpost's X account is used today.",
                        "K14": "Counts complaints by reason.",
                    }
                },
            },
        ),
        (
            "reflection",
            {
                "title": "Tracking numbers stay out of public replies",
                "days_ago": 30,
                "body": "Customers paste tracking numbers and addresses into public posts. I reply without them and "
                "move to a private message, as the Data Protection Act 2018 expects.",
                "map": {"CFACSD22": {"K8": "The data protection rules for our replies."}},
            },
        ),
    ]


def swiftpost_after_feedback() -> tuple[str, dict[str, Any]]:
    """Chloe's answer to her assessor's feedback, in her working copy."""
    return (
        "reflection",
        {
            "title": "What missed deliveries cost Swiftpost",
            "days_ago": 5,
            "body": "Each missed delivery costs £4.10 in redelivery. Last month 1,900 were rebooked only after "
            "a complaint on X. Answering within the hour and offering a safe place would save about £3,000 a "
            "month. I will measure the share of missed-delivery messages answered within the hour, from 35% "
            "now to 80% by the end of the course.",
            "map": {
                "CFACSD22": {
                    "P7": "What the gap costs, so it comes first.",
                    "K14": "The metric, baseline and target.",
                }
            },
        },
    )


def meadowbank_specs() -> list[tuple[str, dict[str, Any]]]:
    """Sophie Patel at Meadowbank Homes, just started: one note from her first weeks."""
    return [
        (
            "reflection",
            {
                "title": "Where Meadowbank's tenants ask for help",
                "days_ago": 21,
                "body": "Tenants report repairs by phone, but the Facebook page gets the complaints when a repair "
                "is late. I will start the audit with the repairs process.",
                "map": {"CFACSD22": {"P1": ""}},
            },
        )
    ]
