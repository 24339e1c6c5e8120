"""Forms for the service data import, the KPI settings and the guided audit steps."""

from __future__ import annotations

from django import forms
from django.conf import settings

from audit import importing
from audit.importing.dates import AMBIGUOUS, DAY_FIRST, MIXED
from audit.models import (
    Community,
    CompetitorPresence,
    CustomerSegment,
    KpiSettings,
    OrganisationProfile,
    PlatformPresence,
    ServiceGap,
    ServiceProcess,
    StepNote,
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File of interactions (CSV or XLSX)",
        help_text=(
            f"Up to {settings.SERVICE_DATA_MAX_UPLOAD_MB} MB of CSV, or the CSV compressed as .csv.gz "
            f"or .zip (up to {settings.SERVICE_DATA_MAX_COMPRESSED_MB} MB). UTF-8 or Windows-1252; "
            "commas, semicolons or tabs."
        ),
    )

    def clean_file(self):
        """The larger limit here; ``upload_service_data`` applies the compressed one, which
        depends on the file's first bytes."""
        upload = self.cleaned_data["file"]
        limit = settings.SERVICE_DATA_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit for service data is "
                f"{limit / 1_048_576:g} MB."
            )
        return upload


class MappingForm(forms.Form):
    """One choice of file column per canonical column, plus how values are written."""

    save_as = forms.CharField(
        label="Save this mapping as (optional)",
        max_length=100,
        required=False,
        help_text="Give it a name to reuse it for your next export from the same tool.",
    )

    def __init__(
        self, *args, headers: list[str], date_order: importing.DateOrder | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.date_order = date_order or importing.DateOrder()
        choices = [("", "— not in this file —"), *[(header, header) for header in headers]]
        for column in importing.CANONICAL_COLUMNS:
            self.fields[f"col_{column.key}"] = forms.ChoiceField(
                label=column.label + (" (required)" if column.required else ""),
                choices=choices,
                required=column.required,
                help_text=column.help,
            )
        labels = {
            "duration_unit": "Durations are written in",
            "satisfaction_scale": "Satisfaction is written as",
            "fcr_source": "First contact resolution is written as",
            "date_order": "Dates written with slashes, such as 04/09/2026, are",
        }
        for name, format_choices in importing.FORMAT_CHOICES.items():
            self.fields[f"fmt_{name}"] = forms.ChoiceField(label=labels[name], choices=format_choices)
        # The order of slashed dates: asked when the file cannot tell, checked when it can.
        found = self.date_order
        order = self.fields["fmt_date_order"]
        order.widget = forms.RadioSelect(choices=importing.FORMAT_CHOICES["date_order"])
        order.required = found.must_ask
        order.error_messages["required"] = "Choose how the dates are written: this file cannot tell."
        if found.order == AMBIGUOUS:
            order.help_text = (
                f"Every date in this file could be read either way (for example “{found.example}” in "
                f"“{found.column}”): choose how your help desk writes them."
            )
        elif found.order == MIXED:
            order.help_text = (
                f"This file has dates written both ways: “{found.example}” can only be day first and "
                f"“{found.other_example}” only month first. Choose the order most rows use; the rows "
                "written the other way will be listed as problems."
            )
        elif found.certain:
            day_first = found.certain == DAY_FIRST
            order.help_text = (
                f"Found in the file: “{found.example}” in “{found.column}” can only be "
                f"{'day' if day_first else 'month'} first."
            )
        else:
            order.help_text = (
                "This file writes no dates with slashes (year first or typed dates), so either will do."
            )
        self.order_fields([*(f"col_{key}" for key in importing.CANONICAL_KEYS), "save_as"])

    @staticmethod
    def initial_for(columns: dict[str, str], formats: dict[str, str]) -> dict[str, str]:
        initial = {f"col_{key}": source for key, source in columns.items()}
        initial.update({f"fmt_{name}": value for name, value in formats.items()})
        return initial

    def mapping(self) -> tuple[dict[str, str], dict[str, str]]:
        data = self.cleaned_data
        columns = {key: data[f"col_{key}"] for key in importing.CANONICAL_KEYS if data.get(f"col_{key}")}
        formats = {name: data[f"fmt_{name}"] for name in importing.FORMAT_CHOICES}
        if not formats["date_order"]:  # nothing to choose in this file: what it proves, else UK
            formats["date_order"] = self.date_order.certain or importing.DEFAULT_FORMATS["date_order"]
        return columns, formats

    def clean_fmt_date_order(self) -> str:
        chosen = self.cleaned_data.get("fmt_date_order", "")
        found = self.date_order
        if chosen and found.certain and chosen != found.certain:
            day_first = found.certain == DAY_FIRST
            raise forms.ValidationError(
                f"Your file has “{found.example}” in “{found.column}”, which can only be "
                f"{'day' if day_first else 'month'} first (a month is never above 12)."
            )
        return chosen

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"col_{key}") for key in importing.CANONICAL_KEYS if data.get(f"col_{key}")]
        repeated = {source for source in chosen if chosen.count(source) > 1}
        if repeated:
            raise forms.ValidationError(
                f"Each file column can feed only one of ours: {', '.join(sorted(repeated))}."
            )
        return data


class KpiSettingsForm(forms.ModelForm):
    class Meta:
        model = KpiSettings
        fields = ["sla_minutes", "baseline_start", "baseline_end", "follow_up_start", "follow_up_end"]
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for name in ["baseline_start", "baseline_end", "follow_up_start", "follow_up_end"]
        }
        labels = {
            "baseline_start": "Baseline: first day",
            "baseline_end": "Baseline: last day",
            "follow_up_start": "Follow-up: first day",
            "follow_up_end": "Follow-up: last day",
        }
        help_texts = {
            "sla_minutes": "Your own service level: the longest a customer should wait for a reply."
        }

    def clean(self):
        data = super().clean()
        for prefix, label in (("baseline", "baseline"), ("follow_up", "follow-up")):
            start, end = data.get(f"{prefix}_start"), data.get(f"{prefix}_end")
            if (start is None) != (end is None):
                self.add_error(
                    f"{prefix}_end" if start else f"{prefix}_start", f"Give both days of the {label} period."
                )
            elif start and end and end < start:
                self.add_error(f"{prefix}_end", f"The {label} period cannot end before it starts.")
        return data


# --- Guided steps ---------------------------------------------------------------------

TEXTAREA = forms.Textarea(attrs={"rows": 3})
SHORT_TEXTAREA = forms.Textarea(attrs={"rows": 2})


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = OrganisationProfile
        fields = ["name", "sector", "size_and_locations", "service_offer", "products"]
        widgets = {"size_and_locations": SHORT_TEXTAREA, "service_offer": TEXTAREA, "products": TEXTAREA}


class StepNoteForm(forms.ModelForm):
    class Meta:
        model = StepNote
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}


class RowForm(forms.ModelForm):
    """A repeating row: blank rows are ignored, so a draft never fails for an empty line."""

    def has_content(self) -> bool:
        return any(
            value not in (None, "")
            for name, value in self.cleaned_data.items()
            if name not in {"id", "DELETE"}
        )


def _row_form(model, fields: list[str], textareas: list[str]):
    return forms.modelform_factory(
        model, form=RowForm, fields=fields, widgets={name: SHORT_TEXTAREA for name in textareas}
    )


ProcessForm = _row_form(
    ServiceProcess, ["name", "how_it_runs", "channels", "problems"], ["how_it_runs", "problems"]
)
PresenceForm = _row_form(
    PlatformPresence,
    [
        "platform",
        "account",
        "audience",
        "monthly_messages",
        "typical_response_minutes",
        "hours_covered",
        "service_use",
        "others_use",
    ],
    ["service_use", "others_use"],
)
SegmentForm = _row_form(
    CustomerSegment, ["name", "demographics", "platforms", "uses", "needs"], ["demographics", "uses", "needs"]
)
CommunityForm = _row_form(
    Community, ["name", "platform", "size", "profile", "relevance"], ["profile", "relevance"]
)
CompetitorForm = _row_form(
    CompetitorPresence,
    ["competitor", "platform", "audience", "service_activity", "strengths", "weaknesses"],
    ["service_activity", "strengths", "weaknesses"],
)
GapForm = _row_form(ServiceGap, ["gap", "priority", "evidence", "improvement"], ["evidence", "improvement"])
