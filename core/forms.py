from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password

from core.models import Cohort, Framework, Invitation, Portfolio, Role, User


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
