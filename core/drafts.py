"""Drafts: what a person typed in an edit form and has not saved, kept on the server.

The page's script sends the form's fields every few seconds of typing, when the page is
hidden or left, and just before a save is submitted. A draft belongs to one person and one
form (the form's concurrency scope); it is never the record: the record changes only when
the person saves, and a save deletes their draft of that form. Drafts expire after
``FORM_DRAFT_DAYS`` days.

Writing a draft is authorised by a *draft key*: the person's id, the form's scope and the
page's path, signed with the site's secret when the page was rendered for that person and
valid for ``DRAFT_KEY_MAX_AGE``. It does not need the session, so text typed after the
session expired (and sent as the save is submitted) is still kept for that person, and is
offered back when they log in again and the save redirects them to the form. Reading,
restoring and discarding a draft need the session and ownership (``access.get_draft_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from core.concurrency import TOKEN_FIELD, EditState, current_revision
from core.models import FormDraft, User

# Kept from when this module was portfolio/drafts.py: a new salt would refuse the draft keys of
# every page opened before an upgrade, and the text typed there would be lost.
SALT = "portfolio.drafts"
DRAFT_KEY_MAX_AGE = 7 * 24 * 3600
MAX_DRAFT_CHARS = 200_000  # all values together
MAX_DRAFT_FIELDS = 400
MAX_FIELD_NAME = 100
# Never kept in a draft: the CSRF token, the version token, buttons, the draft key itself.
SKIPPED = {"csrfmiddlewaretoken", TOKEN_FIELD, "draft_key", "action", "redact", "after_submit"}


class DraftError(Exception):
    """The draft cannot be kept (bad key, too big); the message says why."""


# --- Keys -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftKey:
    user_id: int
    scope: str
    path: str


def make_key(*, user: User, scope: str, path: str) -> str:
    return signing.dumps({"u": user.pk, "s": scope, "p": path[:300]}, salt=SALT, compress=True)


def read_key(key: str) -> DraftKey:
    try:
        value = signing.loads(key[:2000], salt=SALT, max_age=DRAFT_KEY_MAX_AGE)
        return DraftKey(user_id=int(value["u"]), scope=str(value["s"]), path=str(value["p"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise DraftError("This page is too old to keep a draft: reload it.") from None


# --- Writing --------------------------------------------------------------------------------


def fields_from(data: QueryDict) -> dict[str, Any]:
    """The form's own fields from a submission, refused when hostile in size."""
    fields: dict[str, Any] = {}
    total = 0
    for name in data:
        if name in SKIPPED:
            continue
        if len(name) > MAX_FIELD_NAME:
            raise DraftError("A field name is too long.")
        values = data.getlist(name)
        total += sum(len(value) for value in values) + len(name)
        if total > MAX_DRAFT_CHARS:
            raise DraftError("This draft is too long to keep.")
        fields[name] = values[0] if len(values) == 1 else values
        if len(fields) > MAX_DRAFT_FIELDS:
            raise DraftError("This form has too many fields to keep as a draft.")
    return fields


@transaction.atomic
def keep_draft(*, owner: User, key: DraftKey, fields: dict[str, Any], base_revision: int) -> FormDraft:
    """Keep (or replace) this person's draft of this form, and drop expired drafts (anyone's:
    a person who never comes back must not keep text on the server for ever)."""
    FormDraft.objects.filter(updated_at__lt=FormDraft.expiry_cutoff()).delete()
    draft, _created = FormDraft.objects.update_or_create(
        owner=owner,
        scope=key.scope,
        defaults={
            "path": key.path,
            "fields": fields,
            "base_revision": base_revision,
            "updated_at": timezone.now(),
        },
    )
    return draft


def echoes_a_save(*, owner: User, key: DraftKey, base_revision: int) -> bool:
    """Whether a draft sent as the page was left after a save is that save's echo: the
    record has moved on from the draft's base, by its owner, so the save went through and
    its answer (the saved page, or the conflict view) holds the text."""
    current = current_revision(key.scope)
    return current.number > base_revision and current.saved_by_id == owner.pk


def discard_draft(*, owner: User, scope: str) -> None:
    FormDraft.objects.filter(owner=owner, scope=scope).delete()


# --- Offering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferedDraft:
    pk: int
    updated_at: datetime
    fields: dict[str, Any]
    base_token: str


def _normal(value: Any) -> Any:
    if isinstance(value, list):
        return [_normal(item) for item in value]
    return str(value).replace("\r\n", "\n").strip()


def _saved_values(parts: list[BaseForm | BaseFormSet]) -> dict[str, Any]:
    """What the unbound forms show: the saved record, as the page's inputs hold it."""
    values: dict[str, Any] = {}
    for part in parts:
        forms = part.forms if isinstance(part, BaseFormSet) else [part]
        if isinstance(part, BaseFormSet):
            management = part.management_form
            for name in management.fields:
                values[management.add_prefix(name)] = str(management[name].value())
        for form in forms:
            for name in form.fields:
                bound = form[name]
                value = bound.value()
                if isinstance(value, (list, tuple)):
                    values[bound.html_name] = [str(item) for item in value]
                else:
                    formatted = bound.field.widget.format_value(value)
                    values[bound.html_name] = "" if formatted is None else formatted
    return values


def offer(
    edit: EditState,
    request: HttpRequest,
    parts: list[BaseForm | BaseFormSet],
    *,
    saved: dict[str, Any] | None = None,
) -> None:
    """Give the page its draft key, and the person's draft if it says something the saved
    record does not (a draft equal to the record is a save that already happened).

    ``saved``: the page's inputs as the saved record fills them, for a page without forms."""
    edit.draft_key = make_key(user=request.user, scope=edit.scope, path=request.get_full_path())
    if request.method == "POST" or edit.draft_id is None:
        return
    draft = FormDraft.objects.filter(pk=edit.draft_id, owner=request.user).first()
    if draft is None:
        return
    saved = {**_saved_values(parts), **(saved or {})}
    # A ticked box missing from the draft was unticked there.
    unticked = any(value == "on" and name not in draft.fields for name, value in saved.items())
    if not unticked and all(
        _normal(value) == _normal(saved.get(name, "")) for name, value in draft.fields.items()
    ):
        draft.delete()
        return
    edit.draft = OfferedDraft(
        pk=draft.pk, updated_at=draft.updated_at, fields=draft.fields, base_token=str(draft.base_revision)
    )
