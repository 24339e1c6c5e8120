"""LTI 1.3 registrations and what a launch links: platform users, courses, line items.

A ``Registration`` is one platform (a Moodle site, a Canvas instance) as the centre set it up in
the admin. A course launched from it is a ``CourseLink`` to a cohort, a platform user an
``LtiAccount`` (their stable ``sub``) linked to a user of ours. ``LoginState`` holds the OIDC
state and nonce between the login initiation and the launch, server-side, so a launch in an
iframe whose third-party cookies are blocked can still be checked, and once only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import Cohort, Portfolio, Role


class Registration(models.Model):
    """A platform the tool is registered with (issuer + client id), and its deployments."""

    class TeacherRole(models.TextChoices):
        TUTOR = Role.TUTOR.value, Role.TUTOR.label
        ASSESSOR = Role.ASSESSOR.value, Role.ASSESSOR.label

    name = models.CharField(max_length=200, help_text="e.g. the college's Moodle")
    issuer = models.URLField("platform issuer (iss)", max_length=300)
    client_id = models.CharField(max_length=300)
    deployment_ids = models.TextField(help_text="One deployment id a line, as the platform shows them.")
    auth_login_url = models.URLField("OIDC auth login URL", max_length=500)
    auth_token_url = models.URLField("OAuth2 access token URL", max_length=500)
    key_set_url = models.URLField("platform JWKS URL", max_length=500)
    teacher_role = models.CharField(
        max_length=16,
        choices=TeacherRole.choices,
        default=TeacherRole.TUTOR,
        help_text="What the course's instructors become in the cohort.",
    )
    trust_email = models.BooleanField(
        "link existing accounts by e-mail",
        default=False,
        help_text=(
            "Only if this platform verifies its users' e-mail addresses: a first launch then joins an "
            "existing account with the same address instead of creating one."
        ),
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_unique_client")]

    def __str__(self) -> str:
        return self.name

    @property
    def deployments(self) -> list[str]:
        return [line.strip() for line in self.deployment_ids.splitlines() if line.strip()]


class LtiAccount(models.Model):
    """A platform user (``sub`` of a registration) and the user of ours they launch as."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="accounts")
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_accounts")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "sub"], name="lti_unique_sub")]

    def __str__(self) -> str:
        return f"{self.sub} @ {self.registration}"


class CourseLink(models.Model):
    """A platform course (LTI context) and its cohort, with the course's service endpoints."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="courses")
    context_id = models.CharField(max_length=255)
    title = models.CharField(max_length=255, blank=True)
    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="lti_course")
    memberships_url = models.URLField(max_length=500, blank=True)
    lineitem_url = models.URLField(max_length=500, blank=True)
    lineitems_url = models.URLField(max_length=500, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    roster_synced_at = models.DateTimeField(null=True, blank=True)
    # The last failed read of the roster, kept until a read succeeds (shown to the cohort's staff).
    roster_failed_at = models.DateTimeField(null=True, blank=True)
    roster_error = models.TextField(blank=True)
    # Why the tool could not create its own gradebook column, until it can.
    lineitem_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "context_id"], name="lti_unique_context")
        ]

    def __str__(self) -> str:
        return f"{self.title or self.context_id} → {self.cohort}"


class CourseDeparture(models.Model):
    """A member placed in the course's cohort whom the platform's roster no longer lists as
    active: they left the course (or were suspended). Their portfolio and account stay; the
    cohort's staff see who left. Gone again once they are back in the roster or launch."""

    course = models.ForeignKey(CourseLink, on_delete=models.CASCADE, related_name="departures")
    account = models.ForeignKey(LtiAccount, on_delete=models.CASCADE, related_name="departures")
    left_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["left_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["course", "account"], name="lti_unique_departure")]

    def __str__(self) -> str:
        return f"{self.account} left {self.course}"


class GradeSync(models.Model):
    """The last result sent for a portfolio to its course's line item (what, when, any error)."""

    portfolio = models.OneToOneField(Portfolio, on_delete=models.CASCADE, related_name="lti_grade")
    score = models.PositiveSmallIntegerField(null=True)
    signed_off = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.portfolio}: {self.score}"


class LoginState(models.Model):
    """An OIDC login under way: its state and nonce, used once, within ``LTI_LOGIN_SECONDS``."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=100, unique=True)
    nonce = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"login {self.pk} ({'used' if self.used_at else 'open'})"


class LaunchTicket(models.Model):
    """A checked launch waiting to be opened in a window of its own (cookies blocked in the iframe)."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ticket {self.pk} for {self.user_id}"
