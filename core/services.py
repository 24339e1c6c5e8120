"""Writes for cohorts, people, invitations and notifications. Each takes the acting user."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from core import concurrency, outbox
from core.links import LinkRefused, link_token, read_link_token
from core.models import Cohort, Framework, Invitation, Membership, Notification, Portfolio, Role, User

log = logging.getLogger(__name__)

INVITATION_SALT = "portfolio.invitation"


class PortfolioError(Exception):
    """A rule of the domain was broken; the message is shown to the user."""


class InvitationError(PortfolioError):
    """An invitation link that cannot be used. ``reason`` picks the page shown."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- Cohorts --------------------------------------------------------------------------


def _check_cohort(*, start_date: date | None, end_date: date | None, frameworks: list[Framework]) -> None:
    if start_date and end_date and end_date < start_date:
        raise PortfolioError("The cohort cannot end before it starts.")
    if not frameworks:
        raise PortfolioError("Choose at least one framework to assess the cohort against.")


@transaction.atomic
def create_cohort(
    *,
    actor: User,
    name: str,
    code: str,
    frameworks: list[Framework],
    organisation: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
) -> Cohort:
    _check_cohort(start_date=start_date, end_date=end_date, frameworks=frameworks)
    cohort = Cohort.objects.create(
        name=name,
        code=code,
        organisation=organisation,
        start_date=start_date,
        end_date=end_date,
        created_by=actor,
    )
    cohort.frameworks.set(frameworks)
    Membership.objects.create(cohort=cohort, user=actor, role=Role.TUTOR)
    log.info("cohort %s created by %s", cohort.code, actor.username)
    return cohort


@transaction.atomic
def update_cohort(
    *,
    cohort: Cohort,
    actor: User,
    name: str,
    code: str,
    frameworks: list[Framework],
    organisation: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
    token: str | None = None,
) -> Cohort:
    """Change a cohort's details and calendar (the dashboards measure progress against it).

    ``token``: the cohort's version the form was opened at (core/concurrency.py)."""
    concurrency.claim(scope=concurrency.cohort_scope(cohort.pk), token=token, actor=actor)
    _check_cohort(start_date=start_date, end_date=end_date, frameworks=frameworks)
    cohort.name, cohort.code, cohort.organisation = name, code, organisation
    cohort.start_date, cohort.end_date = start_date, end_date
    cohort.save(update_fields=["name", "code", "organisation", "start_date", "end_date"])
    cohort.frameworks.set(frameworks)
    log.info("cohort %s updated by %s", cohort.code, actor.username)
    return cohort


@transaction.atomic
def assign_assessor(
    *, portfolio: Portfolio, assessor: User | None, actor: User, token: str | None = None
) -> Portfolio:
    """``token``: the assignment's version the roster was opened at (core/concurrency.py):
    two tutors choosing at once, the second is told instead of overwriting the first."""
    concurrency.claim(scope=concurrency.assessor_scope(portfolio.pk), token=token, actor=actor)
    if (
        assessor is not None
        and not Membership.objects.filter(cohort=portfolio.cohort, user=assessor, role=Role.ASSESSOR).exists()
    ):
        raise PortfolioError(f"{assessor.display_name} is not an assessor in this cohort.")
    portfolio.assessor = assessor
    portfolio.save(update_fields=["assessor"])
    log.info(
        "assessor of portfolio %s set to %s by %s",
        portfolio.pk,
        assessor.username if assessor else None,
        actor.username,
    )
    return portfolio


# --- Invitations ------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return link_token(invitation.pk, invitation.nonce, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("portfolio:invitation_accept", args=[invitation_token(invitation)])


def resolve_invitation(token: str) -> Invitation:
    """The invitation behind a token, if it can still be used; InvitationError if not."""
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        pk, nonce = read_link_token(token, salt=INVITATION_SALT, max_age=max_age)
    except LinkRefused as refused:
        message = "has expired" if refused.reason == "expired" else "is not valid"
        raise InvitationError(f"This invitation link {message}.", reason=refused.reason) from None
    invitation = Invitation.objects.select_related("cohort", "invited_by").filter(pk=pk, nonce=nonce).first()
    if invitation is None:
        raise InvitationError("This invitation link is not valid.", reason="invalid")
    check_invitation_usable(invitation)
    return invitation


def check_invitation_usable(invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise InvitationError("This invitation has already been used.", reason="used")
    if invitation.revoked_at:
        raise InvitationError("This invitation has been withdrawn by the tutor.", reason="withdrawn")
    if invitation.is_expired:
        raise InvitationError("This invitation link has expired.", reason="expired")


@transaction.atomic
def invite_person(*, cohort: Cohort, email: str, role: str, actor: User) -> Invitation:
    """Invite someone to the cohort; any earlier pending invitation for them is withdrawn."""
    email = email.strip().lower()
    if role not in Invitation.INVITABLE_ROLES:
        raise PortfolioError("That role cannot be invited.")
    already = (
        Portfolio.objects.filter(cohort=cohort, learner__email__iexact=email).exists()
        if role == Role.LEARNER
        else Membership.objects.filter(cohort=cohort, user__email__iexact=email, role=role).exists()
    )
    if already:
        raise PortfolioError(f"{email} is already in this cohort in that role.")
    now = timezone.now()
    Invitation.objects.filter(
        cohort=cohort, email__iexact=email, role=role, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = Invitation.objects.create(
        cohort=cohort,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=now + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
    )
    # By name: the task module imports this one (for the invitation's address).
    outbox.enqueue("core.tasks.send_invitation_email", args=[invitation.pk])
    log.info("invitation %s to %s as %s by %s", invitation.pk, email, role, actor.username)
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, actor: User) -> Invitation:
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at:
        raise PortfolioError("That invitation has already been accepted.")
    if not locked.revoked_at:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    log.info("invitation %s withdrawn by %s", locked.pk, actor.username)
    return locked


def create_invited_account(
    *, email: str, username: str, password: str | None, first_name: str, last_name: str, role: str
) -> User:
    """The account of someone who followed an invitation link; refused (nothing created) when the
    username or the address is already in use. Call inside the caller's transaction. Without a
    password the account has none that works: it logs in through single sign-on only."""
    if User.objects.filter(username__iexact=username).exists():
        raise PortfolioError("That username is taken: choose another.")
    if User.objects.filter(email__iexact=email).exists():
        raise PortfolioError("An account with this e-mail address already exists: log in to accept.")
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=username,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                role=role,
            )
    except IntegrityError:
        raise PortfolioError("That username is taken: choose another.") from None


def _join_cohort(*, invitation: Invitation, user: User) -> None:
    if invitation.role == Role.LEARNER:
        Portfolio.objects.get_or_create(cohort=invitation.cohort, learner=user)
    else:
        Membership.objects.get_or_create(cohort=invitation.cohort, user=user, role=invitation.role)


@transaction.atomic
def accept_invitation(
    *, invitation: Invitation, username: str, password: str | None, first_name: str, last_name: str
) -> User:
    """Create the invited person's account and their place in the cohort, or nothing."""
    locked = Invitation.objects.select_for_update().select_related("cohort").get(pk=invitation.pk)
    check_invitation_usable(locked)
    user = create_invited_account(
        email=locked.email,
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=locked.role,
    )
    _join_cohort(invitation=locked, user=user)
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    log.info("invitation %s accepted by new account %s", locked.pk, user.username)
    return user


@transaction.atomic
def accept_invitation_as(*, invitation: Invitation, user: User) -> None:
    """An existing account, logged in with the invited address, joins the cohort."""
    locked = Invitation.objects.select_for_update().select_related("cohort").get(pk=invitation.pk)
    check_invitation_usable(locked)
    if user.email.lower() != locked.email.lower():
        raise PortfolioError("This invitation was sent to another e-mail address.")
    if user.role != locked.role and not user.is_superuser:
        raise PortfolioError(
            f"This invitation is for a {locked.get_role_display().lower()}; "
            f"your account is a {user.get_role_display().lower()} account."
        )
    _join_cohort(invitation=locked, user=user)
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    log.info("invitation %s accepted by existing account %s", locked.pk, user.username)


def finish_tour(*, user: User) -> None:
    """The person has finished or skipped the first log-in's tour: their home page stops showing it."""
    User.objects.filter(pk=user.pk, tour_seen_at__isnull=True).update(tour_seen_at=timezone.now())


def restart_tour(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(tour_seen_at=None)


def notify(
    *, recipients: Iterable[User | None], portfolio: Portfolio | None, subject: str, body: str, url: str
) -> None:
    """An in-app notification for each person, and an e-mail queued through the outbox."""
    # Subjects name people, and a name may be long enough to overflow the column.
    subject = Truncator(subject).chars(Notification._meta.get_field("subject").max_length)
    for recipient in {r.pk: r for r in recipients if r is not None}.values():
        note = Notification.objects.create(
            recipient=recipient, portfolio=portfolio, subject=subject, body=body, url=url
        )
        outbox.enqueue("core.tasks.send_notification_email", args=[note.pk])
