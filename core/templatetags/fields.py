"""``{{ form.field|as_field }}`` and ``{{ form|as_fields }}``: crispy-bootstrap5's markup, built in Python.

crispy-forms' ``|as_crispy_field`` renders ``bootstrap5/field.html`` and its includes, a dozen
template renders per field, most of a form page's CPU (issue #20). These filters write the same
markup for the fields our forms have (text-like inputs, textareas, selects, checkboxes, hidden
fields) straight from the bound field; anything else (radios, multiple checkboxes, files,
multi-widgets, a form with a crispy ``helper``) goes to crispy's own filter, so its output there
is crispy's by construction. tests/portfolio/test_field_markup.py renders every kind both ways.

Every value passes ``format_html``'s escaping, except help text, which crispy marks safe too.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.forms.formsets import BaseFormSet
from django.forms.widgets import Input
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Widgets rendered here; a subclass of these renders its own template (``str(field)``) as under
# crispy, only the markup around it is ours.
_OURS = (Input, forms.Textarea, forms.Select, forms.CheckboxInput)
# Widgets crispy lays out differently (file inputs, radio and checkbox lists) or in parts.
_CRISPYS = (forms.FileInput, forms.RadioSelect, forms.MultiWidget)


def _is_ours(field: object) -> bool:
    if not isinstance(field, BoundField) or getattr(field.form, "helper", None) is not None:
        return False
    widget = field.field.widget
    return (
        isinstance(widget, _OURS)
        and not isinstance(widget, _CRISPYS)
        # Wrappers (admin's RelatedFieldWidgetWrapper) and multi-widgets get classes per part.
        and not hasattr(widget, "widget")
        and not hasattr(widget, "widgets")
        and not field.use_fieldset
    )


def _add_classes(widget: forms.Widget, classes: str) -> None:
    """Crispy's ``CrispyFieldNode``: the widget's class name, then Bootstrap's classes.

    It writes them into ``widget.attrs`` (the form's own copy of the widget), which a later
    ``{{ field }}`` also shows; kept so that the two filters leave the widget alike.
    """
    class_name = widget.__class__.__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    present = css_class.split()
    for name in classes.split():
        if name not in present:
            css_class += f" {name}"
            present.append(name)
    widget.attrs["class"] = css_class


def _lines(parts: list[SafeString]) -> SafeString:
    return format_html_join("\n", "{}", ((part,) for part in parts))


def _help_and_errors(field: BoundField) -> SafeString:
    """``layout/help_text_and_errors.html``: the errors block, then the help text."""
    parts: list[SafeString] = []
    errors = field.errors
    if errors:
        paragraphs = format_html_join(
            "\n",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((number, field.auto_id, error) for number, error in enumerate(errors, 1)),
        )
        parts.append(
            format_html(
                '<div id="{}_error" class="invalid-feedback">\n{}\n</div>',
                getattr(errors, "field_id", ""),
                paragraphs,
            )
        )
    if field.help_text:
        help_text = mark_safe(str(field.help_text))  # noqa: S308 - crispy's ``|safe``: our forms' text
        if field.auto_id:
            parts.append(
                format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, help_text)
            )
        else:
            parts.append(format_html('<div class="form-text">{}</div>', help_text))
    return _lines(parts)


def _label_text(field: BoundField) -> SafeString:
    if field.field.required:
        return format_html('{}<span class="asteriskField">*</span>', field.label)
    return format_html("{}", field.label)


def _render(field: BoundField) -> SafeString:
    if field.is_hidden:
        return format_html("{}", field)
    widget = field.field.widget
    invalid = " is-invalid" if field.errors else ""
    required = " requiredField" if field.field.required else ""
    css_classes = field.css_classes()
    wrapper_class = f" {css_classes}" if css_classes else ""
    if isinstance(widget, forms.CheckboxInput):
        _add_classes(widget, f"form-check-input{invalid}")
        return format_html(
            '<div class="mb-3">\n<div id="div_{}" class="form-check{}">\n{}\n'
            '<label for="{}" class="form-check-label{}">\n{}\n</label>\n{}\n</div>\n</div>',
            field.auto_id,
            wrapper_class,
            field,
            field.id_for_label,
            required,
            _label_text(field),
            _help_and_errors(field),
        )
    _add_classes(widget, f"{'form-select' if isinstance(widget, forms.Select) else 'form-control'}{invalid}")
    label = ""
    if field.label:
        label = format_html(
            '<label{} class="form-label{}">\n{}\n</label>',
            format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
            required,
            _label_text(field),
        )
    return format_html(
        '<div id="div_{}" class="mb-3{}">\n{}\n{}\n{}\n</div>',
        field.auto_id,
        wrapper_class,
        label,
        field,
        _help_and_errors(field),
    )


@register.filter
def as_field(field: BoundField) -> SafeString:
    """One field as ``|as_crispy_field`` lays it out with the bootstrap5 pack."""
    if not _is_ours(field):
        return as_crispy_field(field)
    return _render(field)


@register.filter
def as_fields(form: forms.BaseForm) -> SafeString:
    """A whole form as ``|crispy`` lays it out: its own errors, then each field."""
    if isinstance(form, BaseFormSet) or getattr(form, "helper", None) is not None:
        return as_crispy_form(form)
    parts: list[SafeString] = []
    non_field_errors = form.non_field_errors()
    if non_field_errors:
        parts.append(
            format_html(
                '<div class="alert alert-block alert-danger">\n<ul class="m-0">\n{}\n</ul>\n</div>',
                format_html_join("\n", "<li>{}</li>", ((error,) for error in non_field_errors)),
            )
        )
    parts.extend(as_field(field) for field in form)
    return _lines(parts)
