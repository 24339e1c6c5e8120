"""One optimistic concurrency check for every edit form.

Each editable record has a *scope* (``portfolio/12/strategy.vision``, ``evidence/40``,
``cohort/3``) and a revision number in ``EditRevision``. A form carries the number it was
opened at as the hidden field ``version_token``. The service that saves the record calls
``claim()`` first, inside its transaction: one ``UPDATE … WHERE revision = token`` moves the
number on, or touches no row because someone saved in between, and then ``EditConflict`` rolls
the whole save back. The view then shows the page again with what the person typed, the other
version beside each field that differs, and the current token, so saving again is a choice
made knowing both versions. A formset and its opening form share one scope: the token guards
the whole step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.forms import BaseForm, BaseFormSet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.models import EditRevision, FormDraft, User

TOKEN_FIELD = "version_token"


class EditConflict(Exception):
    """Someone saved the record after this form was opened; nothing was written."""

    def __init__(self, revision: Revision) -> None:
        super().__init__("This was saved elsewhere after you opened it.")
        self.revision = revision


@dataclass(frozen=True)
class Revision:
    scope: str
    number: int
    saved_at: datetime | None = None
    saved_by: str = ""
    saved_by_id: int | None = None

    @property
    def token(self) -> str:
        return str(self.number)


# --- Scopes ---------------------------------------------------------------------------------


def portfolio_scope(portfolio_id: int, key: str) -> str:
    """A step or page of one portfolio: ``key`` is the section key (``audit.presence``)."""
    return f"portfolio/{portfolio_id}/{key}"


def evidence_scope(evidence_id: int) -> str:
    return f"evidence/{evidence_id}"


def cohort_scope(cohort_id: int) -> str:
    return f"cohort/{cohort_id}"


def assessor_scope(portfolio_id: int) -> str:
    """Who assesses a learner (the roster's select on the cohort page)."""
    return portfolio_scope(portfolio_id, "assessor")


# --- Reading and claiming -------------------------------------------------------------------


def current_revision(scope: str) -> Revision:
    row = EditRevision.objects.filter(scope=scope).select_related("saved_by").first()
    if row is None:
        return Revision(scope=scope, number=0)
    return Revision(
        scope=scope,
        number=row.revision,
        saved_at=row.saved_at,
        saved_by=row.saved_by.display_name if row.saved_by else "",
        saved_by_id=row.saved_by_id,
    )


def tokens_for(scopes: Iterable[str]) -> dict[str, str]:
    """The tokens of many records in one query (a list with a form per row)."""
    scopes = list(scopes)
    found = dict(EditRevision.objects.filter(scope__in=scopes).values_list("scope", "revision"))
    return {scope: str(found.get(scope, 0)) for scope in scopes}


def _parse(token: str) -> int | None:
    token = token.strip()
    if not token.isdigit() or len(token) > 10:
        return None
    return int(token)


def claim(*, scope: str, token: str | None, actor: User) -> Revision:
    """Move ``scope`` to its next revision if it is still at ``token``; else ``EditConflict``.

    Call it first inside the saving transaction, so a conflict rolls everything back. Without
    a token (a script, the demo, an old page) the save is not checked, but the number still
    moves on, so every open form learns of it.
    """
    # Saving the record ends this person's draft of it (core/drafts.py).
    FormDraft.objects.filter(owner=actor, scope=scope).delete()
    if token is None:
        touch(scope=scope, actor=actor)
        return current_revision(scope)
    now = timezone.now()
    updates = {"revision": F("revision") + 1, "saved_at": now, "saved_by": actor}
    rows = EditRevision.objects.filter(scope=scope)
    expected = _parse(token)
    if expected is None:
        raise EditConflict(current_revision(scope))
    if expected == 0:
        try:
            with transaction.atomic():
                EditRevision.objects.create(scope=scope, revision=1, saved_at=now, saved_by=actor)
        except IntegrityError:
            raise EditConflict(current_revision(scope)) from None
        return Revision(
            scope=scope, number=1, saved_at=now, saved_by=actor.display_name, saved_by_id=actor.pk
        )
    if not rows.filter(revision=expected).update(**updates):
        raise EditConflict(current_revision(scope))
    return Revision(
        scope=scope, number=expected + 1, saved_at=now, saved_by=actor.display_name, saved_by_id=actor.pk
    )


def touch(*, scope: str, actor: User) -> None:
    """Move ``scope`` on without a check: a save of one record changed rows another form
    shows too (a mapping is on both the item's and the criterion's page). Drafts stay."""
    now = timezone.now()
    rows = EditRevision.objects.filter(scope=scope)
    updates = {"revision": F("revision") + 1, "saved_at": now, "saved_by": actor}
    if not rows.update(**updates):
        try:
            with transaction.atomic():
                EditRevision.objects.create(scope=scope, revision=1, saved_at=now, saved_by=actor)
        except IntegrityError:
            rows.update(**updates)


def posted_token(request: HttpRequest) -> str | None:
    """The token the submitted page was opened at; None when the page sent none."""
    if request.method != "POST" or TOKEN_FIELD not in request.POST:
        return None
    return request.POST.get(TOKEN_FIELD, "")[:20]


# --- The conflict view ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDifference:
    """One field whose saved value (theirs) differs from what the person typed (yours)."""

    where: str  # "Vision statement", "Row 2 · Platform"
    input_id: str  # the input in the re-rendered form, for the "take theirs" button
    input_name: str
    theirs_text: str  # as a person reads it
    yours_text: str  # as typed, to read beside theirs
    theirs_value: str | None  # what to put in the input; None when it cannot be copied in
    toggle_id: str = ""  # a tick box that goes with the input (a picker's "mapped")
    toggle_on: bool = False  # whether their version has it ticked


@dataclass(frozen=True)
class Conflict:
    revision: Revision
    differences: list[FieldDifference] = field(default_factory=list)
    theirs_only: list[str] = field(default_factory=list)  # rows their version has and yours lacks


def _text(bound: forms.BoundField, value: Any) -> str:
    form_field = bound.field
    if value in (None, "", [], ()):
        return "(empty)"
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return ", ".join(
            str(item) for item in form_field.queryset.filter(pk__in=[getattr(v, "pk", v) for v in value])
        )
    if isinstance(form_field, forms.ModelChoiceField):
        if isinstance(value, (str, int)):  # typed: an id
            value = form_field.queryset.filter(pk=value).first() if str(value).isdigit() else value
        return str(value)
    if isinstance(form_field, forms.ChoiceField):
        labels = {str(key): str(label) for key, label in form_field.choices}
        if isinstance(value, (list, tuple)):
            return ", ".join(labels.get(str(item), str(item)) for item in value)
        return labels.get(str(value), str(value))
    if isinstance(form_field, forms.BooleanField):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _copyable(bound: forms.BoundField, value: Any) -> str | None:
    widget = bound.field.widget
    if getattr(widget, "allow_multiple_selected", False):
        return None
    if isinstance(widget, (forms.CheckboxInput, forms.FileInput, forms.MultiWidget)):
        return None
    formatted = widget.format_value(value)
    return "" if formatted is None else str(formatted)


def _form_differences(form: BaseForm, row: str) -> list[FieldDifference]:
    found = []
    for name, form_field in form.fields.items():
        if name in {"DELETE", "ORDER", "id"} or form_field.disabled or form_field.widget.is_hidden:
            continue
        bound = form[name]
        theirs = bound.initial
        yours = form_field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        if not form_field.has_changed(theirs, yours):
            continue
        label = str(bound.label or name)
        found.append(
            FieldDifference(
                where=f"{row} · {label}" if row else label,
                input_id=bound.auto_id or "",
                input_name=bound.html_name,
                theirs_text=_text(bound, theirs),
                yours_text=_text(bound, yours),
                theirs_value=_copyable(bound, theirs),
            )
        )
    return found


def _theirs_only(formset: BaseFormSet) -> list[str]:
    """Rows the saved version has that the submitted formset does not carry."""
    if hasattr(formset, "get_queryset"):
        posted = {form.instance.pk for form in formset.forms if form.instance.pk}
        rows = [row for row in formset.get_queryset() if row.pk not in posted]
        return [str(row) or "(untitled row)" for row in rows]
    extra = list(formset.initial or [])[formset.total_form_count() :]
    return [" · ".join(str(v) for v in values.values() if v not in (None, "", {}))[:200] for values in extra]


def conflict_for(revision: Revision, parts: Sequence[BaseForm | BaseFormSet]) -> Conflict:
    """What the saved version has where the submitted forms say otherwise.

    Each bound form was built on the saved record (``instance`` or ``initial``), so a
    field's initial value is theirs and its submitted value is yours."""
    differences: list[FieldDifference] = []
    theirs_only: list[str] = []
    for part in parts:
        if isinstance(part, BaseFormSet):
            for index, form in enumerate(part.forms, start=1):
                differences += _form_differences(form, f"Row {index}")
            theirs_only += _theirs_only(part)
        else:
            differences += _form_differences(part, "")
    return Conflict(revision=revision, differences=differences, theirs_only=theirs_only)


def conflict_for_choices(
    revision: Revision,
    *,
    theirs: Mapping[int, str],
    yours: Mapping[int, str],
    labels: Mapping[int, str],
    prefix: str,
) -> Conflict:
    """The conflict of a picker page (ticked ids with a note each, ``<prefix>-<id>-on`` and
    ``<prefix>-<id>-note``): every id ticked on one side only, or with another note."""
    differences = []
    for pk, label in labels.items():
        mine, saved = yours.get(pk), theirs.get(pk)
        if mine is None and saved is None:
            continue
        if mine is not None and saved is not None and mine.strip() == saved.strip():
            continue
        if saved is None:
            text = "Not mapped"
        else:
            text = f"Mapped: {saved}" if saved.strip() else "Mapped, without a note"
        differences.append(
            FieldDifference(
                where=label,
                input_id=f"{prefix}-{pk}-note",
                input_name=f"{prefix}-{pk}-note",
                theirs_text=text,
                yours_text=("Mapped: " + mine if mine.strip() else "Mapped, without a note")
                if mine is not None
                else "Not mapped",
                theirs_value=saved or "",
                toggle_id=f"{prefix}-{pk}-on",
                toggle_on=saved is not None,
            )
        )
    return Conflict(revision=revision, differences=differences)


# --- What a page needs ----------------------------------------------------------------------


@dataclass
class EditState:
    """The token, conflict and draft of one edit page, for ``partials/edit_guard.html``."""

    scope: str
    revision: Revision
    posted: str | None
    conflict: Conflict | None = None
    draft_id: int | None = None  # the person's live draft of this form, if any
    draft: Any = None  # core.drafts.OfferedDraft, when it is offered back
    draft_key: str = ""

    @property
    def token(self) -> str:
        return self.revision.token

    @property
    def stale(self) -> bool:
        """The submitted page was opened at an older revision than the saved one."""
        return self.posted is not None and self.posted != self.revision.token

    def check(self, parts: Iterable[BaseForm | BaseFormSet]) -> bool:
        """True, with the conflict set, when the submission is stale; the page shows both."""
        if not self.stale:
            return False
        self.revision = current_revision(self.scope)  # with who saved it, for the panel
        self.conflict = conflict_for(self.revision, list(parts))
        return True


def edit_state(request: HttpRequest, scope: str) -> EditState:
    """The page's state in one query: the record's revision and whether the person has a
    draft of this form (loaded only if there is one)."""
    revisions = EditRevision.objects.filter(scope=scope)
    live_drafts = FormDraft.objects.filter(
        owner=OuterRef("pk"), scope=scope, updated_at__gte=FormDraft.expiry_cutoff()
    )
    row = (
        User.objects.filter(pk=request.user.pk)
        .annotate(
            edit_revision=Subquery(revisions.values("revision")[:1]),
            edit_saved_at=Subquery(revisions.values("saved_at")[:1]),
            edit_draft=Subquery(live_drafts.values("pk")[:1]),
        )
        .values("edit_revision", "edit_saved_at", "edit_draft")
        .first()
    ) or {}
    revision = Revision(scope=scope, number=row.get("edit_revision") or 0, saved_at=row.get("edit_saved_at"))
    return EditState(
        scope=scope, revision=revision, posted=posted_token(request), draft_id=row.get("edit_draft")
    )


def reshow_on_conflict(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A save that raced another between the page's check and the service's claim: show
    the page again, now built on the version that won (the posted token is stale there)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except EditConflict:
            return view(request, *args, **kwargs)

    return wrapper
