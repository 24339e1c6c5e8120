"""Demo evidence: about 30 items for Amira (Fernleaf Home), each other learner's own
organisation's items for the rest (built here or, for submitted portfolios, in
``demo.assessment``). Files are drawn in code; everything goes through the same
services and checks as a learner's own uploads. Safe to run again: an item whose
title is already in the portfolio is left alone.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.models import Cohort, Criterion, Portfolio
from core.selectors import criteria_for_cohort
from demo import parkway
from demo.evidence_content import (
    file_specs,
    link_specs,
    meadowbank_specs,
    reflection_specs,
    transcript_specs,
)
from demo.timeline import story_day, story_time
from evidence import records, services, witness
from evidence.files import check_upload
from evidence.models import Evidence
from evidence.services import MessageData

# The account each learner answers from, named on their transcripts.
HANDLES = {"learner": "@FernleafHome", "learner4": "@parkwayleisure"}

# --- Building -------------------------------------------------------------------------------


def _msgs(days_ago: int, rows: list[tuple]) -> list[MessageData]:
    """rows: (author, day offset, hour, minute, text, stage, annotation)."""
    messages = []
    for author, offset, hour, minute, text, stage, annotation in rows:
        messages.append(
            MessageData(
                author="customer" if author == "c" else "organisation",
                sent_at=story_time(days_ago - offset, hour, minute),
                text=text,
                stage=stage,
                annotation=annotation,
            )
        )
    return messages


def _criteria(cohort: Cohort) -> dict[tuple[str, str], Criterion]:
    return {(c.framework.code, c.code): c for c in criteria_for_cohort(cohort)}


def _mapping(spec: dict[str, dict[str, str]], criteria: dict[tuple[str, str], Criterion]) -> dict[int, str]:
    return {
        criteria[(fw, code)].pk: note
        for fw, notes in spec.items()
        for code, note in notes.items()
        if (fw, code) in criteria
    }


def _add(portfolio: Portfolio, kind: str, spec: dict[str, Any], criteria: dict, existing: set[str]) -> None:
    if spec["title"] in existing:
        return
    actor = portfolio.learner
    days_ago = spec.get("days_ago", 0)
    handle = spec.get("handle", HANDLES.get(actor.username, ""))
    values = {
        "title": spec["title"],
        "description": spec.get("description", ""),
        "occurred_on": story_day(days_ago),
        "platform": spec.get("platform", ""),
        "source_url": spec.get("source_url", ""),
        "url": spec.get("url", ""),
        "body": spec.get("body", ""),
        "visibility": spec.get("visibility", ""),
        "scenario": spec.get("scenario", ""),
        "origin": spec.get("origin", ""),
        "account_handle": handle if kind == Evidence.Kind.TRANSCRIPT else "",
        "captured_at": story_time(days_ago, 17) if spec.get("platform") else None,
    }
    upload = check_upload(spec["name"], spec["content"]()) if kind == Evidence.Kind.FILE else None
    messages = _msgs(days_ago, spec["messages"]) if kind == Evidence.Kind.TRANSCRIPT else ()
    evidence = services.create_evidence(
        portfolio=portfolio, kind=kind, values=values, upload=upload, messages=messages, actor=actor
    )
    wanted = _mapping(spec.get("map", {}), criteria)
    if wanted:
        services.set_evidence_mappings(evidence=evidence, wanted=wanted, actor=actor)
    existing.add(spec["title"])


def _fill(portfolio: Portfolio, criteria: dict, specs: list[tuple[str, dict[str, Any]]]) -> None:
    existing = set(portfolio.evidence.values_list("title", flat=True))
    for kind, spec in specs:
        _add(portfolio, kind, spec, criteria, existing)


def amira_specs() -> list[tuple[str, dict[str, Any]]]:
    specs = [(Evidence.Kind.FILE, s) for s in file_specs()]
    specs += [(Evidence.Kind.REFLECTION, s) for s in reflection_specs()]
    specs += [(Evidence.Kind.LINK, s) for s in link_specs()]
    specs += [(Evidence.Kind.TRANSCRIPT, s) for s in transcript_specs()]
    return specs


def daniel_specs() -> list[tuple[str, dict[str, Any]]]:
    specs = [(Evidence.Kind.FILE, s) for s in parkway.file_specs()]
    specs += [(Evidence.Kind.REFLECTION, s) for s in parkway.reflection_specs()]
    specs += [(Evidence.Kind.TRANSCRIPT, s) for s in parkway.transcript_specs()]
    return specs


def build_demo_content(*, cohort: Cohort, portfolios: dict[str, Portfolio]) -> None:
    """Amira's evidence (she is still working, so it is added here); the learners whose
    portfolios were submitted get theirs in ``demo.assessment``, before submitting."""
    criteria = _criteria(cohort)
    if "learner" in portfolios:
        _fill(portfolios["learner"], criteria, amira_specs())
        _add_witness(portfolios["learner"], criteria)
        _amira_observation(portfolios["learner"], criteria)
        _amira_discussion(portfolios["learner"], criteria)
        _amira_questions(portfolios["learner"], criteria)
    if "learner5" in portfolios:
        _fill(portfolios["learner5"], criteria, meadowbank_specs())


# --- A witness testimony: Amira's line manager on the weekend rota pilot --------------------

WITNESS = {
    "name": "Joanne Patel",
    "job_title": "Customer Contact Manager",
    "relationship": "Line manager",
    "organisation": "Fernleaf Home",
    "email": "joanne.patel@fernleaf.example",
    "activity": "Setting up and running the weekend rota pilot for social media replies.",
    "criteria": [("CFACSD22", "P10"), ("CFACSD22", "P12"), ("CFACSD22", "P13")],
    "testimony": (
        "I am Amira's line manager and saw the weekend rota pilot from the start.\n\n"
        "In the week before the pilot Amira met the four advisers on the rota with me present. "
        "She went through who covers X, Facebook and Instagram on each weekend shift, the "
        "holding reply for delivery delays and who to escalate to, and she agreed the swaps "
        "with each of them before the first weekend.\n\n"
        "On the second Saturday I worked alongside the team for the morning. Amira answered "
        "a complaint about a missed delivery on X within about twenty minutes, passed the "
        "order to the warehouse contact on the escalation list and came back to the customer "
        "with a new slot before lunch.\n\n"
        "Three weeks in she showed me the response-time figures from our export, before and "
        "after the rota, and proposed Sunday evening cover from what they showed."
    ),
}


def _add_witness(portfolio: Portfolio, criteria: dict) -> None:
    """One signed testimony, checked by the assessor by phone. Left alone if there is one."""
    if portfolio.witness_requests.exists():
        return
    request = witness.request_witness(
        portfolio=portfolio,
        actor=portfolio.learner,
        name=WITNESS["name"],
        job_title=WITNESS["job_title"],
        relationship=WITNESS["relationship"],
        organisation=WITNESS["organisation"],
        email=WITNESS["email"],
        activity=WITNESS["activity"],
        criteria=[criteria[key] for key in WITNESS["criteria"] if key in criteria],
    )
    witness.submit_testimony(
        witness_request=request,
        testimony=WITNESS["testimony"],
        seen_from=story_day(30),
        seen_to=story_day(7),
        name=WITNESS["name"],
        job_title=WITNESS["job_title"],
        organisation=WITNESS["organisation"],
        relationship=WITNESS["relationship"],
        signature=WITNESS["name"],
    )
    request.refresh_from_db()
    if portfolio.assessor is not None:
        witness.record_witness_check(
            witness_request=request,
            actor=portfolio.assessor,
            method="phone",
            checked_on=timezone.localdate(),
            note="Rang Joanne on Fernleaf's switchboard number; she confirmed she wrote and signed it.",
        )


CHAMPION_OBSERVATION = {
    "title": "Observation: Amira's champion pitch to the contact centre managers",
    "days_ago": 4,
    "place": "Fernleaf Home head office, Leeds: second-floor meeting room",
    "duration_minutes": 35,
    "activity": (
        "Amira presented the weekend pilot's before-and-after figures to four contact centre "
        "managers and asked for Sunday evening cover. I sat at the side of the room and did not take part."
    ),
    "questions": (
        "Q: Why ask for Sunday evening rather than Saturday morning?\n"
        "A: The pilot's log shows most unanswered complaints arrive between 6 and 10 pm on Sunday.\n"
        "Q: What did you change after the team leader's objection about cost?\n"
        "A: I offered to cover two evenings myself while the rota is agreed, and showed the cost per contact."
    ),
    "map": {
        "CSSMS": {
            "3.4": "Presented the results with the figures to hand, answered two managers' doubts about "
            "cost, and asked plainly for the cover: a champion's case, not a report.",
        },
        "CFACSD22": {
            "P12": "Agreed the Sunday rota with the two team leaders there and then, and wrote down who "
            "would tell their advisers: working with colleagues to put the change in place.",
        },
    },
}


def _accepted_by_the_learner(evidence: Evidence) -> None:
    """The learner read the assessor's record and accepted it as it stands."""
    record = records.record_of(evidence)
    records.confirm_record(
        evidence=evidence,
        accept=True,
        comment="",
        read_digest=record.content_digest,
        actor=evidence.portfolio.learner,
    )


def _amira_observation(portfolio: Portfolio, criteria: dict) -> None:
    """Her assessor watched the champion pitch; she read the record and accepted it."""
    spec = CHAMPION_OBSERVATION
    if portfolio.assessor is None or portfolio.evidence.filter(title=spec["title"]).exists():
        return
    evidence = records.create_observation(
        portfolio=portfolio,
        data=records.ObservationData(
            title=spec["title"],
            occurred_on=story_day(spec["days_ago"]),
            place=spec["place"],
            duration_minutes=spec["duration_minutes"],
            activity=spec["activity"],
            questions=spec["questions"],
            notes=_mapping(spec["map"], criteria),
        ),
        actor=portfolio.assessor,
    )
    _accepted_by_the_learner(evidence)


ROTA_DISCUSSION = {
    "title": "Professional discussion: sharing out the weekend rota and writing its procedure",
    "days_ago": 9,
    "participants": "Joanne Hart, customer service team leader (for the last ten minutes)",
    "duration_minutes": 40,
    "topics": (
        "How Amira agreed who covers the weekend inboxes; how the escalation procedure for "
        "complaints on social media was drafted, tested and changed."
    ),
    "summary": (
        "Amira described the meeting in which she and two team leaders split the weekend cover: "
        "she brought the hourly volume chart, asked each leader which advisers wanted weekend hours, "
        "and wrote the rota up the same afternoon. She explained the escalation procedure step by "
        "step, why a complaint mentioning safety goes straight to a team leader, and the change she "
        "made after the first weekend when two refund requests waited overnight. Joanne joined at "
        "the end and confirmed the rota is now in use."
    ),
    "map": {
        "CFACSD22": {
            "P10": "Explained how she and the two team leaders shared out the weekend cover and who owns "
            "each inbox; Joanne confirmed the split.",
            "P11": "Talked through the escalation procedure she drafted and the change made after the first "
            "weekend's overnight refund requests.",
        },
    },
}

KNOWLEDGE_QUESTIONS = {
    "title": "Questions on platforms and measuring service",
    "days_ago": 6,
    "questions": [
        (
            "CFACSD22",
            "K3",
            "Which platforms do Fernleaf’s customers use to contact you, "
            "and which niche one would you watch?",
            "Most contacts come through Facebook and Instagram messages, then X for public complaints. "
            "The niche one is the local Nextdoor group: a complaint there reaches neighbours who are "
            "also customers, so I check it each morning even though volumes are small.",
        ),
        (
            "CFACSD22",
            "K12",
            "Which data would you choose to show the weekend pilot improved service, and why that data?",
            "The first-response time and the share of messages answered within the hour, from the "
            "service export, split by weekday and weekend; and the complaint resolution rate. They "
            "show speed and outcome, and I can compare the same hours before and after the pilot.",
        ),
        (
            "CSSMS",
            "1.4",
            "What does the scheduling tool you use add to the platforms' own apps?",
            "One inbox for all three platforms, assignment of a message to a named adviser so two "
            "people never reply to the same customer, saved replies we keep up to date, and a report "
            "of response times we cannot get from the apps themselves.",
        ),
    ],
}


def _amira_discussion(portfolio: Portfolio, criteria: dict) -> None:
    """A professional discussion on the rota and the escalation procedure, which she accepted."""
    spec = ROTA_DISCUSSION
    if portfolio.assessor is None or portfolio.evidence.filter(title=spec["title"]).exists():
        return
    evidence = records.create_discussion(
        portfolio=portfolio,
        data=records.DiscussionData(
            title=spec["title"],
            occurred_on=story_day(spec["days_ago"]),
            participants=spec["participants"],
            duration_minutes=spec["duration_minutes"],
            topics=spec["topics"],
            summary=spec["summary"],
            notes=_mapping(spec["map"], criteria),
        ),
        actor=portfolio.assessor,
    )
    _accepted_by_the_learner(evidence)


def _amira_questions(portfolio: Portfolio, criteria: dict) -> None:
    """Questions on knowledge criteria, asked online; she answered and signed them."""
    spec = KNOWLEDGE_QUESTIONS
    if portfolio.assessor is None or portfolio.evidence.filter(title=spec["title"]).exists():
        return
    asked = [
        (criteria[(fw, code)], text, answer)
        for fw, code, text, answer in spec["questions"]
        if (fw, code) in criteria
    ]
    if not asked:
        return
    evidence = records.create_questioning(
        portfolio=portfolio,
        data=records.QuestioningData(
            title=spec["title"],
            occurred_on=story_day(spec["days_ago"]),
            mode="online",
            questions=[records.QuestionData(text=text, criterion_id=c.pk) for c, text, _answer in asked],
        ),
        actor=portfolio.assessor,
    )
    records.answer_questions(
        evidence=evidence,
        answers={n: answer for n, (_c, _text, answer) in enumerate(asked, start=1)},
        submit=True,
        read_digest=evidence.questioning.content_digest,
        actor=portfolio.learner,
    )
