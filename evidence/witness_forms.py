"""Forms of the witness flow: asking, testifying, and the assessor's check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from core.forms import UKDateInput
from core.models import Criterion
from evidence.models import WitnessRequest
from evidence.witness import TESTIMONY_MAX_LENGTH, TESTIMONY_MIN_LENGTH


class CriterionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Criterion) -> str:
        return f"{obj.code} {obj.text}"


class WitnessRequestForm(forms.ModelForm):
    criteria = CriterionChoiceField(
        queryset=Criterion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="What the witness saw may show these criteria; performance criteria come first.",
        error_messages={
            "required": "Choose at least one criterion the witness is asked about.",
            "invalid_choice": "Choose criteria of this portfolio's qualification only.",
        },
    )

    class Meta:
        model = WitnessRequest
        fields = ["name", "job_title", "relationship", "organisation", "email", "activity"]
        labels = {"name": "Witness's full name"}
        help_texts = {
            "relationship": "For example: line manager, colleague, customer services lead.",
            "activity": "What they saw you do, and roughly when: for example "
            "“running the weekend rota pilot in March”.",
        }
        widgets = {"activity": forms.Textarea(attrs={"rows": 3, "maxlength": 1000})}

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["criteria"]
        assert isinstance(field, CriterionChoiceField)
        field.queryset = Criterion.objects.filter(pk__in=[c.pk for c in criteria])
        # The field's choices in the order given (performance criteria first), not the table's.
        field.choices = [(c.pk, field.label_from_instance(c)) for c in criteria]

    def clean_activity(self) -> str:
        activity = self.cleaned_data["activity"].strip()
        if len(activity) > 1000:
            raise forms.ValidationError("Keep the activity to 1000 characters.")
        return activity


class TestimonyForm(forms.Form):
    testimony = forms.CharField(
        label="Your testimony",
        min_length=TESTIMONY_MIN_LENGTH,
        max_length=TESTIMONY_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=f"Between {TESTIMONY_MIN_LENGTH} and {TESTIMONY_MAX_LENGTH} characters.",
        error_messages={"required": "Write what you saw: the testimony cannot be empty."},
    )
    seen_from = forms.DateField(label="When you saw it (first or only date)", widget=UKDateInput())
    seen_to = forms.DateField(label="Last date (if over a period)", required=False, widget=UKDateInput())
    name = forms.CharField(label="Your full name", max_length=150)
    job_title = forms.CharField(max_length=150)
    organisation = forms.CharField(max_length=200)
    relationship = forms.CharField(label="Your relationship to the learner", max_length=150)
    signature = forms.CharField(
        label="Signature: type your full name", max_length=150, help_text="As in “Your full name” above."
    )
    confirm = forms.BooleanField(
        label="I confirm that this testimony is true and describes only what I saw myself.",
        error_messages={"required": "Tick the box to confirm the testimony is true."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        seen_from, seen_to = data.get("seen_from"), data.get("seen_to")
        if seen_from and seen_from > today:
            self.add_error("seen_from", "The date cannot be in the future.")
        if seen_to and seen_to > today:
            self.add_error("seen_to", "The date cannot be in the future.")
        if seen_from and seen_to and seen_to < seen_from:
            self.add_error("seen_to", "The last date cannot be before the first.")
        name, signature = data.get("name"), data.get("signature")
        if name and signature and " ".join(name.split()).casefold() != " ".join(signature.split()).casefold():
            self.add_error("signature", "Type your full name exactly as above to sign.")
        return data


class WitnessCheckForm(forms.Form):
    method = forms.ChoiceField(
        label="How you checked", choices=WitnessRequest.CheckMethod.choices, widget=forms.RadioSelect
    )
    checked_on = forms.DateField(label="When", widget=UKDateInput())
    note = forms.CharField(
        label="Note",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: “Spoke to Jo Patel on the number on the Fernleaf website; "
        "she confirmed she wrote it.”",
    )

    def clean_checked_on(self) -> Any:
        checked_on = self.cleaned_data["checked_on"]
        if checked_on > timezone.localdate():
            raise forms.ValidationError("The date of the check cannot be in the future.")
        return checked_on
