"""``{{ form.field|as_field }}`` and ``{{ form|as_fields }}``: crispy-bootstrap5's markup, built in Python.

crispy-forms' ``|as_crispy_field`` renders ``bootstrap5/field.html`` and its includes, a dozen
template renders per field, then Django's widget templates (one more per option of a select):
most of a form page's CPU (issue #20). These filters write the same markup for the fields our
forms have (text-like inputs, textareas, selects, checkboxes, hidden fields) straight from the
bound field; anything else (radios, multiple checkboxes, files, multi-widgets, a form with a
crispy ``helper``) goes to crispy's own filter, so its output there is crispy's by construction.
tests/portfolio/test_field_markup.py renders every kind both ways.

Every value is escaped as the templates escape it (``_escaped``, ``_stringformat``) before it is
put into the markup, except help text, which crispy marks safe too.
"""

from __future__ import annotations

from html import escape as html_escape

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.forms.formsets import BaseFormSet
from django.forms.renderers import DjangoTemplates
from django.forms.widgets import Input
from django.http import HttpRequest
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()

# Widgets laid out here; a subclass with a template of its own still renders it (_WidgetRenderer
# hands it to the form's renderer).
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


class _WidgetRenderer:
    """Django's own widget templates (``django/forms/widgets/``), written in Python.

    Passed to ``widget.render`` in place of the form's renderer, so the widget's own
    ``get_context`` still builds the context; a template not written here goes to the form's
    renderer. Only used when the form has Django's default renderer, whose directory of
    templates comes first and cannot be overridden, so these are the templates it would use.
    """

    INPUTS = frozenset(
        f"django/forms/widgets/{name}.html"
        for name in (
            "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time",
            "checkbox", "search", "tel", "color", "input",
        )
    )  # fmt: skip
    TEXTAREA = "django/forms/widgets/textarea.html"
    SELECT = "django/forms/widgets/select.html"
    OPTION = "django/forms/widgets/select_option.html"

    def __init__(self, fallback: DjangoTemplates) -> None:
        self.fallback = fallback

    def render(self, template_name: str, context: dict, request: HttpRequest | None = None) -> str:
        # Escaped piece by piece with _escaped and _stringformat: format_html for each attribute
        # and option cost as much as the templates did.
        widget = context["widget"]
        if template_name in self.INPUTS:
            value = widget["value"]
            value_attr = f' value="{_stringformat(value)}"' if value is not None else ""
            return mark_safe(  # noqa: S308 - every value is escaped
                f'<input type="{_escaped(widget["type"])}" name="{_escaped(widget["name"])}"'
                f"{value_attr}{_attrs(widget['attrs'])}>"
            )
        if template_name == self.TEXTAREA:
            text = _escaped(widget["value"]) if widget["value"] else ""
            return mark_safe(  # noqa: S308 - every value is escaped
                f'<textarea name="{_escaped(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'
            )
        if template_name == self.SELECT and all(
            option["template_name"] == self.OPTION
            for _, options, _ in widget["optgroups"]
            for option in options
        ):
            return _select(widget)
        return self.fallback.render(template_name, context, request)


def _escaped(value: object) -> str:
    """``{{ value }}`` (``conditional_escape`` after ``localize``) without their lazy wrappers."""
    value = localize(value)
    html = getattr(value, "__html__", None)
    return html() if html is not None else html_escape(str(value))


def _stringformat(value: object) -> str:
    """``{{ value|stringformat:'s' }}``: a safe string as it is, anything else escaped."""
    return value if isinstance(value, SafeData) else html_escape(str(value))  # type: ignore[return-value]


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``, escaped."""
    return "".join(
        f" {_escaped(name)}" if value is True else f' {_escaped(name)}="{_stringformat(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _select(widget: dict) -> SafeString:
    """``select.html`` and ``select_option.html``, newlines and all (the renderer strips the ends)."""
    parts = [f'<select name="{_escaped(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escaped(group_name)}">')
        parts.extend(
            f'\n  <option value="{_stringformat(option["value"])}"{_attrs(option["attrs"])}>'
            f"{_escaped(option['label'])}</option>\n"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts).strip())  # noqa: S308 - every value is escaped


def _widget(field: BoundField) -> SafeString:
    """``str(field)``, through ``_WidgetRenderer`` when the form has Django's default renderer."""
    renderer = field.form.renderer
    if type(renderer) is not DjangoTemplates or field.field.show_hidden_initial:
        return SafeString(str(field))
    # BoundField.as_widget, with our renderer.
    widget = field.field.widget
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return widget.render(
        name=field.html_name,
        value=field.value(),
        attrs=attrs,
        renderer=_WidgetRenderer(renderer),
    )


def _help_and_errors(field: BoundField) -> str:
    """``layout/help_text_and_errors.html``: the errors block, then the help text."""
    parts = []
    errors = field.errors
    if errors:
        auto_id = _escaped(field.auto_id)
        paragraphs = "\n".join(
            f'<p id="error_{number}_{auto_id}"><strong>{_escaped(error)}</strong></p>'
            for number, error in enumerate(errors, 1)
        )
        field_id = _escaped(getattr(errors, "field_id", ""))
        parts.append(f'<div id="{field_id}_error" class="invalid-feedback">\n{paragraphs}\n</div>')
    if field.help_text:
        help_text = str(field.help_text)  # not escaped, as crispy's ``|safe``: our forms' own text
        if field.auto_id:
            parts.append(f'<div id="{_escaped(field.auto_id)}_helptext" class="form-text">{help_text}</div>')
        else:
            parts.append(f'<div class="form-text">{help_text}</div>')
    return "\n".join(parts)


def _label_text(field: BoundField) -> str:
    asterisk = '<span class="asteriskField">*</span>' if field.field.required else ""
    return f"{_escaped(field.label)}{asterisk}"


def _render(field: BoundField) -> SafeString:
    """``bootstrap5/field.html`` with ``|as_crispy_field``'s context, every value escaped."""
    if field.is_hidden:
        return _widget(field)
    widget = field.field.widget
    invalid = " is-invalid" if field.errors else ""
    required = " requiredField" if field.field.required else ""
    css_classes = field.css_classes()
    wrapper_class = f" {_escaped(css_classes)}" if css_classes else ""
    auto_id = _escaped(field.auto_id)
    if isinstance(widget, forms.CheckboxInput):
        _add_classes(widget, f"form-check-input{invalid}")
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<div class="mb-3">\n<div id="div_{auto_id}" class="form-check{wrapper_class}">\n'
            f"{_widget(field)}\n"
            f'<label for="{_escaped(field.id_for_label)}" class="form-check-label{required}">\n'
            f"{_label_text(field)}\n</label>\n{_help_and_errors(field)}\n</div>\n</div>"
        )
    _add_classes(widget, f"{'form-select' if isinstance(widget, forms.Select) else 'form-control'}{invalid}")
    label = ""
    if field.label:
        label_for = f' for="{_escaped(field.id_for_label)}"' if field.id_for_label else ""
        label = f'<label{label_for} class="form-label{required}">\n{_label_text(field)}\n</label>'
    return mark_safe(  # noqa: S308 - every value is escaped
        f'<div id="div_{auto_id}" class="mb-3{wrapper_class}">\n{label}\n{_widget(field)}\n'
        f"{_help_and_errors(field)}\n</div>"
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
    return mark_safe("\n".join(parts))  # noqa: S308 - each part is safe
