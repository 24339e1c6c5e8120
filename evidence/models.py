"""Evidence items, interaction transcripts and their mappings to criteria."""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.models import Criterion, Portfolio, User


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    """An unguessable name: the portfolio's folder and a random token, the checked extension."""
    extension = PurePosixPath(filename).suffix.lower()
    return f"evidence/{instance.portfolio_id}/{secrets.token_urlsafe(24)}{extension}"


class Platform(models.TextChoices):
    X = "x", "X (Twitter)"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    WHATSAPP = "whatsapp", "WhatsApp"
    REVIEWS = "reviews", "Review site"
    OTHER = "other", "Other"


class Evidence(models.Model):
    """Something in the portfolio that proves one or more criteria."""

    class Kind(models.TextChoices):
        FILE = "file", "File"
        REFLECTION = "reflection", "Written reflection"
        LINK = "link", "Link"
        TRANSCRIPT = "transcript", "Social media interaction"
        SECTION = "section", "Portfolio section"
        WITNESS = "witness", "Witness testimony"
        OBSERVATION = "observation", "Observation record"
        DISCUSSION = "discussion", "Professional discussion"
        QUESTIONING = "questioning", "Questioning record"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public reply"
        PRIVATE = "private", "Private message"

    class Scenario(models.TextChoices):
        POSITIVE = "positive", "Positive feedback"
        COMPLAINT = "complaint", "Complaint"
        COMPLEX = "complex", "Complex query"
        CRISIS = "crisis", "Crisis"

    class Origin(models.TextChoices):
        REAL = "real", "Real interaction"
        SIMULATED = "simulated", "Simulated interaction"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    occurred_on = models.DateField("date", default=timezone.localdate)
    # For kind=section: the registered section this row stands for (see core.sections).
    section_key = models.CharField(max_length=64, blank=True)
    section_complete = models.BooleanField(default=False)

    # kind=file: stored under an unguessable name, served only through a checked view.
    file = models.FileField(upload_to=evidence_upload_to, max_length=255, blank=True)
    original_name = models.CharField("file name", max_length=255, blank=True)
    content_type = models.CharField(max_length=128, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256 digest", max_length=64, blank=True)
    # What the upload check took out of the file (a PDF's scripts, embedded files…), in words.
    removed_on_upload = models.CharField("removed on upload", max_length=500, blank=True)

    # kind=reflection: Markdown, rendered through a sanitiser.
    body = models.TextField(blank=True)

    # kind=link: kept as text, never fetched by the server.
    url = models.URLField("address", max_length=2000, blank=True)

    # Provenance of anything captured from a real platform (file, link, transcript).
    platform = models.CharField(max_length=16, choices=Platform.choices, blank=True)
    source_url = models.URLField("source address", max_length=2000, blank=True)
    captured_at = models.DateTimeField("captured", null=True, blank=True)
    # An image whose personal data the learner redacted: what kinds, and when.
    redacted_kinds = models.JSONField(default=list, blank=True)
    redacted_at = models.DateTimeField(null=True, blank=True)

    # kind=transcript
    visibility = models.CharField(max_length=8, choices=Visibility.choices, blank=True)
    scenario = models.CharField(max_length=16, choices=Scenario.choices, blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices, blank=True)
    account_handle = models.CharField(
        "organisation's account", max_length=100, blank=True, help_text="For example @FernleafHome."
    )

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
            models.CheckConstraint(
                condition=~Q(kind="file") | Q(file__gt="", sha256__gt=""),
                name="file_evidence_has_file_and_digest",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evidence:detail", kwargs={"portfolio_pk": self.portfolio_id, "pk": self.pk})

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_inline(self) -> bool:
        """Images and PDFs open in the browser; everything else downloads."""
        return self.is_image or self.content_type == "application/pdf"

    @property
    def record(self) -> AssessorRecord | None:
        """The assessor's record this item is (observation, discussion, questioning), or None."""
        relation = RECORD_RELATIONS.get(self.kind)
        return getattr(self, relation) if relation else None

    @property
    def has_provenance(self) -> bool:
        return bool(
            self.platform
            or self.source_url
            or self.captured_at
            or self.sha256
            or self.removed_on_upload
            or self.redacted_at
        )


# Kinds the assessor writes: the learner reads and confirms them, never changes them.
RECORD_KINDS = (Evidence.Kind.OBSERVATION, Evidence.Kind.DISCUSSION, Evidence.Kind.QUESTIONING)
# The kind's record, by its one-to-one relation's name on ``Evidence``.
RECORD_RELATIONS: dict[str, str] = {
    Evidence.Kind.OBSERVATION: "observation",
    Evidence.Kind.DISCUSSION: "discussion",
    Evidence.Kind.QUESTIONING: "questioning",
}


class AssessorRecord(models.Model):
    """What every assessor's record has: its author, the digest of its content as it stands,
    and the learner's confirmation of what they read.

    The learner's confirmation keeps the digest of the record it read (``evidence.records``);
    a record changed since no longer matches it, and needs confirming again."""

    class Response(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        COMMENTED = "commented", "Commented"

    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # SHA-256 of the record's content as it stands, kept by every write (evidence.records).
    content_digest = models.CharField(max_length=64)
    confirmed_digest = models.CharField(max_length=64, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=10, choices=Response.choices, blank=True)
    learner_comment = models.TextField("learner's comment", blank=True)

    # The kind's own fields, as the record's content (its digest) and the version keep them.
    CONTENT_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def content_fields(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}

    @property
    def status(self) -> str:
        """awaiting, changed (since the learner confirmed it), confirmed or commented."""
        if not self.confirmed_digest:
            return "awaiting"
        if self.confirmed_digest != self.content_digest:
            return "changed"
        return "commented" if self.response == self.Response.COMMENTED else "confirmed"


class Observation(AssessorRecord):
    """What the assessor saw and heard the learner do at work, as a record the learner
    confirms. What was seen against each criterion is the item's mapping notes."""

    CONTENT_FIELDS = ("place", "duration_minutes", "activity", "questions")

    evidence = models.OneToOneField(Evidence, on_delete=models.CASCADE, related_name="observation")
    place = models.CharField(max_length=200)
    duration_minutes = models.PositiveSmallIntegerField("duration (minutes)")
    activity = models.TextField("activity observed")
    questions = models.TextField("questions asked and the answers", blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=1440),
                name="observation_duration_within_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"observation {self.evidence_id}"


class ProfessionalDiscussion(AssessorRecord):
    """A planned conversation in which the learner explains how they did their work: who
    took part, the topics, and what was said (overall, and against each criterion as the
    item's mapping notes), with an optional audio or video recording among its attachments."""

    CONTENT_FIELDS = ("participants", "duration_minutes", "topics", "summary")

    evidence = models.OneToOneField(Evidence, on_delete=models.CASCADE, related_name="discussion")
    participants = models.CharField(max_length=300, help_text="Besides the learner and you.")
    duration_minutes = models.PositiveSmallIntegerField("duration (minutes)")
    topics = models.TextField("topics discussed")
    summary = models.TextField("what was said")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=1440),
                name="discussion_duration_within_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"professional discussion {self.evidence_id}"


class Questioning(AssessorRecord):
    """Questions the assessor asks about knowledge criteria, each mapped to one, and the
    learner's answers: written by the learner online (their submission signs the record),
    or asked in person and written down by the assessor (the learner then confirms it)."""

    class Mode(models.TextChoices):
        ONLINE = "online", "The learner answers online"
        IN_PERSON = "in_person", "Asked in person; I write down the answers"

    CONTENT_FIELDS = ("mode",)  # and its questions, kept as rows of their own

    evidence = models.OneToOneField(Evidence, on_delete=models.CASCADE, related_name="questioning")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    # When the learner last submitted their answers online (drafts are not submissions).
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"questioning {self.evidence_id}"

    @property
    def status(self) -> str:
        """As any record's, and "unanswered" while online questions wait for the learner."""
        if self.mode == self.Mode.ONLINE and self.answered_at is None:
            return "unanswered"
        return super().status


class Question(models.Model):
    """One question of a questioning record, about one knowledge criterion, and its answer."""

    questioning = models.ForeignKey(Questioning, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.TextField("question")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(blank=True)

    class Meta:
        ordering = ["questioning", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questioning", "position"], name="one_question_per_position"),
        ]

    def __str__(self) -> str:
        return f"question {self.position} of {self.questioning_id}"


class RecordAttachment(models.Model):
    """A photo or file attached to an assessor's record, checked by the same rules as the
    learner's uploads (``evidence.files.check_upload``). Attachments are added, never
    removed: a submitted version may name them, and the record's digest covers them."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField("file name", max_length=255)
    content_type = models.CharField(max_length=128)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256 digest", max_length=64)
    removed_on_upload = models.CharField("removed on upload", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["evidence", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def portfolio_id(self) -> int:
        """Where ``evidence_upload_to`` files it: in the portfolio's folder."""
        return self.evidence.portfolio_id

    @property
    def is_inline(self) -> bool:
        return (
            self.is_media or self.content_type.startswith("image/") or self.content_type == "application/pdf"
        )

    @property
    def is_media(self) -> bool:
        """An audio or video recording, played in the page."""
        return self.content_type.startswith(("audio/", "video/"))


class TranscriptMessage(models.Model):
    """One message of a social media interaction, in the order it happened."""

    class Author(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        ORGANISATION = "organisation", "Organisation"

    class Stage(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", "Acknowledge"
        INVESTIGATE = "investigate", "Investigate"
        RESOLVE = "resolve", "Resolve"
        FOLLOW_UP = "follow_up", "Follow up"

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="messages")
    position = models.PositiveIntegerField()
    author = models.CharField(max_length=16, choices=Author.choices)
    sent_at = models.DateTimeField("time")
    text = models.TextField()
    stage = models.CharField("complaint-handling stage", max_length=16, choices=Stage.choices, blank=True)
    annotation = models.TextField(
        blank=True, help_text="Why you replied this way: the decision and what it shows."
    )

    class Meta:
        ordering = ["evidence", "position"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "position"], name="unique_message_position"),
            models.CheckConstraint(
                condition=Q(author="organisation") | Q(stage=""), name="stage_only_on_organisation_replies"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_author_display()} at {self.sent_at:%H:%M}"


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


class NotPersonalMark(models.Model):
    """A finding the learner says is not a customer's personal data (the organisation's own
    number, a made-up example), remembered for this item so a later scan does not ask again.
    Only a digest of the value is kept, never the value itself."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="not_personal_marks")
    kind = models.CharField(max_length=16)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "kind", "digest"], name="one_not_personal_mark_per_value"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} marked not personal on {self.evidence_id}"


class ImageScan(models.Model):
    """The personal-data check of an image: text read by OCR, faces, and where each finding is.

    ``findings`` holds one dict per finding: ``id``, ``kind``, ``text`` (emptied once the
    finding is redacted), ``digest``, ``boxes`` ([x, y, width, height] in the image's pixels)
    and ``redacted``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Checking"
        DONE = "done", "Checked"
        FAILED = "failed", "Could not be checked"

    evidence = models.OneToOneField(Evidence, on_delete=models.CASCADE, related_name="image_scan")
    sha256 = models.CharField("SHA-256 of the image checked", max_length=64)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=120, blank=True)
    message = models.CharField(max_length=300, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    words = models.PositiveIntegerField(default=0)
    findings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"scan of {self.evidence_id}: {self.status}"

    @property
    def waiting(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class PendingRedaction(models.Model):
    """A redacted copy of an image waiting for the learner to confirm it. Until then the
    original stays the evidence; on confirmation the copy replaces it and the original is
    deleted; on discarding, the copy is deleted."""

    evidence = models.OneToOneField(Evidence, on_delete=models.CASCADE, related_name="pending_redaction")
    file = models.FileField(upload_to=evidence_upload_to, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    finding_ids = models.JSONField(default=list)
    kinds = models.JSONField(default=list)
    style = models.CharField(max_length=8, default="box")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"redaction of {self.evidence_id} awaiting confirmation"

    @property
    def portfolio_id(self) -> int:
        """Where ``evidence_upload_to`` files the copy: beside the item's own file."""
        return self.evidence.portfolio_id


def new_witness_nonce() -> str:
    """32 hex characters (16 random bytes): the part of a witness link only its e-mail knows."""
    return secrets.token_hex(16)


class WitnessRequest(models.Model):
    """A testimony asked of someone without an account (a line manager, a colleague) through a
    signed, single-use, expiring link. Once they sign, the testimony becomes ``evidence`` and
    what they signed is kept here with its SHA-256 digest (see ``evidence.witness``)."""

    class CheckMethod(models.TextChoices):
        PHONE = "phone", "By phone"
        EMAIL = "email", "By e-mail"
        IN_PERSON = "in_person", "In person"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="witness_requests")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # The witness as named by whoever asked; what the witness confirmed is below (signed_*).
    name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150)
    relationship = models.CharField("relationship to the learner", max_length=150)
    organisation = models.CharField(max_length=200)
    email = models.EmailField("e-mail")
    activity = models.TextField("the activity they saw")
    criteria = models.ManyToManyField(Criterion, related_name="+")
    nonce = models.CharField(max_length=32, default=new_witness_nonce, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    # Filled once, when the witness signs.
    evidence = models.OneToOneField(
        Evidence, on_delete=models.SET_NULL, null=True, blank=True, related_name="witness_request"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_name = models.CharField(max_length=150, blank=True)
    signed_job_title = models.CharField(max_length=150, blank=True)
    signed_relationship = models.CharField(max_length=150, blank=True)
    signed_organisation = models.CharField(max_length=200, blank=True)
    signature = models.CharField("typed signature", max_length=150, blank=True)
    testimony = models.TextField(blank=True)
    seen_from = models.DateField(null=True, blank=True)
    seen_to = models.DateField(null=True, blank=True)
    digest = models.CharField("SHA-256 of the signed content", max_length=64, blank=True)

    # The assessor's check of the witness before relying on the testimony.
    checked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    check_method = models.CharField(max_length=16, choices=CheckMethod.choices, blank=True)
    checked_on = models.DateField(null=True, blank=True)
    check_note = models.TextField(blank=True)
    check_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | Q(digest__gt="", testimony__gt=""),
                name="signed_witness_testimony_has_text_and_digest",
            ),
        ]

    def __str__(self) -> str:
        return f"witness {self.name} for portfolio {self.portfolio_id}"

    @property
    def status(self) -> str:
        if self.signed_at:
            return "signed"
        if self.withdrawn_at:
            return "withdrawn"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
