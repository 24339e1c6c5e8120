"""What a launch does, the roster from Names and Role Provisioning, the result to the gradebook.

Who someone is: the platform's ``sub`` for this registration, stored on first sight
(``LtiAccount``). A first launch links to an existing account only when the registration says
the platform verifies e-mail addresses (``trust_email``) and exactly one account has that
address; otherwise it creates an account with no password, which only the platform can open.
docs/integrations.md argues the choice.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from core import outbox
from core.models import (
    Cohort,
    Criterion,
    CriterionDecision,
    Membership,
    OutboxMessage,
    Portfolio,
    Role,
    User,
    VersionOutcome,
)
from core.selectors import latest_decision_statuses
from lti.models import (
    CourseDeparture,
    CourseLink,
    GradeSync,
    LaunchTicket,
    LoginState,
    LtiAccount,
    Registration,
)
from lti.platform import PlatformSession, library_registration

log = logging.getLogger(__name__)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
ROLES_CLAIM = CLAIM + "roles"
CONTEXT_CLAIM = CLAIM + "context"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
# The gradebook column the tool makes when the link is not a graded activity (no ``lineitem`` in
# the launch): found again by its tag (or resourceId) before one is created.
LINEITEM_TAG = "eportfolio-criteria-met"
LINEITEM_RESOURCE_ID = "eportfolio-criteria-met"
ROSTER_TASK = "lti.tasks.sync_course_roster"
LINEITEM_TASK = "lti.tasks.create_course_lineitem"
# Roles that make a course member staff of its cohort (LIS context roles, full or short form).
TEACHING = ("Instructor", "TeachingAssistant", "ContentDeveloper", "Mentor", "Administrator")
# Every criterion of the standard, when a cohort names no framework.
DEFAULT_CRITERIA = 45


@dataclass(frozen=True)
class Landing:
    user: User
    course: CourseLink
    url: str


class LaunchRefused(Exception):
    """A valid launch we cannot honour (no role we know, a course not yet set up)."""


@dataclass(frozen=True)
class Person:
    sub: str
    email: str
    given_name: str
    family_name: str
    roles: tuple[str, ...]

    @classmethod
    def from_claims(cls, claims: dict[str, Any], roles: list[str]) -> Person:
        return cls(
            sub=str(claims.get("sub") or claims.get("user_id") or ""),
            email=str(claims.get("email") or ""),
            given_name=str(claims.get("given_name") or "")[:150],
            family_name=str(claims.get("family_name") or "")[:150],
            roles=tuple(roles),
        )

    @property
    def teaches(self) -> bool:
        return any(role.rsplit("#", 1)[-1] in TEACHING for role in self.roles)

    @property
    def learns(self) -> bool:
        return any(role.rsplit("#", 1)[-1] == "Learner" for role in self.roles)


def ensure_account(*, registration: Registration, person: Person) -> User:
    """The user the platform's ``sub`` launches as, linked or created on first sight."""
    account = (
        LtiAccount.objects.select_related("user").filter(registration=registration, sub=person.sub).first()
    )
    if account is not None:
        return account.user
    users = get_user_model().objects
    user = None
    if registration.trust_email and person.email:
        same = list(users.filter(email__iexact=person.email, is_active=True)[:2])
        user = same[0] if len(same) == 1 else None
    if user is None:
        digest = hashlib.sha256(f"{registration.pk}:{person.sub}".encode()).hexdigest()[:16]
        user = users.create(
            username=f"lti-{digest}",
            email=person.email,
            first_name=person.given_name,
            last_name=person.family_name,
            role=registration.teacher_role if person.teaches else Role.LEARNER,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    LtiAccount.objects.create(registration=registration, sub=person.sub, user=user)
    return user


def _cohort_code(registration: Registration, context_id: str, label: str) -> str:
    digest = hashlib.sha256(f"{registration.pk}:{context_id}".encode()).hexdigest()[:8]
    return f"lti-{slugify(label)[:30]}-{digest}".replace("--", "-")


def link_course(
    *, registration: Registration, claims: dict[str, Any], person: Person, user: User
) -> CourseLink:
    """The course's cohort: created by an instructor's first launch; endpoints kept up to date."""
    context = claims.get(CONTEXT_CLAIM) or {}
    context_id = str(context.get("id") or "")
    if not context_id:
        raise LaunchRefused("The platform sent no course with this launch.")
    course = (
        CourseLink.objects.select_related("cohort")
        .filter(registration=registration, context_id=context_id)
        .first()
    )
    if course is None:
        if not person.teaches:
            raise LaunchRefused("This course is not set up yet: your teacher opens it here first.")
        title = str(context.get("title") or context.get("label") or context_id)[:200]
        cohort = Cohort.objects.create(
            name=title,
            code=_cohort_code(registration, context_id, str(context.get("label") or title)),
            organisation=registration.name,
            created_by=user,
        )
        course = CourseLink.objects.create(
            registration=registration, context_id=context_id, title=title, cohort=cohort
        )
    nrps = claims.get(NRPS_CLAIM) or {}
    ags = claims.get(AGS_CLAIM) or {}
    course.memberships_url = str(nrps.get("context_memberships_url") or course.memberships_url)
    course.lineitem_url = str(ags.get("lineitem") or course.lineitem_url)
    course.lineitems_url = str(ags.get("lineitems") or course.lineitems_url)
    course.ags_scopes = list(ags.get("scope") or course.ags_scopes)
    course.save()
    return course


def place_member(*, course: CourseLink, person: Person, user: User) -> str:
    """Give a course member their place in the cohort; the URL they land on."""
    cohort = course.cohort
    if person.teaches:
        Membership.objects.get_or_create(cohort=cohort, user=user, role=course.registration.teacher_role)
        return reverse("portfolio:cohort_detail", args=[cohort.pk])
    if person.learns:
        portfolio, _ = Portfolio.objects.get_or_create(cohort=cohort, learner=user)
        return reverse("portfolio:portfolio_detail", args=[portfolio.pk])
    raise LaunchRefused(
        "Your role in this course is neither teacher nor learner, so there is nothing to open."
    )


@transaction.atomic
def accept_launch(*, registration: Registration, claims: dict[str, Any]) -> Landing:
    """A checked launch: who it signs in, where they land. A teacher's launch also queues a read
    of the course's roster, in the same transaction (``core.outbox``)."""
    person = Person.from_claims(claims, list(claims.get(ROLES_CLAIM) or []))
    if not person.sub:
        raise LaunchRefused("The platform sent an anonymous launch; sign-in needs a user.")
    user = ensure_account(registration=registration, person=person)
    course = link_course(registration=registration, claims=claims, person=person, user=user)
    url = place_member(course=course, person=person, user=user)
    # Whoever launches is in the course, whatever the last roster read said.
    CourseDeparture.objects.filter(course=course, account__user=user).delete()
    if person.teaches and course.memberships_url:
        queue_roster_read(course=course, actor=user)
    if needs_lineitem(course):
        _enqueue_once(LINEITEM_TASK, course)
    return Landing(user=user, course=course, url=url)


def _enqueue_once(task: str, course: CourseLink) -> bool:
    """Queue ``task`` for the course unless a message for it is still waiting or running."""
    if _pending(task, course).exists():
        return False
    outbox.enqueue(task, args=[course.pk])
    return True


def _pending(task: str, course: CourseLink) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        task=task, args=[course.pk], done_at__isnull=True, gave_up_at__isnull=True
    )


def roster_read_pending(course: CourseLink) -> bool:
    """Whether a read of the course's roster is queued or under way."""
    return _pending(ROSTER_TASK, course).exists()


def queue_roster_read(*, course: CourseLink, actor: User | None) -> bool:
    """Queue a read of the course's roster (a teacher's launch, the tutor's button, the nightly
    job: ``actor`` None). False when one is already queued or running, or the platform gave the
    course no roster service."""
    if not course.memberships_url:
        return False
    with transaction.atomic():
        # Two clicks at once: the second waits for the first's message (where rows lock).
        CourseLink.objects.select_for_update().filter(pk=course.pk).first()
        queued = _enqueue_once(ROSTER_TASK, course)
    if queued:
        log.info("lti: roster read of course %s queued by %s", course.pk, actor.pk if actor else "schedule")
    return queued


def queue_every_roster_read() -> dict[str, int]:
    """One roster read a course with a roster service, each its own task, so one platform that
    fails or hangs holds up no other course (run nightly by Celery beat)."""
    queued = skipped = 0
    courses = CourseLink.objects.filter(registration__active=True).exclude(memberships_url="")
    for course in courses.order_by("pk"):
        if queue_roster_read(course=course, actor=None):
            queued += 1
        else:
            skipped += 1
    return {"queued": queued, "already_queued": skipped}


def _connector(course: CourseLink) -> ServiceConnector:
    return ServiceConnector(library_registration(course.registration), PlatformSession())


def sync_roster(*, course: CourseLink) -> int:
    """Fill the cohort from the course's members (NRPS): learners get portfolios, teachers join as
    the registration maps them. Members the platform marks inactive are left out, and those
    placed before whom the roster no longer lists as active are recorded as departed
    (``record_departures``). Returns how many members were placed."""
    if not course.memberships_url:
        return 0
    service = NamesRolesProvisioningService(
        _connector(course), {"context_memberships_url": course.memberships_url}
    )
    placed: set[str] = set()
    for member in service.get_members():
        if member.get("status", "Active") != "Active":
            continue
        person = Person.from_claims(dict(member), list(member.get("roles") or []))
        if not person.sub or not (person.teaches or person.learns):
            continue
        with transaction.atomic():
            user = ensure_account(registration=course.registration, person=person)
            place_member(course=course, person=person, user=user)
        placed.add(person.sub)
    record_departures(course=course, present=placed)
    CourseLink.objects.filter(pk=course.pk).update(
        roster_synced_at=timezone.now(), roster_failed_at=None, roster_error=""
    )
    return len(placed)


@transaction.atomic
def record_departures(*, course: CourseLink, present: set[str]) -> int:
    """Mark who left the course: platform accounts placed in its cohort (a portfolio, a staff
    place) whose ``sub`` the roster no longer lists as active. Nothing is deleted: a portfolio
    is an assessment record (the retention policy decides when it goes), and a staff place is
    for the cohort's tutor to withdraw; the cohort page lists the departed for them. Someone
    back in the roster is no longer departed. An empty roster marks no one (a platform that
    answers with no members is more likely misconfigured than emptied). Returns how many
    departed now."""
    CourseDeparture.objects.filter(course=course, account__sub__in=present).delete()
    if not present:
        log.warning("lti: the roster of course %s listed no active member; no one marked as left", course.pk)
        return 0
    placed = LtiAccount.objects.filter(registration=course.registration_id).filter(
        Q(user__portfolios__cohort=course.cohort_id) | Q(user__memberships__cohort=course.cohort_id)
    )
    gone = placed.exclude(sub__in=present).exclude(departures__course=course).distinct()
    departed = [CourseDeparture(course=course, account=account) for account in gone]
    CourseDeparture.objects.bulk_create(departed, ignore_conflicts=True)
    return len(departed)


def record_roster_error(*, course: CourseLink, error: Exception) -> None:
    CourseLink.objects.filter(pk=course.pk).update(
        roster_failed_at=timezone.now(), roster_error=repr(error)[:2000]
    )


def needs_lineitem(course: CourseLink) -> bool:
    """A course whose launches name no gradebook column but let the tool make one."""
    return not course.lineitem_url and bool(course.lineitems_url) and LINEITEM_SCOPE in course.ags_scopes


def lineitem_label(course: CourseLink) -> str:
    codes = ", ".join(course.cohort.frameworks.order_by("code").values_list("code", flat=True))
    return f"{codes or 'CFACSD22'} portfolio: criteria met"


class LineItemRefused(Exception):
    """The platform's answer to a line item request gave us nothing to send results to."""


def create_lineitem(*, course: CourseLink) -> str:
    """Find the course's gradebook column that the tool made before (by its tag), or create it
    (AGS line items service), and keep its URL: the results go there. Returns the URL, or ""
    when the course needs none; a platform's refusal raises (the task records it)."""
    if not needs_lineitem(course):
        return course.lineitem_url
    total = Criterion.objects.filter(framework__cohorts=course.cohort_id).count() or DEFAULT_CRITERIA
    wanted = (
        LineItem()
        .set_label(lineitem_label(course))
        .set_score_maximum(total)
        .set_tag(LINEITEM_TAG)
        .set_resource_id(LINEITEM_RESOURCE_ID)
    )
    service = AssignmentsGradesService(
        _connector(course), {"scope": course.ags_scopes, "lineitems": course.lineitems_url}
    )
    lineitem = service.find_or_create_lineitem(wanted, find_by="tag")
    url = str(lineitem.get_id() or "")
    if not url:
        raise LineItemRefused("The platform answered with a line item that has no id.")
    with transaction.atomic():
        CourseLink.objects.filter(pk=course.pk).update(lineitem_url=url, lineitem_error="")
        course.lineitem_url = url
        # Results decided while the course had no column (the platform refused one) go now.
        decided = Portfolio.objects.filter(
            cohort=course.cohort_id,
            learner__lti_accounts__registration=course.registration_id,
            versions__decisions__isnull=False,
        )
        for portfolio_id in decided.order_by("pk").values_list("pk", flat=True).distinct():
            outbox.enqueue("lti.tasks.send_portfolio_result", args=[portfolio_id])
    log.info("lti: course %s sends its results to the line item %s", course.pk, url)
    return url


def record_lineitem_error(*, course: CourseLink, error: Exception) -> None:
    CourseLink.objects.filter(pk=course.pk).update(lineitem_error=repr(error)[:2000])


def portfolio_result(portfolio: Portfolio) -> tuple[int, int, bool]:
    """(criteria met, criteria in all, signed off) of the portfolio's standing decisions."""
    statuses = latest_decision_statuses([portfolio.pk])
    met = sum(1 for status in statuses.values() if status == CriterionDecision.Status.MET)
    total = Criterion.objects.filter(framework__cohorts=portfolio.cohort_id).count() or DEFAULT_CRITERIA
    latest = portfolio.versions.order_by("-number").first()
    signed_off = VersionOutcome.objects.filter(version=latest, kind=VersionOutcome.Kind.SIGNED_OFF).exists()
    return met, max(total, met), signed_off


def send_result(*, portfolio: Portfolio) -> bool:
    """Send the portfolio's result to its course's line item (AGS). False when there is nowhere
    to send it; a platform error raises (the task retries through the outbox)."""
    course = CourseLink.objects.select_related("registration").filter(cohort=portfolio.cohort_id).first()
    if course is None or not course.lineitem_url or SCORE_SCOPE not in course.ags_scopes:
        return False
    account = LtiAccount.objects.filter(registration=course.registration, user=portfolio.learner_id).first()
    if account is None:
        return False
    met, total, signed_off = portfolio_result(portfolio)
    grade = (
        Grade()
        .set_score_given(met)
        .set_score_maximum(total)
        .set_timestamp(timezone.now().isoformat())
        .set_activity_progress("Completed" if signed_off else "Submitted")
        .set_grading_progress("FullyGraded" if signed_off else "Pending")
        .set_user_id(account.sub)
        .set_comment(
            f"Signed off: {met} of {total} criteria met."
            if signed_off
            else f"{met} of {total} criteria met; not yet signed off."
        )
    )
    service = AssignmentsGradesService(
        _connector(course), {"scope": course.ags_scopes, "lineitem": course.lineitem_url}
    )
    service.put_grade(grade)
    GradeSync.objects.update_or_create(
        portfolio=portfolio,
        defaults={"score": met, "signed_off": signed_off, "sent_at": timezone.now(), "last_error": ""},
    )
    return True


def record_send_error(*, portfolio: Portfolio, error: Exception) -> None:
    GradeSync.objects.update_or_create(portfolio=portfolio, defaults={"last_error": repr(error)[:2000]})


def resend_failed() -> dict[str, int]:
    """Send again every result whose last attempt failed (run by every outbox sweep)."""
    sent = failed = 0
    for sync in GradeSync.objects.exclude(last_error="").select_related("portfolio")[:200]:
        try:
            send_result(portfolio=sync.portfolio)
            sent += 1
        except Exception as error:
            record_send_error(portfolio=sync.portfolio, error=error)
            failed += 1
    return {"resent": sent, "still_failing": failed}


def forget_stale_logins() -> dict[str, int]:
    """Delete login states and launch tickets a day past their use (run by every outbox sweep):
    anyone may start a login, so the rows must not pile up."""
    since = timezone.now() - timedelta(days=1)
    states, _ = LoginState.objects.filter(created_at__lt=since).delete()
    tickets, _ = LaunchTicket.objects.filter(created_at__lt=since).delete()
    return {"states_deleted": states, "tickets_deleted": tickets}
