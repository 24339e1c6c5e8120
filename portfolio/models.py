"""People, cohorts, invitations, criteria frameworks and the learner's portfolio."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class Role(models.TextChoices):
    LEARNER = "learner", "Learner"
    ASSESSOR = "assessor", "Assessor"
    TUTOR = "tutor", "Tutor"
    IQA = "iqa", "Internal quality assurer"
    STAFF = "staff", "Staff"


class User(AbstractUser):
    """A person. Their role decides their home page and what they may open."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.LEARNER)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_tutor(self) -> bool:
        return self.role == Role.TUTOR

    @property
    def is_staff_role(self) -> bool:
        return self.role == Role.STAFF or self.is_superuser


# --- Criteria as data -------------------------------------------------------------


class Framework(models.Model):
    """A set of criteria loaded from a file: a standard, a unit, a Moodle framework."""

    class Kind(models.TextChoices):
        STANDARD = "standard", "Occupational standard"
        UNIT = "unit", "Qualification unit"
        OTHER = "other", "Other framework"

    code = models.CharField(max_length=64, unique=True)
    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    version = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class CriterionGroup(models.Model):
    """A heading criteria sit under: a learning outcome, or a group of the standard."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(max_length=64)
    title = models.TextField()
    kind = models.CharField(max_length=32, blank=True, help_text="performance, knowledge, outcome…")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_group_code_per_framework")
        ]

    def __str__(self) -> str:
        return f"{self.framework.code} {self.code}"


class Criterion(models.Model):
    """One criterion, its code and wording exactly as the source document gives them."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria")
    group = models.ForeignKey(CriterionGroup, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(max_length=64)
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)
    related = models.ManyToManyField(
        "self", through="CrosswalkLink", symmetrical=False, related_name="related_from", blank=True
    )

    class Meta:
        ordering = ["framework", "group__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_criterion_code_per_framework")
        ]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class CrosswalkLink(models.Model):
    """Two criteria of different frameworks that the same evidence can prove."""

    source = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="crosswalk_out")
    target = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="crosswalk_in")
    rationale = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="unique_crosswalk_pair"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="crosswalk_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source.code} ↔ {self.target.code}"


# --- Cohorts and people ------------------------------------------------------------


class Cohort(models.Model):
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=50, unique=True, help_text="Short reference, e.g. CS-2026-SEP")
    organisation = models.CharField("college or provider", max_length=200, blank=True)
    frameworks = models.ManyToManyField(Framework, related_name="cohorts")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cohorts_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="cohort_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portfolio:cohort_detail", args=[self.pk])


class Membership(models.Model):
    """A member of staff's place in a cohort: tutor, assessor or quality assurer."""

    STAFF_ROLES = (Role.TUTOR, Role.ASSESSOR, Role.IQA)

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=[(r.value, r.label) for r in STAFF_ROLES])
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "user__last_name", "user__first_name"]
        constraints = [models.UniqueConstraint(fields=["cohort", "user", "role"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.cohort}"


class Portfolio(models.Model):
    """A learner's place in a cohort and the portfolio they build there."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="portfolios")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portfolios")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessed_portfolios",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["learner__last_name", "learner__first_name", "learner__username"]
        constraints = [models.UniqueConstraint(fields=["cohort", "learner"], name="one_portfolio_per_cohort")]

    def __str__(self) -> str:
        return f"{self.learner.display_name} — {self.cohort}"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:portfolio_detail", args=[self.pk])


def new_invitation_nonce() -> str:
    return secrets.token_urlsafe(16)


class Invitation(models.Model):
    """A single-use, expiring invitation to join a cohort in a given role.

    The link carries a signed token (see ``portfolio.invitations``); the nonce stored
    here means a token cannot be forged for another row, and ``accepted_at`` makes
    it single-use.
    """

    INVITABLE_ROLES = (Role.LEARNER, Role.ASSESSOR, Role.IQA, Role.TUTOR)

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=[(r.value, r.label) for r in INVITABLE_ROLES])
    nonce = models.CharField(max_length=64, default=new_invitation_nonce, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.cohort} as {self.get_role_display()}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "withdrawn"
        if self.is_expired:
            return "expired"
        return "pending"
