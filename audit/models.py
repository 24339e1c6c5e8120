"""The learner's audit (organisation, presence, customers, communities, competitors,
gaps) and the service data they import to measure it."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import ngettext

from core.models import AppendOnlyModel, Portfolio, PortfolioVersion


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X (Twitter)"
    TIKTOK = "tiktok", "TikTok"
    WHATSAPP = "whatsapp", "WhatsApp"
    TRUSTPILOT = "trustpilot", "Trustpilot"
    LINKEDIN = "linkedin", "LinkedIn"
    YOUTUBE = "youtube", "YouTube"
    WEBCHAT = "webchat", "Web chat"
    EMAIL = "email", "E-mail"
    WEB = "web", "Web form"
    PHONE = "phone", "Telephone"
    OTHER = "other", "Other"


# --- Guided audit steps ---------------------------------------------------------------


class OrganisationProfile(models.Model):
    """What the organisation offers and how its service runs today (P1, K1, K2)."""

    portfolio = models.OneToOneField(Portfolio, on_delete=models.CASCADE, related_name="audit_organisation")
    name = models.CharField("organisation name", max_length=200, blank=True)
    sector = models.CharField(max_length=200, blank=True)
    size_and_locations = models.TextField("size and locations", blank=True)
    service_offer = models.TextField("customer service offer", blank=True)
    products = models.TextField("products and services", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name or "Organisation"


class StepNote(models.Model):
    """The narrative part of a step that is mostly rows: one text per portfolio and step."""

    class Step(models.TextChoices):
        PRESENCE = "presence", "Current presence"
        CUSTOMERS = "customers", "Customer profile"
        COMMUNITIES = "communities", "Communities"
        COMPETITORS = "competitors", "Competitors"
        GAPS = "gaps", "Gaps and improvements"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="audit_notes")
    step = models.CharField(max_length=16, choices=Step.choices)
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["portfolio", "step"], name="one_audit_note_per_step")]

    def __str__(self) -> str:
        return f"{self.get_step_display()} note"


class AuditRow(models.Model):
    """Common to every repeating row of the audit: it belongs to a portfolio, in order."""

    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class ServiceProcess(AuditRow):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="audit_processes")
    name = models.CharField("process", max_length=200, blank=True)
    how_it_runs = models.TextField("how it runs today", blank=True)
    channels = models.CharField("channels used", max_length=200, blank=True)
    problems = models.TextField("problems seen", blank=True)

    class Meta(AuditRow.Meta):
        verbose_name_plural = "service processes"

    def __str__(self) -> str:
        return self.name


class PlatformPresence(AuditRow):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="audit_presences")
    platform = models.CharField(max_length=16, choices=Platform.choices, blank=True)
    account = models.CharField("account or handle", max_length=200, blank=True)
    audience = models.PositiveIntegerField("audience (followers)", null=True, blank=True)
    monthly_messages = models.PositiveIntegerField("customer messages a month", null=True, blank=True)
    typical_response_minutes = models.PositiveIntegerField(
        "typical first response (minutes)", null=True, blank=True
    )
    hours_covered = models.CharField("hours covered", max_length=200, blank=True)
    service_use = models.TextField("how it is used for service", blank=True)
    others_use = models.TextField("how other organisations use it", blank=True)

    def __str__(self) -> str:
        return self.get_platform_display() or "Platform"


class CustomerSegment(AuditRow):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="audit_segments")
    name = models.CharField("segment", max_length=200, blank=True)
    demographics = models.TextField(blank=True)
    platforms = models.CharField("platforms they use", max_length=300, blank=True)
    uses = models.TextField("what they use them for", blank=True)
    needs = models.TextField("service needs", blank=True)

    def __str__(self) -> str:
        return self.name


class Community(AuditRow):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="audit_communities")
    name = models.CharField("community", max_length=200, blank=True)
    platform = models.CharField(max_length=16, choices=Platform.choices, blank=True)
    size = models.PositiveIntegerField("approximate members", null=True, blank=True)
    profile = models.TextField("who they are and what they talk about", blank=True)
    relevance = models.TextField("why it matters to service", blank=True)

    class Meta(AuditRow.Meta):
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name


class CompetitorPresence(AuditRow):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="audit_competitors")
    competitor = models.CharField(max_length=200, blank=True)
    platform = models.CharField(max_length=16, choices=Platform.choices, blank=True)
    audience = models.PositiveIntegerField("audience (followers)", null=True, blank=True)
    service_activity = models.TextField("service activity seen", blank=True)
    strengths = models.TextField(blank=True)
    weaknesses = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.competitor} on {self.get_platform_display()}"


class ServiceGap(AuditRow):
    class Priority(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="audit_gaps")
    gap = models.CharField("service gap", max_length=300, blank=True)
    evidence = models.TextField("what shows it", blank=True)
    improvement = models.TextField("improvement proposed", blank=True)
    priority = models.CharField(max_length=8, choices=Priority.choices, blank=True)

    def __str__(self) -> str:
        return self.gap


# --- Service data ---------------------------------------------------------------------


class ColumnMapping(models.Model):
    """A learner's saved column mapping, reusable for their next export of the same kind."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="column_mappings")
    name = models.CharField(max_length=100)
    # canonical column → header in the file; see audit.importing.CANONICAL_COLUMNS
    columns = models.JSONField(default=dict)
    # how values are written: satisfaction scale, duration units, FCR source
    formats = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["portfolio", "name"], name="unique_mapping_name")]

    def __str__(self) -> str:
        return self.name


def import_upload_path(instance: ServiceDataImport, filename: str) -> str:
    return f"service-data/{instance.portfolio_id}/{filename}"


class ServiceDataImport(models.Model):
    """One uploaded file of interactions, from upload to imported (or refused).

    ``file`` is the upload as it was read (audit.reading keeps the parsed table, so the file
    is parsed once). Once every row has passed the checks, the interactions are kept as one
    Arrow IPC file (``dataset``, see audit.datasets) with its SHA-256; only an import that
    is done has one.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Uploaded, being read"
        UPLOADED = "uploaded", "Uploaded, columns to map"
        MAPPED = "mapped", "Mapped, ready to check"
        QUEUED = "queued", "Waiting to import"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Refused"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="service_imports")
    file = models.FileField("the file as read", upload_to=import_upload_path, max_length=300)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    stage = models.CharField(max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    headers = models.JSONField(default=list)
    # A few values of each column, and which way round its slashed dates are written (proof, or
    # none): found once when the file is read, shown when the columns are mapped.
    samples = models.JSONField(default=dict)
    date_order = models.JSONField(default=dict)
    columns = models.JSONField("column mapping used", default=dict)
    formats = models.JSONField(default=dict)
    mapping_name = models.CharField(max_length=100, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"row": 12, "column": "Created at", "message": "…"}], first 50
    error_count = models.PositiveIntegerField(default=0)
    # The storage names the file itself (audit.datasets.storage_name), hence no upload_to.
    dataset = models.FileField("imported interactions (Arrow IPC)", max_length=300, blank=True)
    dataset_sha256 = models.CharField("SHA-256 of the dataset", max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # All or nothing: a dataset exactly when every row passed and the import is done.
            models.CheckConstraint(
                condition=(Q(status="done") & ~Q(dataset="") & ~Q(dataset_sha256=""))
                | (~Q(status="done") & Q(dataset="") & Q(dataset_sha256="")),
                name="dataset_exactly_when_done",
            )
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.RECEIVED, self.Status.QUEUED, self.Status.RUNNING}


class VersionDataset(AppendOnlyModel):
    """The service data a submitted version's KPIs were computed from.

    Like ``portfolio.VersionFile`` for evidence files: the row keeps the dataset file
    alive when the import is deleted later, so the version still shows what was assessed.
    """

    version = models.OneToOneField(PortfolioVersion, on_delete=models.PROTECT, related_name="service_dataset")
    import_id = models.PositiveBigIntegerField()  # not a key: the import may be deleted
    name = models.CharField("storage name", max_length=300, db_index=True)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["version"]

    def __str__(self) -> str:
        return self.original_name


class KpiSettings(models.Model):
    """The learner's own service level and the two periods they compare."""

    portfolio = models.OneToOneField(Portfolio, on_delete=models.CASCADE, related_name="kpi_settings")
    sla_minutes = models.PositiveIntegerField(
        "first response target (minutes)", default=60, validators=[MinValueValidator(1)]
    )
    baseline_start = models.DateField(null=True, blank=True)
    baseline_end = models.DateField(null=True, blank=True)
    follow_up_start = models.DateField(null=True, blank=True)
    follow_up_end = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "KPI settings"
        verbose_name_plural = "KPI settings"

    def __str__(self) -> str:
        return f"KPI settings for {self.portfolio}"


class ChunkedUpload(models.Model):
    """A file of service data arriving in pieces (``audit.services.append_chunk``): a large
    file over a slow link resumes where the server says it stopped rather than failing at
    99 %. The bytes so far are a temporary file named after the id, in
    ``settings.SERVICE_DATA_UPLOAD_DIR``, owned by the learner who started it; once whole,
    the file goes through the ordinary upload. One left unfinished is removed after
    ``SERVICE_DATA_UPLOAD_EXPIRY_HOURS``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField("size the browser announced")
    received = models.PositiveBigIntegerField("bytes received so far", default=0)
    sha256 = models.CharField("SHA-256 the browser announced", max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        size = ngettext("%(count)d byte", "%(count)d bytes", self.size) % {"count": self.size}
        return f"{self.file_name} ({self.received} of {size})"

    @property
    def path(self) -> str:
        return os.path.join(settings.SERVICE_DATA_UPLOAD_DIR, f"{self.pk}.part")
