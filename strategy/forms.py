"""Forms for the strategy steps. They validate and normalise; layout is in the templates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.forms.utils import pretty_name

from audit.kpis import KPI_CATALOGUE
from strategy import models
from strategy.completeness import PITCH_FIELDS, PLAN_FIELDS, VISION_FIELDS
from strategy.pitch_deck import MAX_NOTE_LENGTH, SLIDES, notes_field
from strategy.planning import MAX_ROLES, RACI_CHOICES, parse_roles, raci_problems, timeline_problem
from strategy.scoring import PLATFORM_CRITERIA
from strategy.smart import CUSTOM_METRIC

METRIC_CHOICES = [
    ("", "Choose a metric…"),
    *((kpi.key, f"{kpi.label} ({kpi.unit})") for kpi in KPI_CATALOGUE.values()),
    (CUSTOM_METRIC, "Custom metric (name and unit below)"),
]
KPI_CHOICES = [("", "No metric"), *((kpi.key, f"{kpi.label} ({kpi.unit})") for kpi in KPI_CATALOGUE.values())]
SCORE_CHOICES = [("", "—"), *((str(n), str(n)) for n in range(1, 6))]


def _textareas(names: list[str], rows: int = 3) -> dict[str, forms.Textarea]:
    return {name: forms.Textarea(attrs={"rows": rows}) for name in names}


class VisionForm(forms.ModelForm):
    class Meta:
        model = models.Vision
        fields = [name for name, _label in VISION_FIELDS]
        widgets = _textareas(
            [
                "role_of_social",
                "components_scope",
                "organisational_links",
                "brand_values",
                "vision_statement",
                "operating_environment",
                "business_fit",
                "owned_media",
                "earned_media",
                "paid_media",
                "promotion_vs_service",
            ]
        )
        help_texts = {
            "owned_media": "Channels you control: your pages, accounts and website.",
            "earned_media": "What others say and share: reviews, mentions, tags, word of mouth.",
            "paid_media": "What you pay to place: adverts, boosted posts, sponsored content.",
            "promotion_vs_service": "How selling posts and service replies are kept from getting in each "
            "other's way.",
        }


def label_widgets(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class and an accessible name, for rows drawn as table cells."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)
        # A field without a label gets the one Django would print ("Activity" for activity):
        # an empty aria-label would leave the input with no name at all.
        widget.attrs.setdefault("aria-label", str(field.label or pretty_name(name)))


class StrategyRowForm(forms.ModelForm):
    """A row of a step's table; blank extra rows are ignored, removed rows dropped."""

    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label_widgets(self)


class ObjectiveForm(StrategyRowForm):
    metric_key = forms.ChoiceField(label="Metric", choices=METRIC_CHOICES, required=False)

    class Meta:
        model = models.Objective
        fields = [
            "statement",
            "metric_key",
            "custom_label",
            "custom_unit",
            "custom_direction",
            "baseline",
            "target",
            "start",
            "deadline",
            "owner",
            "business_objective",
        ]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 2}),
            "business_objective": forms.Textarea(attrs={"rows": 2}),
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["custom_direction"].required = False

    def clean_custom_direction(self) -> str:
        return self.cleaned_data.get("custom_direction") or models.Objective.Direction.INCREASE

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        problem = timeline_problem(data.get("start"), data.get("deadline"))
        if problem:
            self.add_error("deadline", "The deadline cannot be before the start date.")
        return data


class PlatformSelectionForm(forms.ModelForm):
    class Meta:
        model = models.PlatformSelection
        fields = [f"weight_{key}" for key, _label in PLATFORM_CRITERIA] + ["justification"]
        labels = {f"weight_{key}": f"Weight: {label}" for key, label in PLATFORM_CRITERIA}
        widgets = {"justification": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "justification": "Why the ranking makes sense for your customers, drawing on your audit. "
            "Required before this step counts as complete."
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for key, label in PLATFORM_CRITERIA:
            name = f"weight_{key}"
            value = data.get(name)
            if value is not None and value <= 0:
                self.add_error(name, f"The weight for {label.lower()} must be more than zero.")
            elif value is not None and value > Decimal(1000):
                self.add_error(name, "Keep weights to 1000 or less; only their proportions matter.")
        return data


class PlatformScoreForm(StrategyRowForm):
    class Meta:
        model = models.PlatformScore
        fields = ["platform", *(key for key, _label in PLATFORM_CRITERIA), "notes"]
        labels = dict(PLATFORM_CRITERIA)
        widgets = {key: forms.Select(choices=SCORE_CHOICES) for key, _label in PLATFORM_CRITERIA}
        error_messages = {
            key: {"min_value": "Score from 1 to 5.", "max_value": "Score from 1 to 5."}
            for key, _label in PLATFORM_CRITERIA
        }


class RiskForm(StrategyRowForm):
    class Meta:
        model = models.Risk
        fields = [
            "category",
            "description",
            "likelihood",
            "impact",
            "owner",
            "mitigation",
            "residual_likelihood",
            "residual_impact",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 2}),
            "likelihood": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "impact": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "residual_likelihood": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "residual_impact": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }
        error_messages = {
            field: {
                "min_value": "Score from 1 (lowest) to 5 (highest).",
                "max_value": "Score from 1 (lowest) to 5 (highest).",
            }
            for field in ["likelihood", "impact", "residual_likelihood", "residual_impact"]
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("residual_likelihood") is None) != (data.get("residual_impact") is None):
            field = "residual_impact" if data.get("residual_impact") is None else "residual_likelihood"
            if field not in self.errors:
                self.add_error(
                    field, "Give both the residual likelihood and the residual impact, or neither."
                )
        return data


class RegulationCheckForm(StrategyRowForm):
    class Meta:
        model = models.RegulationCheck
        fields = ["improvement"] + [
            f"{prefix}_{part}" for prefix, _label in models.REGULATIONS for part in ("status", "note")
        ]
        labels = {
            **{f"{prefix}_status": label for prefix, label in models.REGULATIONS},
            **{f"{prefix}_note": f"Notes: {label}" for prefix, label in models.REGULATIONS},
            "improvement": "Proposed improvement",
        }
        widgets = {
            "improvement": forms.Textarea(attrs={"rows": 2}),
            **{f"{prefix}_note": forms.Textarea(attrs={"rows": 2}) for prefix, _label in models.REGULATIONS},
        }


class ImplementationPlanForm(forms.ModelForm):
    class Meta:
        model = models.ImplementationPlan
        fields = ["roles", *(name for name, _label in PLAN_FIELDS)]
        widgets = _textareas(["roles", *(name for name, _label in PLAN_FIELDS)])
        help_texts = {
            "roles": "One person or role per line; each becomes a column of the responsibility matrix "
            f"(up to {MAX_ROLES}).",
            "voice_do": "Example replies or phrases in the voice you want.",
            "voice_dont": "Example replies or phrases to avoid, and why.",
        }

    def clean_roles(self) -> str:
        roles = parse_roles(self.cleaned_data.get("roles", ""))
        if len(roles) > MAX_ROLES:
            raise forms.ValidationError(f"List at most {MAX_ROLES} people or roles.")
        return "\n".join(roles)


class RaciForm(forms.Form):
    """One activity with a select per role column (R, A, C or I)."""

    use_required_attribute = False

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles = roles
        self.fields["activity"] = forms.CharField(max_length=200, required=False)
        for index, role in enumerate(roles):
            self.fields[f"role_{index}"] = forms.ChoiceField(label=role, choices=RACI_CHOICES, required=False)
        label_widgets(self)

    def role_fields(self) -> list[forms.BoundField]:
        return [self[f"role_{index}"] for index in range(len(self.roles))]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(name) for name in self.fields if name != "DELETE"):
            return data
        if not (data.get("activity") or "").strip():
            self.add_error("activity", "Name the activity, or clear the row.")
            return data
        for problem in raci_problems(self.assignments()):
            self.add_error("activity", problem)
        return data

    def assignments(self) -> dict[str, str]:
        return {
            role: self.cleaned_data.get(f"role_{index}", "")
            for index, role in enumerate(self.roles)
            if self.cleaned_data.get(f"role_{index}")
        }


class ResponseProtocolForm(StrategyRowForm):
    class Meta:
        model = models.ResponseProtocol
        fields = ["platform", "first_response_minutes", "hours_covered", "approach"]
        widgets = {"approach": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"hours_covered": "For example “Every day 8am–8pm”."}


class BudgetLineForm(StrategyRowForm):
    class Meta:
        model = models.BudgetLine
        fields = ["item", "amount", "notes"]
        error_messages = {"amount": {"min_value": "An amount cannot be negative."}}


class TimelineTaskForm(StrategyRowForm):
    class Meta:
        model = models.TimelineTask
        fields = ["task", "owner", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        problem = timeline_problem(data.get("start"), data.get("end"))
        if problem:
            self.add_error("end", problem)
        return data


class ReviewCycleForm(StrategyRowForm):
    metric_key = forms.ChoiceField(label="Metric compared", choices=KPI_CHOICES, required=False)

    class Meta:
        model = models.ReviewCycle
        fields = [
            "title",
            "started_on",
            "reviewed_on",
            "plan_step",
            "do_step",
            "check_step",
            "act_step",
            "metric_key",
            "value_before",
            "value_after",
        ]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reviewed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **_textareas(["plan_step", "do_step", "check_step", "act_step"], rows=2),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if timeline_problem(data.get("started_on"), data.get("reviewed_on")):
            self.add_error("reviewed_on", "The review date cannot be before the start of the cycle.")
        return data


class ChampionPitchForm(forms.ModelForm):
    class Meta:
        model = models.ChampionPitch
        fields = [name for name, _label in PITCH_FIELDS]
        widgets = _textareas(
            [
                "dissemination_benefits",
                "dissemination_drawbacks",
                "engagement_consequences",
                "ongoing_dialogue",
                "champion_actions",
                "risks",
                "ask",
            ]
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        saved = (self.instance.speaker_notes or {}) if self.instance else {}
        for slide in SLIDES:
            self.fields[notes_field(slide.key)] = forms.CharField(
                label=f"Notes for “{slide.title}”",
                help_text=slide.notes_prompt,
                required=False,
                max_length=MAX_NOTE_LENGTH,
                initial=saved.get(slide.key, ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def notes_fields(self) -> list[forms.BoundField]:
        return [self[notes_field(slide.key)] for slide in SLIDES]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The notes travel as one value, the field the model keeps them in.
        notes = {slide.key: (data.pop(notes_field(slide.key), "") or "").strip() for slide in SLIDES}
        data["speaker_notes"] = {key: text for key, text in notes.items() if text}
        for name in [
            "response_time_now",
            "response_time_projected",
            "cost_per_contact_now",
            "cost_per_contact_projected",
        ]:
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, "This figure cannot be negative.")
        for name in ["retention_now", "retention_projected"]:
            if data.get(name) is not None and not 0 <= data[name] <= 100:
                self.add_error(name, "A percentage runs from 0 to 100.")
        for name in ["nps_now", "nps_projected"]:
            if data.get(name) is not None and not -100 <= data[name] <= 100:
                self.add_error(name, "A Net Promoter Score runs from −100 to +100.")
        return data


class RowFormSet(BaseFormSet):
    """Rows saved as a whole: blank rows skipped, rows ticked for removal dropped."""

    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this row"

    def kept_forms(self) -> list[forms.BaseForm]:
        initial = self.initial_form_count()
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < initial or form.has_changed())
            and not (self.can_delete and self._should_delete_form(form))
        ]


def row_formset(form_class: type[forms.BaseForm], *, rows: int) -> type[BaseFormSet]:
    return formset_factory(
        form_class,
        formset=RowFormSet,
        extra=3 if rows == 0 else 1,
        can_delete=True,
        max_num=60,
        validate_max=True,
    )
