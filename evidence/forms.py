"""Forms for evidence: they validate and normalise; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator

from core.forms import UKDateInput
from evidence.files import (
    ALLOWED_EXTENSIONS,
    MEDIA_EXTENSIONS,
    CheckedMedia,
    CleanFile,
    FileRefused,
    check_media,
    check_upload,
    human_size,
    max_media_bytes,
    max_upload_bytes,
)
from evidence.models import Evidence, Questioning, TranscriptMessage
from evidence.services import MessageData

WEB_ONLY = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting with https:// or http://."
)


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EvidenceForm(forms.ModelForm):
    """The details every kind of evidence has, plus the fields of its kind."""

    KIND_FIELDS: dict[str, list[str]] = {
        Evidence.Kind.FILE: ["platform", "source_url", "captured_at"],
        Evidence.Kind.REFLECTION: ["body"],
        Evidence.Kind.LINK: ["url", "platform", "captured_at"],
        Evidence.Kind.TRANSCRIPT: [
            "platform",
            "visibility",
            "scenario",
            "origin",
            "account_handle",
            "source_url",
            "captured_at",
        ],
    }

    class Meta:
        model = Evidence
        fields = [
            "title",
            "occurred_on",
            "description",
            "body",
            "url",
            "platform",
            "visibility",
            "scenario",
            "origin",
            "account_handle",
            "source_url",
            "captured_at",
        ]
        widgets = {
            "occurred_on": UKDateInput(),
            "captured_at": LocalDateTimeInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 14}),
        }
        labels = {
            "body": "Reflection",
            "url": "Address of the page",
            "occurred_on": "Date",
            "visibility": "Public or private",
            "origin": "Real or simulated",
        }
        help_texts = {
            "description": "What this is and why it is in your portfolio.",
            "body": "Plain text or Markdown: **bold**, *italic*, lists with - and headings with #.",
            "url": "Kept as text for your assessor to open; the portfolio never visits it.",
            "platform": "For anything captured from a social media platform.",
            "source_url": "Where it was captured from, if it is public.",
            "captured_at": "When you captured it from the platform.",
        }

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = ["title", "occurred_on", "description", *self.KIND_FIELDS[kind]]
        for name in self._meta.fields:
            if name not in keep:
                del self.fields[name]
        for name in ("url", "source_url"):
            if name in self.fields:
                self.fields[name].validators.append(WEB_ONLY)
                self.fields[name].assume_scheme = "https"
        if kind == Evidence.Kind.REFLECTION:
            self.fields["body"].required = True
        if kind == Evidence.Kind.LINK:
            self.fields["url"].required = True
        if kind == Evidence.Kind.TRANSCRIPT:
            for name in ("platform", "visibility", "scenario", "origin"):
                self.fields[name].required = True
            self.fields["description"].help_text = "The situation, and what the customer needed."


class FileEvidenceForm(EvidenceForm):
    upload = forms.FileField(
        label="File",
        help_text=(
            f"Images (PNG, JPEG, WebP), PDF, Word, Excel, PowerPoint, CSV or plain text, up to "
            f"{human_size(max_upload_bytes())}. Photos lose their location data when saved."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}),
    )

    field_order = ["upload", "title", "occurred_on", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, kind=Evidence.Kind.FILE, **kwargs)
        self.clean_file: CleanFile | None = None
        if "upload" in self.fields:
            # A title can be left out: the cleaned file name stands in for it.
            self.fields["title"].required = False
            self.fields["title"].help_text = "Leave empty to use the file's name."

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        limit = max_upload_bytes()
        # The size is known before reading: refuse early, with the numbers.
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {human_size(upload.size)}; the limit is {human_size(limit)}.", code="too_big"
            )
        upload.seek(0)
        content = upload.read(limit + 1)
        try:
            self.clean_file = check_upload(upload.name or "", content)
        except FileRefused as refusal:
            raise forms.ValidationError(str(refusal), code="refused") from None
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.clean_file and not (data.get("title") or "").strip():
            data["title"] = self.clean_file.name
        return data


class MessageForm(forms.Form):
    author = forms.ChoiceField(label="Who wrote it", choices=[("", "—"), *TranscriptMessage.Author.choices])
    sent_at = forms.DateTimeField(label="Time", widget=LocalDateTimeInput())
    text = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 2}))
    stage = forms.ChoiceField(
        label="Complaint stage",
        choices=[("", "— none —"), *TranscriptMessage.Stage.choices],
        required=False,
        help_text="For the organisation's replies.",
    )
    annotation = forms.CharField(
        label="Your annotation",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Why you replied this way.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("stage") and data.get("author") == TranscriptMessage.Author.CUSTOMER:
            self.add_error("stage", "Only the organisation's replies serve a complaint-handling stage.")
        return data

    def as_message(self) -> MessageData:
        data = self.cleaned_data
        return MessageData(
            author=data["author"],
            sent_at=data["sent_at"],
            text=data["text"],
            stage=data.get("stage") or "",
            annotation=data.get("annotation") or "",
        )


class BaseMessageFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this message"

    def clean(self) -> None:
        if any(self.errors):
            return
        previous = None
        for number, form in enumerate(self.kept_forms(), start=1):
            sent_at = form.cleaned_data["sent_at"]
            if previous is not None and sent_at < previous:
                form.add_error("sent_at", f"Message {number} is earlier than the one before it.")
            previous = sent_at

    def kept_forms(self) -> list[MessageForm]:
        """Filled-in rows not marked for removal, in the order shown."""
        return [
            form
            for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
        ]

    def messages(self) -> list[MessageData]:
        return [form.as_message() for form in self.kept_forms()]


MessageFormSet = forms.formset_factory(
    MessageForm, formset=BaseMessageFormSet, extra=0, can_delete=True, max_num=200, absolute_max=200
)


def message_initial(evidence: Evidence) -> list[dict[str, Any]]:
    return [
        {
            "author": m.author,
            "sent_at": m.sent_at,
            "text": m.text,
            "stage": m.stage,
            "annotation": m.annotation,
        }
        for m in evidence.messages.order_by("position")
    ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (none allowed); each is checked by ``ObservationForm``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(one, initial) for one in files]


class RecordFilesMixin(forms.Form):
    """Photos or files attached to an assessor's record, each checked by its content; one
    refused file refuses the whole record."""

    attachments = MultipleFileField(
        label="Photos or files",
        help_text=(
            f"Optional, up to 10 in all: images, PDF, Word, Excel, PowerPoint, CSV or plain text, "
            f"each up to {human_size(max_upload_bytes())}. Checked as the learner's uploads are; "
            "once attached they stay with the record."
        ),
    )

    def clean_attachments(self) -> list[CleanFile]:
        limit = max_upload_bytes()
        checked = []
        for upload in self.cleaned_data["attachments"]:
            name = upload.name or ""
            if upload.size > limit:
                raise forms.ValidationError(
                    f"“{name}” is {human_size(upload.size)}; the limit is {human_size(limit)}.",
                    code="too_big",
                )
            upload.seek(0)
            try:
                checked.append(check_upload(name, upload.read(limit + 1)))
            except FileRefused as refusal:
                raise forms.ValidationError(f"“{name}”: {refusal}", code="refused") from None
        return checked


class ObservationForm(RecordFilesMixin):
    """An observation record's own fields; the criteria and their notes come beside it."""

    title = forms.CharField(
        max_length=200, help_text="For example “Observation: champion pitch to the team”."
    )
    occurred_on = forms.DateField(label="Date observed", widget=UKDateInput())
    place = forms.CharField(max_length=200, help_text="Where the activity took place.")
    duration_minutes = forms.IntegerField(label="Duration (minutes)", min_value=1, max_value=1440)
    activity = forms.CharField(label="Activity observed", widget=forms.Textarea(attrs={"rows": 3}))
    questions = forms.CharField(
        label="Questions asked and the learner's answers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    field_order = [
        "title",
        "occurred_on",
        "place",
        "duration_minutes",
        "activity",
        "questions",
        "attachments",
    ]


class DiscussionForm(RecordFilesMixin):
    """A professional discussion's own fields and its optional recording; the criteria and
    what was said about each come beside it."""

    title = forms.CharField(
        max_length=200, help_text="For example “Professional discussion: running the weekend rota”."
    )
    occurred_on = forms.DateField(label="Date of the discussion", widget=UKDateInput())
    participants = forms.CharField(
        max_length=300,
        label="Who else took part",
        help_text="Besides the learner and you: names and roles, or “None”.",
    )
    duration_minutes = forms.IntegerField(label="Duration (minutes)", min_value=1, max_value=1440)
    topics = forms.CharField(label="Topics discussed", widget=forms.Textarea(attrs={"rows": 3}))
    summary = forms.CharField(
        label="What was said",
        help_text=(
            "The learner's account in their own words as far as you can; what you asked to draw it out."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    recording = forms.FileField(
        label="Audio or video recording",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join([*MEDIA_EXTENSIONS, "audio/*", "video/*"])}
        ),
        help_text=(
            f"Optional: {', '.join(MEDIA_EXTENSIONS)}, up to {human_size(max_media_bytes())}. "
            "Played in the page; checked by its content, not its name. "
            "Ask the learner's consent before recording."
        ),
    )
    field_order = [
        "title",
        "occurred_on",
        "participants",
        "duration_minutes",
        "topics",
        "summary",
        "recording",
        "attachments",
    ]

    def clean_recording(self) -> CheckedMedia | None:
        upload = self.cleaned_data.get("recording")
        if not upload:
            return None
        try:
            return check_media(upload.name or "", upload)
        except FileRefused as refusal:
            raise forms.ValidationError(f"“{upload.name}”: {refusal}", code="refused") from None


class QuestioningForm(forms.Form):
    """A questioning record's own fields; its questions come as rows below (``q-<n>-…``)."""

    title = forms.CharField(
        max_length=200, help_text="For example “Questions on measuring service (K4, K6)”."
    )
    occurred_on = forms.DateField(label="Date asked", widget=UKDateInput())
    mode = forms.ChoiceField(
        label="How the learner answers",
        choices=Questioning.Mode.choices,
        widget=forms.RadioSelect,
        initial=Questioning.Mode.ONLINE,
    )
