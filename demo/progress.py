"""Light progress for the learners the demo's story does not name (learner6 and up, with
``seed_demo --learners N``): each works for an organisation of their own, has saved the first
guided step and written one reflection mapped to two criteria, at dates of their own. A bigger
demo then reads as a cohort part-way through its course, most learners active in the last two
weeks and one in four quiet for over three weeks (at risk), instead of everyone "at risk" with
nothing done and a last activity on the day they joined.

Runs after ``demo.history`` (which spreads every learner's items evenly to yesterday) and dates
these learners' items itself. Deterministic and safe to run again: content is made once, and
the dates depend only on the learner's number and the cohort's start.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from django.db.models import Max
from django.utils import timezone

from audit import services as audit_services
from audit.models import OrganisationProfile, ServiceProcess
from audit.steps import STEPS_BY_SLUG
from core.guided import get_step
from core.models import Cohort, Criterion, Portfolio
from demo.history import course_start
from evidence import services as evidence_services
from evidence.models import CriterionMapping, Evidence

# The learners the story tells of (demo.audit, demo.evidence, demo.assessment): left alone.
STORY_LEARNERS = {"learner", "learner2", "learner3", "learner4", "learner5"}
# Made-up first words, so one learner's organisation is never named in another's work.
_STARTS = ("Ash", "Brack", "Corm", "Dunn", "Elder", "Fenn", "Gorse", "Holl", "Ivel", "Juni", "Kestr", "Lark")
_ENDS = ("wick", "mere", "thorpe", "combe", "stow", "garth")
# (the name's second word, the sector, the service offered, the process described)
_SECTORS = (
    (
        "Garden Centres",
        "Garden centres",
        "Plants, garden furniture and a café at four sites.",
        "Click and collect",
    ),
    (
        "Cycles",
        "Bicycle repair and hire",
        "Servicing, repairs and weekend hire from two workshops.",
        "Bookings",
    ),
    ("Dental", "Dental practices", "NHS and private dental care at three surgeries.", "Appointments"),
    ("Pet Insurance", "Pet insurance", "Cover for cats and dogs, sold and serviced online.", "Claims"),
    (
        "Coaches",
        "Coach holidays",
        "Short breaks by coach from the Midlands and the North.",
        "Booking changes",
    ),
    ("Broadband", "Broadband provider", "Fibre broadband for homes in rural Yorkshire.", "Fault reports"),
)
QUIET_EVERY = 4  # one learner in four has done nothing for over three weeks


def _number(username: str) -> int:
    found = re.fullmatch(r"learner(\d+)", username)
    return int(found.group(1)) if found else 0


def organisation_name(number: int) -> str:
    """Unique up to learner 72, the first word (the brand) too."""
    start = _STARTS[number % len(_STARTS)]
    end = _ENDS[(number // len(_STARTS)) % len(_ENDS)]
    return f"{start}{end} {_SECTORS[number % len(_SECTORS)][0]}"


def build_demo_content(*, cohort: Cohort, portfolios: dict[str, Portfolio]) -> None:
    first = course_start(cohort)
    if first is None:
        return
    unnamed = [p for name, p in portfolios.items() if name not in STORY_LEARNERS and _number(name)]
    if not unnamed:
        return
    presence = get_step("audit.presence").default_criteria
    criteria = list(
        Criterion.objects.filter(
            framework__in=cohort.frameworks.all(),
            framework__code="CFACSD22",
            code__in=list(presence["CFACSD22"])[:2],
        ).select_related("framework")
    )
    done = set(
        OrganisationProfile.objects.filter(portfolio__in=unnamed).values_list("portfolio_id", flat=True)
    )
    for portfolio in unnamed:
        if portfolio.pk not in done:
            _begin(portfolio, _number(portfolio.learner.username), criteria, presence)
        _date(portfolio, _number(portfolio.learner.username), first)


def _begin(portfolio: Portfolio, number: int, criteria: list[Criterion], notes: dict) -> None:
    _word, sector, offer, process = _SECTORS[number % len(_SECTORS)]
    name = organisation_name(number)
    audit_services.save_step(
        step=STEPS_BY_SLUG["organisation"],
        portfolio=portfolio,
        header=OrganisationProfile(name=name, sector=sector, service_offer=offer),
        rows=[
            ServiceProcess(
                name=process, how_it_runs="By phone and e-mail; social messages are answered weekly."
            )
        ],
        deleted=[],
        actor=portfolio.learner,
    )
    reflection = evidence_services.create_evidence(
        portfolio=portfolio,
        kind=Evidence.Kind.REFLECTION,
        values={
            "title": f"Where {name} meets its customers online",
            "body": (
                f"Before the audit I thought our customers only rang us. Looking at {name}'s pages, "
                "most questions now arrive as comments and private messages, and some wait days for "
                "an answer. I will list each platform with its audience and how we use it."
            ),
        },
        actor=portfolio.learner,
    )
    evidence_services.set_evidence_mappings(
        evidence=reflection,
        wanted={c.pk: notes[c.framework.code][c.code] for c in criteria},
        actor=portfolio.learner,
    )


def _date(portfolio: Portfolio, number: int, first: datetime) -> None:
    """The first step a few days into the course; the reflection, the learner's last activity,
    one to fourteen days ago, or over three weeks ago for the quiet ones."""
    now = timezone.localtime()
    quiet = number % QUIET_EVERY == QUIET_EVERY - 1
    days_ago = 22 + number % 12 if quiet else 1 + (number * 5) % 14
    last = datetime.combine(now.date() - timedelta(days=days_ago), time(9 + number % 8, number % 60))
    last = max(timezone.make_aware(last), first + timedelta(hours=2))
    began = min(first + timedelta(days=2 + number % 6, hours=number % 5), last - timedelta(hours=1))
    items = list(portfolio.evidence.order_by("pk").values_list("pk", flat=True))
    for pk, when in zip(items, (began, last), strict=False):
        Evidence.objects.filter(pk=pk).update(
            created_at=when, updated_at=when, occurred_on=timezone.localtime(when).date()
        )
        CriterionMapping.objects.filter(evidence_id=pk).update(created_at=when, updated_at=when)
    latest = portfolio.evidence.aggregate(top=Max("updated_at"))["top"] or portfolio.learner.date_joined
    Portfolio.objects.filter(pk=portfolio.pk).update(last_activity_at=latest)
