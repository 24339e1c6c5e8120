"""People, cohorts, invitations, criteria frameworks and the learner's portfolio."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator
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
    # From outside the centre: reads only what a grant names, while it lasts (EqaGrant).
    EQA = "eqa", "External quality assurer"


class User(AbstractUser):
    """A person. Their role decides their home page and what they may open."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.LEARNER)
    # When the person finished or skipped the first log-in's tour (core.tour); empty until then.
    tour_seen_at = models.DateTimeField(null=True, blank=True)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_tutor(self) -> bool:
        return self.role == Role.TUTOR

    @property
    def is_eqa(self) -> bool:
        return self.role == Role.EQA

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


# --- Submission, assessment and quality assurance ------------------------------------


class AppendOnlyModel(models.Model):
    """A record that is written once: saving it again or deleting it raises an error."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError(f"{self._meta.verbose_name} is append-only: it cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name} is append-only: it cannot be deleted.")


class PortfolioVersion(AppendOnlyModel):
    """A submitted, frozen copy of the whole portfolio, numbered from 1."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    declaration = models.TextField(help_text="The authenticity declaration the learner signed.")
    snapshot = models.JSONField()
    digest = models.CharField("SHA-256 of the snapshot", max_length=64)

    class Meta:
        ordering = ["portfolio", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "number"], name="unique_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.portfolio} version {self.number}"

    @property
    def state(self) -> VersionState:
        """Where the version stands, from its outcome (loaded with it, or read here once)."""
        return VersionState.of(getattr(self, "outcome", None))


class VersionState(models.TextChoices):
    """Where a submitted version stands. Not stored: it is read from the version's outcome
    (none yet, returned or signed off). The values are the words the pages show."""

    AWAITING_REVIEW = "awaiting review", "Awaiting review"
    RETURNED = "returned", "Returned"
    SIGNED_OFF = "signed off", "Signed off"

    @classmethod
    def of(cls, outcome: VersionOutcome | None) -> VersionState:
        """The state a version with this outcome (None: no outcome yet) is in."""
        if outcome is None:
            return cls.AWAITING_REVIEW
        return cls.SIGNED_OFF if outcome.kind == VersionOutcome.Kind.SIGNED_OFF else cls.RETURNED

    @property
    def is_awaiting_review(self) -> bool:
        """For templates, which cannot name a member: ``{% if state.is_awaiting_review %}``."""
        return self is VersionState.AWAITING_REVIEW


class VersionFile(AppendOnlyModel):
    """A stored file a version refers to: kept even if the evidence item is deleted later."""

    version = models.ForeignKey(PortfolioVersion, on_delete=models.PROTECT, related_name="files")
    evidence_id = models.PositiveBigIntegerField()
    name = models.CharField("storage name", max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=128)
    size = models.PositiveBigIntegerField(null=True)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["version", "evidence_id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_inline(self) -> bool:
        return self.content_type.startswith("image/") or self.content_type == "application/pdf"


class CriterionDecision(AppendOnlyModel):
    """An assessor's decision on one criterion of one version. A changed decision is a
    new row that supersedes the previous one; rows are never edited."""

    class Status(models.TextChoices):
        MET = "met", "Met"
        NOT_YET_MET = "not_yet_met", "Not yet met"

    version = models.ForeignKey(PortfolioVersion, on_delete=models.PROTECT, related_name="decisions")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="decisions")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    feedback = models.TextField(blank=True)
    evidence_ids = models.JSONField(default=list, help_text="Evidence of the version it rests on.")
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "criterion", "decided_at", "pk"]
        constraints = [
            # Only one first decision per criterion and version; later ones each supersede one.
            models.UniqueConstraint(
                fields=["version", "criterion"],
                condition=Q(supersedes__isnull=True),
                name="one_first_decision_per_criterion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.get_status_display()}"


class VersionOutcome(AppendOnlyModel):
    """The end of a review: returned for resubmission, or signed off. One per version."""

    class Kind(models.TextChoices):
        RETURNED = "returned", "Returned for resubmission"
        SIGNED_OFF = "signed_off", "Signed off"

    version = models.OneToOneField(PortfolioVersion, on_delete=models.PROTECT, related_name="outcome")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    digest = models.CharField("digest of the version signed", max_length=64)

    def __str__(self) -> str:
        return f"{self.version}: {self.get_kind_display()}"


class QualitySample(models.Model):
    """A decision the internal quality assurer sampled, their finding and the assessor's answer."""

    class Finding(models.TextChoices):
        PENDING = "pending", "Not yet reviewed"
        AGREED = "agreed", "Agreed"
        ACTION = "action", "Action for the assessor"

    decision = models.ForeignKey(CriterionDecision, on_delete=models.PROTECT, related_name="samples")
    sampled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sampled_at = models.DateTimeField(default=timezone.now)
    finding = models.CharField(max_length=16, choices=Finding.choices, default=Finding.PENDING)
    comment = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField("assessor's answer", blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sampled_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["decision"], name="sample_a_decision_once")]

    def __str__(self) -> str:
        return f"Sample of {self.decision}"


class AuditEntry(AppendOnlyModel):
    """One line of a learner's assessment trail: who did what, when, to which version."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        DECIDED = "decided", "Criterion decided"
        RETURNED = "returned", "Returned for resubmission"
        SIGNED_OFF = "signed_off", "Signed off"
        SAMPLED = "sampled", "Sampled for quality assurance"
        QA_FINDING = "qa_finding", "Quality assurance finding"
        QA_RESPONSE = "qa_response", "Assessor answered quality assurance"
        DISCUSSED = "discussed", "Message in a feedback thread"
        ANNOTATED = "annotated", "Evidence annotated"
        # The learner's verifiable credential (the credentials app).
        CREDENTIAL_ISSUED = "vc_issued", "Credential issued"
        CREDENTIAL_REVOKED = "vc_revoked", "Credential revoked"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="audit_entries")
    version = models.ForeignKey(PortfolioVersion, on_delete=models.PROTECT, null=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    summary = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.get_action_display()}"


class Notification(models.Model):
    """A message for one person in the app (and by e-mail)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Empty for news about no one learner (an external quality assurer's general finding).
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject


# --- PDF exports ----------------------------------------------------------------------------


def new_export_token() -> str:
    return secrets.token_urlsafe(24)


class Export(models.Model):
    """One PDF of a portfolio (its working copy, or a submitted version), from request to file.

    ``content_key`` names what the document shows (see ``reports.services.content_key``), so
    the same content is rendered once. ``token`` is random: it is the Celery task id and the
    stored file's name, so neither can be guessed from an id. ``claimed_by`` says which run
    (a task delivery or the command line) is rendering, so a duplicate run does nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        # A newer PDF of the same working copy or version was made; this file was removed.
        REPLACED = "replaced", "Replaced by a newer PDF"

    ACTIVE = (Status.PENDING, Status.RUNNING)

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="exports")
    version = models.ForeignKey(
        PortfolioVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exports",
        help_text="Empty for the working copy.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when made from the command line.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    stage = models.CharField(max_length=120, blank=True)
    content_key = models.CharField(max_length=64)
    token = models.CharField(max_length=64, unique=True, default=new_export_token, editable=False)
    claimed_by = models.CharField(max_length=64, blank=True)
    file = models.FileField(max_length=300, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    missing_charts = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written by the running render every few seconds: a running job whose heartbeat stops was
    # lost with its worker, and the outbox sweeper starts it again (reports.services.recovery).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["portfolio", "-created_at"], name="export_recent_idx")]
        constraints = [
            # A double click, or two people asking at once, cannot queue the same document twice.
            models.UniqueConstraint(
                fields=["portfolio", "content_key"],
                condition=Q(status__in=["pending", "running"]),
                name="one_active_export_per_content",
            ),
            # One content, one stored file.
            models.UniqueConstraint(
                fields=["portfolio", "content_key"],
                condition=Q(status="done"),
                name="one_done_export_per_content",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"PDF of {self.portfolio} ({self.subject})"

    @property
    def subject(self) -> str:
        return f"version {self.version.number}" if self.version_id else "working copy"

    @property
    def title(self) -> str:
        """“PDF of version 2”, “PDF of the working copy”."""
        return f"PDF of {'' if self.version_id else 'the '}{self.subject}"

    @staticmethod
    def stale_cutoff() -> datetime:
        """A job waiting or running since before this moment took longer than any render may."""
        return timezone.now() - timedelta(seconds=settings.EXPORT_STALE_AFTER)

    @classmethod
    def stale_q(cls) -> Q:
        """``is_stale`` as a filter: waiting since before the cutoff, or running since then
        (counted from when it was queued if it never recorded a start)."""
        cutoff = cls.stale_cutoff()
        # A job waiting for a broker that is down is not lost: its outbox message is still to
        # be sent. Only a waiting job with no message left to send is.
        queued = OutboxMessage.objects.filter(gave_up_at__isnull=True, done_at__isnull=True).values("task_id")
        return (
            (Q(status=cls.Status.PENDING, queued_at__lt=cutoff) & ~Q(token__in=queued))
            | Q(status=cls.Status.RUNNING, heartbeat_at__lt=cutoff)
            | Q(status=cls.Status.RUNNING, heartbeat_at__isnull=True, started_at__lt=cutoff)
            | Q(
                status=cls.Status.RUNNING,
                heartbeat_at__isnull=True,
                started_at__isnull=True,
                queued_at__lt=cutoff,
            )
        )

    @property
    def is_stale(self) -> bool:
        """Waiting or running for longer than any render may take: the run was lost."""
        if self.status not in self.ACTIVE:
            return False
        if self.status == self.Status.PENDING:
            # The query runs only for a job waiting longer than any render takes (rare).
            return self.queued_at < self.stale_cutoff() and not OutboxMessage.is_queued(self.token)
        since = self.heartbeat_at or self.started_at or self.queued_at
        return since < self.stale_cutoff()

    @property
    def waits_for_service(self) -> bool:
        """Waiting because its message could not be handed to the broker yet (it is down)."""
        return self.status == self.Status.PENDING and OutboxMessage.is_undispatched(self.token)

    @property
    def shown_status(self) -> str:
        """The status to show and act on: a stale job counts as failed, so a retry is offered."""
        return self.Status.FAILED if self.is_stale else self.status

    @property
    def is_active(self) -> bool:
        return self.shown_status in self.ACTIVE

    @property
    def shown_error(self) -> str:
        return STALE_EXPORT_MESSAGE if self.is_stale else self.error


STALE_EXPORT_MESSAGE = (
    "The export stopped without finishing (the worker making it may have been restarted). "
    "Nothing was saved: try again."
)


# --- Throttling log-ins and password resets --------------------------------------------------


class AuthEvent(models.Model):
    """One failed or successful log-in, or one password-reset request or mail, for throttling.

    Kept in the database so every web instance and worker sees the same counts; old rows
    are pruned as new ones are written (see ``core.throttling``). ``username`` is the
    name as typed, case-folded (a reset mail stores the account's); ``address`` is the client
    address (an IPv6 address as its /64 network).
    """

    class Kind(models.TextChoices):
        LOGIN_FAILED = "login_failed", "Failed log-in"
        LOGIN_SUCCEEDED = "login_ok", "Log-in (the address is known for this username)"
        RESET_REQUESTED = "reset_asked", "Password reset asked for"
        RESET_SENT = "reset_sent", "Password reset e-mail sent"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    username = models.CharField(max_length=150, blank=True)
    address = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "username", "at"], name="authevent_kind_user_at"),
            models.Index(fields=["kind", "address", "at"], name="authevent_kind_address_at"),
            models.Index(fields=["at"], name="authevent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username} {self.address}"


# --- Editing: version tokens and drafts (core/concurrency.py, core/drafts.py) ----


class EditRevision(models.Model):
    """How many times one editable record (a step, an item, a cohort) has been saved.

    A form carries the number it was opened at; a save moves it on only from that number,
    so a second save from the same page finds it moved and is shown the other version."""

    scope = models.CharField(max_length=120, unique=True)
    revision = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.scope} r{self.revision}"


class FormDraft(models.Model):
    """Text a person typed in a form and has not saved yet; never the record itself."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_drafts")
    scope = models.CharField(max_length=120)
    path = models.CharField(max_length=300)
    fields = models.JSONField(default=dict)
    base_revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "scope"], name="one_draft_per_person_and_form")
        ]

    def __str__(self) -> str:
        return f"Draft of {self.scope}"

    @staticmethod
    def expiry_cutoff() -> datetime:
        """Drafts last saved before this have expired (``FORM_DRAFT_DAYS``)."""
        return timezone.now() - timedelta(days=settings.FORM_DRAFT_DAYS)


def new_task_id() -> str:
    return uuid.uuid4().hex


class OutboxMessage(models.Model):
    """Background work to do (an e-mail, a render, an import), written in the same
    transaction as the action that causes it, then handed to the broker from here.

    ``core.outbox`` writes and dispatches these; a broker outage leaves rows undispatched
    until the sweeper hands them over, so the work is delayed, never lost. ``task_id`` is the
    Celery task id of every delivery of the message, which is how a task run twice finds out
    that its work is done or under way (``core.outbox.OutboxTask``).
    """

    task = models.CharField(max_length=200, help_text="The Celery task's name.")
    args = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, unique=True, default=new_task_id, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Not handed to the broker before this moment: the next sweep after a failed hand-over,
    # or, once handed over, when it is sent again if it has not run by then.
    due_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    deliveries = models.PositiveSmallIntegerField(default=0, help_text="Times handed to the broker.")
    failed_dispatches = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The id of the request that queued the message, carried to the task whenever it is handed
    # over, so the task's log lines carry it too (core.observability).
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["due_at", "created_at"],
                condition=Q(done_at__isnull=True, gave_up_at__isnull=True),
                name="outbox_to_send_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"

    @classmethod
    def is_queued(cls, task_id: str) -> bool:
        """A message with this task id is still to be sent, run or retried."""
        return cls.objects.filter(task_id=task_id, gave_up_at__isnull=True, done_at__isnull=True).exists()

    @classmethod
    def is_undispatched(cls, task_id: str) -> bool:
        return cls.objects.filter(
            task_id=task_id, dispatched_at__isnull=True, done_at__isnull=True, gave_up_at__isnull=True
        ).exists()


# --- External quality assurance (core/eqa.py) -------------------------------------------------


class EqaGrant(models.Model):
    """Read-only access for an external quality assurer to chosen learners or versions of a
    cohort, from ``starts_at`` until ``ends_at`` (or until ended early).

    Made for an e-mail address: an existing EQA account with that address is attached at
    once (``eqa``); otherwise the link the address receives carries a signed token over the
    nonce, and accepting it creates the EQA's account. Nothing runs at the end date: the
    gate (core/access.py) compares the dates on every request.
    """

    MAX_DAYS = 90

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="eqa_grants")
    email = models.EmailField()
    eqa = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="eqa_grants"
    )
    nonce = models.CharField(max_length=64, default=new_invitation_nonce, unique=True, editable=False)
    purpose = models.TextField(blank=True, help_text="What the moderation is for, shown to the assurer.")
    # Whole learners: every version they submitted, now or during the grant.
    portfolios = models.ManyToManyField(Portfolio, blank=True, related_name="eqa_grants")
    # Single versions of other learners.
    versions = models.ManyToManyField(PortfolioVersion, blank=True, related_name="eqa_grants")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="eqa_grant_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"EQA access for {self.email} to {self.cohort}"

    def get_absolute_url(self) -> str:
        return reverse("portfolio:eqa_grant_manage", args=[self.cohort_id, self.pk])

    @property
    def last_day(self) -> date:
        """The last day of the access, as the tutor chose it (it ends at that day's midnight)."""
        return timezone.localdate(self.ends_at - timedelta(microseconds=1))

    @property
    def closes_at(self) -> datetime:
        """When the access stopped or will stop: ended early, or the end date."""
        return self.ended_at if self.ended_at and self.ended_at < self.ends_at else self.ends_at

    @property
    def is_live(self) -> bool:
        now = timezone.now()
        return self.ended_at is None and self.starts_at <= now < self.ends_at

    @property
    def status(self) -> str:
        if self.ended_at:
            return "ended early"
        if timezone.now() >= self.ends_at:
            return "expired"
        if self.eqa_id is None:
            return "waiting for the assurer to accept"
        return "live"


class EqaAccessLog(AppendOnlyModel):
    """One page an external quality assurer opened (core.eqa.EqaAccessLogMiddleware)."""

    eqa = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grant = models.ForeignKey(EqaGrant, on_delete=models.PROTECT, null=True, blank=True, related_name="log")
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["grant", "-at"], name="eqa_log_grant_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.eqa} {self.method} {self.path}"


class EqaFinding(AppendOnlyModel):
    """What an external quality assurer reports to the centre, about one learner or version or
    about the sample as a whole."""

    grant = models.ForeignKey(EqaGrant, on_delete=models.PROTECT, related_name="findings")
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(
        PortfolioVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"EQA finding by {self.created_by} on {self.at:%Y-%m-%d}"
