"""A learner's archive of their data, and the trail of what data protection did."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import AppendOnlyModel, OutboxMessage


def new_archive_token() -> str:
    return secrets.token_urlsafe(24)


class SubjectAccessArchive(models.Model):
    """One zip of everything held about a learner, from request to download and expiry.

    ``token`` is random: the Celery task id and the stored file's name. The file is deleted
    ``PRIVACY_ARCHIVE_DAYS`` after it is made; the row stays, marked expired."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Being prepared"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    ACTIVE = (Status.PENDING, Status.RUNNING)

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subject_access_archives"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=120, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_archive_token, editable=False)
    claimed_by = models.CharField(max_length=64, blank=True)
    file = models.FileField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256 of the archive", max_length=64, blank=True)
    record_count = models.PositiveIntegerField(default=0)
    file_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A second request while one is being prepared is refused (privacy.services).
            models.UniqueConstraint(
                fields=["learner"],
                condition=Q(status__in=["pending", "running"]),
                name="one_archive_in_preparation_per_learner",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="archive_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"Archive of {self.learner_id}'s data ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def waits_for_service(self) -> bool:
        """Waiting because its outbox message could not be handed to the broker yet (it is down)."""
        return self.status == self.Status.PENDING and OutboxMessage.is_undispatched(self.token)

    @property
    def is_downloadable(self) -> bool:
        return (
            self.status == self.Status.DONE
            and bool(self.file.name)
            and (self.expires_at is None or self.expires_at > timezone.now())
        )


class PrivacyEntry(AppendOnlyModel):
    """One line of the data protection trail: an archive asked for or downloaded, a learner's
    data anonymised or deleted by the retention job, or erased on request.

    It names the learner by id only (``subject_id``), never by a key or a name, so it outlives
    what it records: a line saying a portfolio was deleted cannot point at the portfolio."""

    class Action(models.TextChoices):
        ARCHIVE_REQUESTED = "archive_requested", "Archive of their data asked for"
        ARCHIVE_DOWNLOADED = "archive_downloaded", "Archive of their data downloaded"
        RETENTION = "retention", "Retention period ended: data anonymised or deleted"
        ERASED = "erased", "Erased on request"
        ERASURE_REFUSED = "erasure_refused", "Erasure on request refused"

    subject_id = models.PositiveBigIntegerField(db_index=True, help_text="The learner's account id.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the scheduled retention job.",
    )
    action = models.CharField(max_length=24, choices=Action.choices)
    summary = models.TextField()
    # {record kind label: {"action": "deleted" | "anonymised", "count": n}} for erasures.
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "privacy entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} learner {self.subject_id}: {self.get_action_display()}"
