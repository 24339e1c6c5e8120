"""Every e-mail the app sends leaves through ``send_text_email``.

The e-mails are plain text (``text/plain``), so their templates are rendered with HTML
autoescaping off: a name such as "Amira Khan's" or "Fernleaf & Co" arrives as typed, not as
``&#x27;`` or ``&amp;``. Nothing here is ever shown as HTML, so nothing needs escaping.
Templates live under ``templates/**/email/*.txt`` (and ``registration/password_reset_*``).

One function sends, so that the mail can later be written to an outbox first and
dispatched from there without touching the callers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.mail import send_mail
from django.template import Context
from django.template.loader import get_template


def render_text_email(template_name: str, context: Mapping[str, Any]) -> str:
    """A text e-mail's body or subject, from a Django template, without HTML escaping."""
    template = get_template(template_name)
    # The backend's wrapper always autoescapes; the engine's own template takes a Context.
    return template.template.render(Context(dict(context), autoescape=False))


def send_text_email(
    *, to: Sequence[str], subject: str, template_name: str, context: Mapping[str, Any]
) -> int:
    """Render and send one plain-text e-mail; the subject is kept to one line."""
    one_line = " ".join(subject.split())
    return send_mail(
        subject=one_line,
        message=render_text_email(template_name, context),
        from_email=None,
        recipient_list=list(to),
    )
