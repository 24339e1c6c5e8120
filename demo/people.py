"""The demo cohort: fixed logins that people and scripts can rely on.

Later features add to the demo through ``build_demo``'s steps; each step must be
safe to run again without duplicating anything.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from faker import Faker

from core import eqa
from core.models import Cohort, EqaGrant, Framework, Invitation, Membership, Portfolio, Role, User

DEMO_COHORT_CODE = "cs-l3-demo"
NAME_SEED = 20261207  # names of the learners beyond LEARNER_NAMES (``seed_demo --learners N``)
FRAMEWORK_DIR = Path(settings.BASE_DIR) / "frameworks"

# Each app that adds to the demo has a module with
# ``build_demo_content(*, cohort, portfolios)`` (portfolios keyed by username), run in
# this order; each must be safe to run again.
DEMO_CONTENT_MODULES = [
    "demo.audit",
    "demo.strategy",
    "demo.evidence",
    "demo.assessment",
    "demo.history",
    "demo.progress",
]

STAFF_PEOPLE = [
    # username, first name, last name, role
    ("tutor", "Helen", "Carter", Role.TUTOR),
    ("assessor", "Rachel", "Morgan", Role.ASSESSOR),
    ("iqa", "Graham", "Lewis", Role.IQA),
]
LEARNER_NAMES = [
    ("Amira", "Khan"),
    ("Tom", "Bradley"),
    ("Chloe", "Evans"),
    ("Daniel", "Okafor"),
    ("Sophie", "Patel"),
    ("Owen", "Griffiths"),
    ("Grace", "Murphy"),
    ("Liam", "Hughes"),
]


@dataclass
class DemoResult:
    created: bool
    cohort: Cohort
    logins: list[tuple[str, str]] = field(default_factory=list)  # (username, role label)


def learner_username(index: int) -> str:
    """``learner`` for the first, then ``learner2``, ``learner3``…"""
    return "learner" if index == 1 else f"learner{index}"


def ensure_frameworks() -> list[Framework]:
    if not Framework.objects.exists():
        files = sorted(str(path) for path in FRAMEWORK_DIR.glob("*.y*ml"))
        call_command("import_framework", *files, verbosity=0)
    return list(Framework.objects.all())


def _person(username: str, first: str, last: str, role: str, password_hash: str) -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.example",
            "role": role,
            "password": password_hash,
        },
    )
    return user


@transaction.atomic
def build_demo(*, learners: int = 6) -> DemoResult:
    """Create the demo cohort and people, once. Returns who can log in."""
    password_hash = make_password(settings.DEMO_PASSWORD)  # hashed once, shared by every demo login
    frameworks = ensure_frameworks()
    tutor, assessor, iqa = (_person(u, f, la, r, password_hash) for u, f, la, r in STAFF_PEOPLE)
    admin = _person("admin", "Site", "Administrator", Role.STAFF, password_hash)
    if not admin.is_superuser:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])

    today = timezone.localdate()
    cohort, created = Cohort.objects.get_or_create(
        code=DEMO_COHORT_CODE,
        defaults={
            "name": "Customer Service Specialist (Level 3) — demo cohort",
            "organisation": "Northfield College",
            "start_date": today - timedelta(days=60),
            "end_date": today + timedelta(days=120),
            "created_by": tutor,
        },
    )
    if created:
        cohort.frameworks.set(frameworks)
    for user, role in ((tutor, Role.TUTOR), (assessor, Role.ASSESSOR), (iqa, Role.IQA)):
        Membership.objects.get_or_create(cohort=cohort, user=user, role=role)

    _add_learners(cohort=cohort, count=learners, assessor=assessor, password_hash=password_hash)
    if created:
        Invitation.objects.create(
            cohort=cohort,
            email="new.learner@demo.example",
            role=Role.LEARNER,
            invited_by=tutor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )

    portfolios = {p.learner.username: p for p in cohort.portfolios.select_related("learner")}
    for module_name in DEMO_CONTENT_MODULES:
        if importlib.util.find_spec(module_name) is not None:
            importlib.import_module(module_name).build_demo_content(cohort=cohort, portfolios=portfolios)

    logins = [(u, r.label) for u, _f, _l, r in STAFF_PEOPLE] + [("admin", "Staff (administration)")]
    logins += [(learner_username(i), "Learner") for i in range(1, min(learners, 10) + 1)]
    return DemoResult(created=created, cohort=cohort, logins=logins)


def extra_learner_name(index: int, faker: Faker | None = None) -> tuple[str, str]:
    """A name for learner ``index`` beyond the named ones: British, and the same every run."""
    faker = faker or Faker("en_GB")
    faker.seed_instance(NAME_SEED + index)
    return faker.first_name(), faker.last_name()


def _add_learners(*, cohort: Cohort, count: int, assessor: User, password_hash: str) -> None:
    wanted = [learner_username(i) for i in range(1, count + 1)]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    faker = Faker("en_GB")
    start = cohort.start_date or timezone.localdate()
    new_users = []
    for index, username in enumerate(wanted, start=1):
        if username in existing:
            continue
        if index <= len(LEARNER_NAMES):
            first, last = LEARNER_NAMES[index - 1]
        else:
            first, last = extra_learner_name(index, faker)
        # Everyone joined in the cohort's first days: their first morning at the college.
        joined = timezone.make_aware(datetime.combine(start + timedelta(days=index % 3), time(9, index % 60)))
        new_users.append(
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@demo.example",
                role=Role.LEARNER,
                password=password_hash,
                date_joined=joined,
            )
        )
    User.objects.bulk_create(new_users, batch_size=500)
    users = User.objects.filter(username__in=wanted)
    enrolled = set(Portfolio.objects.filter(cohort=cohort).values_list("learner_id", flat=True))
    Portfolio.objects.bulk_create(
        [
            Portfolio(cohort=cohort, learner=user, assessor=assessor, last_activity_at=user.date_joined)
            for user in users
            if user.pk not in enrolled
        ],
        batch_size=500,
    )


def add_demo_eqa(cohort: Cohort) -> EqaGrant:
    """An external quality assurer (``eqa``, the demo password) with thirty days' access to the
    signed-off learner (learner4) and the version waiting for review (learner2's): what the
    screenshots and the page tests show of the EQA role. Kept once made."""
    tutor = cohort.created_by
    assurer = _person("eqa", "Priya", "Shah", Role.EQA, make_password(settings.DEMO_PASSWORD))
    existing = eqa.grants_of_eqa(assurer).filter(cohort=cohort).first()
    if existing is not None:
        return existing
    portfolios = {p.learner.username: p for p in cohort.portfolios.select_related("learner")}
    shared = [portfolios[u] for u in ("learner4",) if u in portfolios]
    versions = [v for u in ("learner2",) if u in portfolios for v in portfolios[u].versions.all()[:1]]
    return eqa.grant_eqa_access(
        cohort=cohort,
        email=assurer.email,
        ends_on=timezone.localdate() + timedelta(days=30),
        portfolios=shared,
        versions=versions,
        purpose="Annual external quality assurance visit: a sample of signed-off and waiting work.",
        actor=tutor,
    )
