"""``|as_field`` and ``|as_fields`` write the markup crispy-bootstrap5 writes, field kind by kind.

Each field is rendered through crispy's filter and ours, each on its own fresh form (crispy
writes classes into the form's widgets), and the HTML compared after parsing, so whitespace
between tags and the order of attributes do not count and everything else does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html
from django.utils.safestring import mark_safe

from core.forms import UKDateInput
from core.templatetags.fields import _is_ours, _widget, as_field, as_fields

NASTY = '"quoted" & <script>alert(1)</script>'
CHOICES = [("", "---------"), ("a", "Apple <b>"), ("b", NASTY)]


class EveryKindForm(forms.Form):
    error_css_class = "has-error"
    required_css_class = "is-required"

    name = forms.CharField(help_text="Your <b>full</b> name")
    nickname = forms.CharField(required=False, initial=NASTY)
    email = forms.EmailField(required=False, label="E-mail <i>&</i> more")
    website = forms.URLField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput)
    count = forms.IntegerField(min_value=0, help_text="Whole numbers")
    share = forms.DecimalField(required=False, widget=forms.NumberInput(attrs={"step": "0.1"}))
    day = forms.DateField(required=False, widget=UKDateInput)
    native_day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(required=False)
    at = forms.TimeField(required=False)
    phone = forms.CharField(required=False, widget=forms.TelInput)
    query = forms.CharField(required=False, widget=forms.SearchInput)
    tint = forms.CharField(required=False, widget=forms.ColorInput, initial="#ff0000")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), initial=NASTY)
    wide = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "wide textinput"}))
    styled = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "form-control big"}))
    unlabelled = forms.CharField(required=False, label="")
    fruit = forms.ChoiceField(choices=CHOICES)
    maybe = forms.NullBooleanField(required=False)
    fruits = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    grouped = forms.ChoiceField(
        required=False, choices=[("", "None"), ("Fruit <x>", [("a", "Apple"), ("p", "Pear")]), (3, 1234)]
    )
    amount = forms.DecimalField(required=False, localize=True, initial=Decimal("1234.5"))
    safe_value = forms.CharField(required=False, initial=mark_safe("<b>kept</b>"))
    flagged = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"data-on": True, "data-off": False, "maxlength": 5})
    )
    agree = forms.BooleanField(help_text="Tick to <em>agree</em>")
    subscribe = forms.BooleanField(required=False, initial=True)
    token = forms.CharField(widget=forms.HiddenInput, initial=NASTY)
    remembered = forms.CharField(required=False, show_hidden_initial=True, initial="x")
    disabled = forms.CharField(required=False, disabled=True, initial=NASTY)
    # Crispy's own: these go through its filter.
    colour = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect)
    colours = forms.MultipleChoiceField(choices=CHOICES[1:], widget=forms.CheckboxSelectMultiple)
    upload = forms.FileField(required=False)
    plain_upload = forms.FileField(required=False, widget=forms.FileInput)
    when = forms.SplitDateTimeField(required=False)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if name == "twice":
            raise ValidationError(["First <problem>.", "Second & last."])
        return name

    def clean(self) -> dict[str, Any] | None:
        if self.data.get("nickname") == "whole":
            raise ValidationError("The <form> as a whole is wrong.")
        return super().clean()


OURS = [
    "name",
    "nickname",
    "email",
    "website",
    "secret",
    "count",
    "share",
    "day",
    "native_day",
    "moment",
    "at",
    "phone",
    "query",
    "tint",
    "notes",
    "wide",
    "styled",
    "unlabelled",
    "fruit",
    "maybe",
    "fruits",
    "grouped",
    "amount",
    "safe_value",
    "flagged",
    "agree",
    "subscribe",
    "token",
    "remembered",
    "disabled",
]
CRISPYS = ["colour", "colours", "upload", "plain_upload", "when"]
INVALID = {"name": "twice", "nickname": "whole", "count": "-1", "fruit": "z", "email": "not <an> e-mail"}
VALID = {
    "name": NASTY,
    "secret": "s",
    "count": "3",
    "fruit": "b",
    "agree": "on",
    "colour": "a",
    "colours": ["a"],
}
FORMS = {
    "unbound": lambda: EveryKindForm(),
    "invalid": lambda: _validated(EveryKindForm(INVALID)),
    "valid": lambda: _validated(EveryKindForm(VALID)),
    "no ids": lambda: EveryKindForm(auto_id=False),
    "no ids, invalid": lambda: _validated(EveryKindForm(INVALID, auto_id=False)),
    "prefixed": lambda: _validated(EveryKindForm(INVALID, prefix="row-0")),
}


def _validated(form: forms.Form) -> forms.Form:
    form.is_valid()
    return form


def _same(ours: str, crispys: str) -> None:
    assert parse_html(ours) == parse_html(crispys), f"ours:\n{ours}\n\ncrispy's:\n{crispys}"


@pytest.mark.parametrize("kind", FORMS)
@pytest.mark.parametrize("name", OURS + CRISPYS)
def test_it_writes_crispys_markup_for_every_field_kind(kind: str, name: str) -> None:
    make = FORMS[kind]
    _same(as_field(make()[name]), as_crispy_field(make()[name]))


@pytest.mark.parametrize("kind", FORMS)
@pytest.mark.parametrize("name", OURS)
def test_it_writes_djangos_own_widget_markup_to_the_character(kind: str, name: str) -> None:
    make = FORMS[kind]
    assert _widget(make()[name]) == str(make()[name])


@pytest.mark.parametrize("kind", FORMS)
def test_it_writes_crispys_markup_for_a_whole_form(kind: str) -> None:
    make = FORMS[kind]
    _same(as_fields(make()), as_crispy_form(make()))


def test_it_renders_the_common_kinds_itself_and_hands_the_rest_to_crispy() -> None:
    form = EveryKindForm()
    assert [name for name in OURS + CRISPYS if _is_ours(form[name])] == OURS


class HelpedForm(EveryKindForm):
    helper = FormHelper()
    helper.label_class = "col-2"


def test_it_hands_a_form_with_a_helper_to_crispy() -> None:
    assert not _is_ours(HelpedForm()["name"])
    _same(as_field(HelpedForm()["name"]), as_crispy_field(HelpedForm()["name"]))
    _same(as_fields(HelpedForm()), as_crispy_form(HelpedForm()))


def test_it_escapes_values_labels_and_errors() -> None:
    form = _validated(EveryKindForm({**INVALID, "nickname": NASTY, "email": "<script>x</script>"}))
    html = as_fields(form)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "E-mail &lt;i&gt;&amp;&lt;/i&gt; more" in html
    assert "First &lt;problem&gt;." in html


def test_it_leaves_the_widget_classed_as_crispy_does() -> None:
    ours, crispys = _validated(EveryKindForm(INVALID)), _validated(EveryKindForm(INVALID))
    for name in OURS:
        as_field(ours[name])
        as_field(ours[name])  # twice: nothing is added again
        as_crispy_field(crispys[name])
        assert ours[name].field.widget.attrs == crispys[name].field.widget.attrs, name


def test_it_writes_the_widgets_without_djangos_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("a widget template was rendered")

    monkeypatch.setattr(DjangoTemplates, "render", refuse)
    form = _validated(EveryKindForm(INVALID))
    for name in OURS:
        if name != "remembered":  # with its hidden initial value: Django's own str(field)
            as_field(form[name])


def test_it_localises_numbers_as_the_templates_do(settings: object) -> None:
    settings.USE_THOUSAND_SEPARATOR = True  # type: ignore[attr-defined]
    for name in ("grouped", "amount"):
        assert _widget(EveryKindForm()[name]) == str(EveryKindForm()[name])
        assert "1,234" in str(EveryKindForm()[name])
