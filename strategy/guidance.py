"""Guidance shown beside each step, written for this product from the study notes."""

from __future__ import annotations

GUIDANCE: dict[str, dict[str, object]] = {
    "vision": {
        "intro": "Say why social media matters to your customers and your organisation before you say "
        "what you will do on it.",
        "points": [
            "Start from the service strategy you already have: social media is one channel within it, "
            "not a plan of its own.",
            "Name the teams the strategy touches (marketing, logistics, IT, legal) and what each needs "
            "to give or receive.",
            "Tell apart the media you own (your pages and accounts), earn (reviews, shares, mentions) and "
            "pay for (adverts, boosted posts): each needs a different approach.",
            "Promotional posts sell; service interactions solve. Say how you keep the two from getting "
            "in each other's way.",
            "Be honest about constraints such as staff hours, budget and tools: a vision the organisation "
            "cannot deliver will not convince an assessor.",
        ],
    },
    "objectives": {
        "intro": "Every objective should be something you could check on a date, with a number.",
        "points": [
            "Tie each objective to a service metric such as first response time, customer satisfaction "
            "or first contact resolution.",
            "Record today's figure as the baseline so progress can be shown.",
            "Pick a target that moves the metric the right way: down for waiting times, up for satisfaction.",
            "Give each objective an owner and link it to the business goal it supports.",
        ],
    },
    "platforms": {
        "intro": "Not every platform suits service. Score each one on the same criteria and let the "
        "weights say what matters most.",
        "points": [
            "Base audience fit and customer usage on your audit: where do your customers actually ask "
            "for help?",
            "Look at service features such as private messaging, automated replies and bots, and order "
            "or delivery integrations.",
            "Cost and staffing are scored so that 5 is the cheapest and least demanding.",
            "Weights are relative: they are turned into shares of the total, so 30, 20, 10 means the "
            "same as 3, 2, 1.",
            "Explain the ranking in your own words; a number alone is not a justification.",
        ],
    },
    "risks": {
        "intro": "A public channel brings risks a phone line does not. Show you have thought them "
        "through and who acts on each.",
        "points": [
            "Cover at least data security, negative publicity and regulation and advertising standards; "
            "add capacity, technology and crisis risks that apply to you.",
            "Score likelihood and impact from 1 to 5; the score is the two multiplied together.",
            "Give each risk an owner and a mitigation, then score it again as it would be after the "
            "mitigation (the residual score).",
            "Link each risk to what it would cost the business: money, reputation or customers lost.",
        ],
    },
    "regulation": {
        "intro": "Check each change you propose against the law and the platforms' own rules before "
        "you recommend it.",
        "points": [
            "Consumer rights: what you say on social media about refunds, returns or repairs must match "
            "what customers are entitled to.",
            "Data protection: move anything personal, such as an order number or address, into a private "
            "message and keep only what you need.",
            "Equality: make the service usable for disabled customers and do not treat groups differently.",
            "Advertising: label paid and incentivised content clearly and make claims you can prove.",
            "Platform terms: automated replies, competitions and data use all have platform rules.",
        ],
    },
    "implementation": {
        "intro": "Turn the strategy into who does what, by when, with what, for how much.",
        "points": [
            "In the responsibility matrix each activity needs exactly one accountable person and at least "
            "one who does the work.",
            "Set a first response target and the hours covered for every platform, and say what happens "
            "out of hours.",
            "Write the escalation path and a crisis plan before you need them.",
            "A brand voice with real do and don't examples keeps replies consistent under pressure.",
            "Plan training, tools and budget honestly: promising more than the team can deliver is a "
            "common mistake.",
            "Finish with a frank view of whether today's structures and processes can deliver the plan.",
        ],
    },
    "monitoring": {
        "intro": "Improvement is a cycle: plan a change, make it, check the data, act on what you learn.",
        "points": [
            "Date each cycle and say exactly what was changed.",
            "Compare a metric before and after, and say what the figures showed, including surprises.",
            "The act step is the next improvement: it starts the following cycle.",
            "Link the results to business performance, not only to service figures.",
        ],
    },
    "pitch": {
        "intro": "You are the champion: persuade managers with figures, not enthusiasm alone.",
        "points": [
            "Quantify the gains: faster responses, lower cost per contact, better retention, a higher "
            "Net Promoter Score.",
            "Be balanced: show the drawbacks of broadcasting on social media and how you will handle them.",
            "Explain how the conversation with customers carries on after the first reply.",
            "Say what you yourself will do, and what you need from the people in the room.",
        ],
    },
}
