"""Talking a version through: feedback threads and the assessor's annotations on evidence.

Both belong to one submitted version. A thread is about one criterion or one evidence item of
that version (an item is named by its id in the version's snapshot, since the evidence itself
may change or go after submission); its messages, like annotations, are written once and never
edited or deleted, as the rest of the assessment record.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import AppendOnlyModel, Criterion, PortfolioVersion

MESSAGE_MAX_LENGTH = 4000
ANNOTATION_MAX_LENGTH = 2000


class Thread(AppendOnlyModel):
    """The conversation about one criterion, or one evidence item, of one version."""

    version = models.ForeignKey(PortfolioVersion, on_delete=models.PROTECT, related_name="threads")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The evidence item's id in the version's snapshot."
    )
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(criterion__isnull=False, evidence_id__isnull=True)
                | Q(criterion__isnull=True, evidence_id__isnull=False),
                name="thread_about_a_criterion_or_an_item",
            ),
            models.UniqueConstraint(
                fields=["version", "criterion"],
                condition=Q(criterion__isnull=False),
                name="one_thread_per_criterion_and_version",
            ),
            models.UniqueConstraint(
                fields=["version", "evidence_id"],
                condition=Q(evidence_id__isnull=False),
                name="one_thread_per_item_and_version",
            ),
        ]

    def __str__(self) -> str:
        about = f"criterion {self.criterion_id}" if self.criterion_id else f"evidence {self.evidence_id}"
        return f"Thread on {about} of {self.version}"


class ThreadMessage(AppendOnlyModel):
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    posted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["thread", "posted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author} on {self.thread}"


class Annotation(AppendOnlyModel):
    """An assessor's comment on an evidence item of a version, optionally pinned to a point of
    an image (fractions of its width and height, from the top left) or to a page of a PDF."""

    version = models.ForeignKey(PortfolioVersion, on_delete=models.PROTECT, related_name="annotations")
    evidence_id = models.PositiveBigIntegerField(
        help_text="The evidence item's id in the version's snapshot."
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=ANNOTATION_MAX_LENGTH)
    x = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)])
    y = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)])
    page = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "evidence_id", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(x__isnull=True, y__isnull=True)
                | Q(x__gte=0, x__lte=1, y__gte=0, y__lte=1, page__isnull=True),
                name="annotation_point_inside_and_not_with_a_page",
            ),
            models.CheckConstraint(
                condition=Q(page__isnull=True) | Q(page__gte=1), name="annotation_page_from_one"
            ),
        ]

    def __str__(self) -> str:
        return f"Annotation on evidence {self.evidence_id} of {self.version}"

    @property
    def pinned_to_point(self) -> bool:
        return self.x is not None and self.y is not None

    @property
    def across(self) -> int:
        """The point's distance from the left edge, in whole per cent."""
        return round((self.x or 0) * 100)

    @property
    def down(self) -> int:
        return round((self.y or 0) * 100)
