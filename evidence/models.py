"""Evidence items and their mappings to criteria."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from portfolio.models import Criterion, Portfolio


class Evidence(models.Model):
    """Something in the portfolio that proves one or more criteria."""

    class Kind(models.TextChoices):
        FILE = "file", "File"
        REFLECTION = "reflection", "Written reflection"
        LINK = "link", "Link"
        TRANSCRIPT = "transcript", "Social media interaction"
        SECTION = "section", "Portfolio section"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    occurred_on = models.DateField("date", default=timezone.localdate)
    # For kind=section: the registered section this row stands for (see evidence.sections).
    section_key = models.CharField(max_length=64, blank=True)
    section_complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "section_key"],
                condition=Q(kind="section"),
                name="one_evidence_row_per_section",
            ),
            models.CheckConstraint(
                condition=Q(kind="section", section_key__gt="") | (~Q(kind="section") & Q(section_key="")),
                name="section_key_only_for_sections",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CriterionMapping(models.Model):
    """Evidence claimed against a criterion. Without a note on how it proves the
    criterion, a mapping counts only as claimed, not as evidenced."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="mappings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="mappings")
    note = models.TextField(blank=True)
    is_default = models.BooleanField(default=False, help_text="Added automatically for a section.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evidence", "criterion"], name="unique_mapping")]

    def __str__(self) -> str:
        return f"{self.evidence} → {self.criterion.code}"

    @property
    def is_evidenced(self) -> bool:
        return bool(self.note.strip())
