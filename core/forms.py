from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password

from core.models import Cohort, Framework, Invitation, Portfolio, PortfolioVersion, Role, User


class UKDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CohortForm(forms.ModelForm):
    frameworks = forms.ModelMultipleChoiceField(
        queryset=Framework.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The unit and standard the cohort's portfolios are assessed against.",
    )

    class Meta:
        model = Cohort
        fields = ["name", "code", "organisation", "start_date", "end_date", "frameworks"]
        widgets = {"start_date": UKDateInput(), "end_date": UKDateInput()}
        help_texts = {"code": "Letters, numbers and hyphens, for example cs-2026-sep."}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound:
            self.initial.setdefault("frameworks", list(Framework.objects.values_list("pk", flat=True)))

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be on or after the start date.")
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(
        choices=[(r.value, r.label) for r in Invitation.INVITABLE_ROLES], initial=Role.LEARNER
    )


class AssignAssessorForm(forms.Form):
    assessor = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="— none —")

    def __init__(self, *args: object, portfolio: Portfolio, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Anyone may be posted; only the cohort's assessors validate.
        self.fields["assessor"].queryset = User.objects.filter(
            memberships__cohort=portfolio.cohort, memberships__role=Role.ASSESSOR
        )
        self.fields["assessor"].label = f"Assessor for {portfolio.learner.display_name}"
        self.fields["assessor"].label_from_instance = lambda user: user.display_name


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        help_text="Letters, digits and @ . + - _ only. You will log in with it.",
        error_messages={"invalid": "Use only letters, digits and @ . + - _ in the username."},
    )
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken: choose another.")
        return username

    def clean(self) -> dict:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords do not match.")
        elif first:
            candidate = User(
                username=data.get("username", ""),
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class EqaGrantForm(forms.Form):
    """What a tutor shares with an external quality assurer, and until when."""

    email = forms.EmailField(label="The assurer's e-mail address")
    ends_on = forms.DateField(
        label="Last day of access",
        widget=UKDateInput(),
        help_text="The access starts now and ends at the end of this day (at most 90 days from today).",
    )
    portfolios = forms.ModelMultipleChoiceField(
        queryset=Portfolio.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Learners (every version they submitted)",
    )
    versions = forms.ModelMultipleChoiceField(
        queryset=PortfolioVersion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Or single versions",
    )
    purpose = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Purpose (shown to the assurer)",
    )

    def __init__(self, *args: object, cohort: Cohort, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        portfolios = cohort.portfolios.select_related("learner")
        self.fields["portfolios"].queryset = portfolios
        self.fields["portfolios"].label_from_instance = lambda p: p.learner.display_name
        self.fields["versions"].queryset = (
            PortfolioVersion.objects.filter(portfolio__cohort=cohort)
            .defer("snapshot")
            .select_related("portfolio__learner")
            .order_by("portfolio__learner__last_name", "portfolio__learner__username", "number")
        )
        self.fields["versions"].label_from_instance = lambda v: (
            f"{v.portfolio.learner.display_name}: version {v.number} ({v.submitted_at:%-d %b %Y})"
        )

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not data.get("portfolios") and not data.get("versions"):
            self.add_error("portfolios", "Choose at least one learner or one version to share.")
        return data


class EqaFindingForm(forms.Form):
    """A finding an external quality assurer records for the centre."""

    text = forms.CharField(label="Finding", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    portfolio = forms.ModelChoiceField(
        queryset=Portfolio.objects.none(), required=False, label="About the learner (optional)"
    )
    version = forms.ModelChoiceField(
        queryset=PortfolioVersion.objects.none(), required=False, label="About the version (optional)"
    )

    def __init__(self, *args: object, portfolios: object, versions: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["portfolio"].queryset = portfolios
        self.fields["portfolio"].label_from_instance = lambda p: p.learner.display_name
        self.fields["version"].queryset = versions
        self.fields["version"].label_from_instance = lambda v: (
            f"{v.portfolio.learner.display_name}: version {v.number}"
        )
