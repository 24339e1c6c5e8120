"""Pages for evidence: items of each kind, mapping to criteria and the coverage matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core import concurrency, drafts
from core.access import can_edit, get_portfolio_for
from core.file_responses import stored_file_response
from core.models import Criterion, Portfolio
from core.sections import get_section
from core.selectors import cohort_framework_trees, criteria_for
from evidence import selectors, services
from evidence.forms import EvidenceForm, FileEvidenceForm, MessageFormSet, message_initial
from evidence.models import RECORD_KINDS, Evidence, Questioning
from evidence.personal_data import Finding, find_personal_data, redact
from evidence.privacy import PrivacyError, finding_digest, record_not_personal, start_image_scan
from evidence.privacy_views import privacy_context
from evidence.records import STATUS_LABELS
from evidence.rendering import render_markdown
from evidence.transcripts import describe_duration, response_times
from evidence.witness import witness_context

ADDABLE_KINDS = {
    "file": Evidence.Kind.FILE,
    "reflection": Evidence.Kind.REFLECTION,
    "link": Evidence.Kind.LINK,
    "transcript": Evidence.Kind.TRANSCRIPT,
}
# Text a learner writes about customers: scanned for their personal data before saving.
SCANNED_FIELDS = ("title", "description", "body")
SCANNED_MESSAGE_FIELDS = ("text", "annotation")


def learner_items(portfolio: Portfolio) -> QuerySet[Evidence]:
    """The items the learner changes, maps and deletes: all but the assessor's records
    (which have their own pages, ``evidence.record_views``)."""
    return portfolio.evidence.exclude(kind__in=RECORD_KINDS)


# --- Personal data check ---------------------------------------------------------------


@dataclass(frozen=True)
class FieldFinding:
    field: str  # the form field's HTML name
    where: str  # a label a person understands: "Reflection", "Message 3"
    finding: Finding

    @property
    def token(self) -> str:
        return f"{self.field}|{self.finding.start}|{self.finding.end}"


def _scanned_texts(data: QueryDict, formset_prefix: str | None) -> list[tuple[str, str]]:
    texts = [
        (name, label)
        for name, label in (("title", "Title"), ("description", "Description"), ("body", "Reflection"))
    ]
    if formset_prefix:
        try:
            total = min(int(data.get(f"{formset_prefix}-TOTAL_FORMS", 0)), 200)
        except ValueError:
            total = 0
        for index in range(total):
            for field, label in (("text", "Message"), ("annotation", "Annotation of message")):
                texts.append((f"{formset_prefix}-{index}-{field}", f"{label} {index + 1}"))
    return texts


def scan_submission(
    data: QueryDict, *, formset_prefix: str | None = None, evidence: Evidence | None = None
) -> list[FieldFinding]:
    """Findings in the submitted text, less those the learner marked not personal on this item."""
    handles = [data.get("account_handle", "")]
    marked = {(m.kind, m.digest) for m in evidence.not_personal_marks.all()} if evidence else set()
    found = []
    for name, label in _scanned_texts(data, formset_prefix):
        for finding in find_personal_data(data.get(name, ""), allowed_handles=handles):
            if evidence and (finding.kind, finding_digest(evidence.pk, finding.kind, finding.text)) in marked:
                continue
            found.append(FieldFinding(field=name, where=label, finding=finding))
    return found


def apply_redactions(data: QueryDict, *, token: str, formset_prefix: str | None = None) -> QueryDict:
    """A copy of the submission with one finding (or every one, for "all") redacted."""
    data = data.copy()
    for item in scan_submission(data, formset_prefix=formset_prefix):
        if token in ("all", item.token):
            data[item.field] = redact(data[item.field], [item.finding])
            if token != "all":
                break
    # Redacting shifts positions: with "all", findings in one field are redone together.
    if token == "all":
        for item in scan_submission(data, formset_prefix=formset_prefix):
            data[item.field] = redact(
                data[item.field],
                find_personal_data(data[item.field], allowed_handles=[data.get("account_handle", "")]),
            )
    return data


def _privacy_gate(
    request: HttpRequest, *, formset_prefix: str | None = None, evidence: Evidence | None = None
) -> tuple[QueryDict, list[FieldFinding], bool]:
    """The submission to validate, the findings to show, and whether saving may go ahead.

    A redaction click redacts and shows the form again; a save with findings shows
    them first; "save anyway" goes ahead with the learner's confirmation.
    """
    data = request.POST
    token = data.get("redact")
    if token:
        data = apply_redactions(data, token=token, formset_prefix=formset_prefix)
        return data, scan_submission(data, formset_prefix=formset_prefix, evidence=evidence), False
    findings = scan_submission(data, formset_prefix=formset_prefix, evidence=evidence)
    may_save = not findings or data.get("action") == "save_anyway"
    return data, findings, may_save


# --- Lists and pages -------------------------------------------------------------------


@login_required
def evidence_list(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    kind = request.GET.get("kind", "")
    if kind not in Evidence.Kind.values:
        kind = ""
    items = list(selectors.evidence_list(portfolio, kind=kind))
    return render(
        request,
        "evidence/list.html",
        {
            "portfolio": portfolio,
            "items": items,
            "kind": kind,
            "kinds": Evidence.Kind.choices,
            "is_owner": can_edit(request.user, portfolio),
            "may_record": portfolio.assessor_id == request.user.pk,
        },
    )


@login_required
def evidence_detail(request: HttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    try:
        evidence = selectors.evidence_detail(portfolio, pk)
    except Evidence.DoesNotExist:
        raise Http404("No such evidence.") from None
    context: dict[str, Any] = {
        "portfolio": portfolio,
        "evidence": evidence,
        "is_owner": can_edit(request.user, portfolio),
    }
    if evidence.kind == Evidence.Kind.TRANSCRIPT:
        context["times"] = _transcript_times(list(evidence.messages.all()))
    if evidence.kind == Evidence.Kind.REFLECTION:
        context["body_html"] = render_markdown(evidence.body)
    if evidence.kind == Evidence.Kind.WITNESS:
        context.update(witness_context(request.user, evidence, portfolio))
    if evidence.kind in RECORD_KINDS:
        record = evidence.record
        context["record"] = record
        context["record_status"] = STATUS_LABELS[record.status]  # type: ignore[union-attr]
        context["may_change_record"] = portfolio.assessor_id == request.user.pk
        context["record_edit_url"] = reverse(
            f"evidence:{evidence.kind}_edit", kwargs={"portfolio_pk": portfolio.pk, "pk": evidence.pk}
        )
        if isinstance(record, Questioning):
            context["questions"] = list(record.questions.select_related("criterion__framework"))
    # The learner's check of customers' personal data is for what they wrote, not the assessor's record.
    if evidence.kind not in (Evidence.Kind.SECTION, *RECORD_KINDS):
        context.update(privacy_context(evidence, is_owner=context["is_owner"], preloaded=True))
    if evidence.kind == Evidence.Kind.SECTION:
        try:
            context["section_url"] = get_section(evidence.section_key).url(portfolio.pk)
        except KeyError:
            context["section_url"] = ""
    return render(request, "evidence/detail.html", context)


def _transcript_times(message_list: list) -> dict[str, Any]:
    times = response_times(message_list)
    return {
        "rows": [
            {
                "message": row.message,
                "response_time": describe_duration(row.response_time)
                if row.response_time is not None
                else "",
            }
            for row in times.messages
        ],
        "first_response": describe_duration(times.first_response),
        "longest_wait": describe_duration(times.longest_wait),
        "duration": describe_duration(times.duration),
    }


@login_required
def evidence_file(request: HttpRequest, portfolio_pk: int, pk: int) -> FileResponse:
    """The stored file, to those who may read the portfolio; inline only for images and PDFs."""
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    evidence = get_object_or_404(portfolio.evidence.exclude(file=""), pk=pk, kind=Evidence.Kind.FILE)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The stored file is missing.") from None
    return stored_file_response(
        handle,
        content_type=evidence.content_type,
        filename=evidence.original_name,
        inline=evidence.is_inline,
    )


# --- Adding and changing ---------------------------------------------------------------


@login_required
def evidence_add(request: HttpRequest, portfolio_pk: int, kind: str) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    if kind not in ADDABLE_KINDS:
        raise Http404("No such kind of evidence.")
    kind = ADDABLE_KINDS[kind]
    is_transcript = kind == Evidence.Kind.TRANSCRIPT
    prefix = "messages" if is_transcript else None
    # A new item has no version to check yet; the scope keys its draft.
    edit = concurrency.edit_state(request, concurrency.portfolio_scope(portfolio.pk, f"evidence.new.{kind}"))
    findings: list[FieldFinding] = []
    if request.method == "POST":
        data, findings, may_save = _privacy_gate(request, formset_prefix=prefix)
        form = _kind_form(kind, data=data, files=request.FILES)
        formset = MessageFormSet(data, prefix="messages") if is_transcript else None
        if may_save and form.is_valid() and (formset is None or formset.is_valid()):
            try:
                evidence = services.create_evidence(
                    portfolio=portfolio,
                    kind=kind,
                    values=form.cleaned_data,
                    upload=getattr(form, "clean_file", None),
                    messages=formset.messages() if formset is not None else (),
                    actor=request.user,
                )
            except (services.EvidenceError, ValidationError) as error:
                form.add_error(None, _message(error))
            else:
                drafts.discard_draft(owner=request.user, scope=edit.scope)
                _remember_not_personal(request, evidence, findings)
                if evidence.is_image:
                    return _check_new_image(request, evidence)
                messages.success(request, f"“{evidence.title}” added. Now map it to the criteria it proves.")
                return redirect("evidence:mappings", portfolio_pk=portfolio.pk, pk=evidence.pk)
        elif not may_save:
            form.is_valid()  # show field errors beside the findings
            if formset is not None:
                formset.is_valid()
    else:
        form = _kind_form(kind)
        formset = MessageFormSet(prefix="messages", initial=[{}, {}]) if is_transcript else None
        if formset is not None:
            formset.extra = 2
    drafts.offer(edit, request, [form] + ([formset] if formset is not None else []))
    return _render_form(
        request, portfolio, kind=kind, form=form, formset=formset, findings=findings, evidence=None, edit=edit
    )


@login_required
@concurrency.reshow_on_conflict
def evidence_edit(request: HttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    # A section is edited through its step; a witness's signed testimony not at all.
    editable = portfolio.evidence.exclude(kind__in=[Evidence.Kind.SECTION, Evidence.Kind.WITNESS])
    evidence = get_object_or_404(editable, pk=pk)
    evidence = get_object_or_404(learner_items(portfolio).exclude(kind=Evidence.Kind.SECTION), pk=pk)
    is_transcript = evidence.kind == Evidence.Kind.TRANSCRIPT
    prefix = "messages" if is_transcript else None
    edit = concurrency.edit_state(request, concurrency.evidence_scope(evidence.pk))
    findings: list[FieldFinding] = []
    if request.method == "POST" and edit.stale:
        # Built on the saved messages, so each differing one shows beside what was typed.
        form = EvidenceForm(request.POST, instance=evidence, kind=evidence.kind)
        formset = (
            MessageFormSet(request.POST, prefix="messages", initial=message_initial(evidence))
            if is_transcript
            else None
        )
        edit.check([form] + ([formset] if formset is not None else []))
    elif request.method == "POST":
        data, findings, may_save = _privacy_gate(request, formset_prefix=prefix, evidence=evidence)
        form = EvidenceForm(data, instance=evidence, kind=evidence.kind)
        formset = MessageFormSet(data, prefix="messages") if is_transcript else None
        if may_save and form.is_valid() and (formset is None or formset.is_valid()):
            try:
                services.update_evidence(
                    evidence=evidence,
                    values=form.cleaned_data,
                    messages=formset.messages() if formset is not None else None,
                    actor=request.user,
                    token=edit.posted,
                )
            except (services.EvidenceError, ValidationError) as error:
                form.add_error(None, _message(error))
            else:
                _remember_not_personal(request, evidence, findings)
                messages.success(request, f"“{evidence.title}” saved.")
                return redirect(evidence)
        elif not may_save:
            form.is_valid()
            if formset is not None:
                formset.is_valid()
    else:
        form = EvidenceForm(instance=evidence, kind=evidence.kind)
        formset = (
            MessageFormSet(prefix="messages", initial=message_initial(evidence)) if is_transcript else None
        )
    drafts.offer(edit, request, [form] + ([formset] if formset is not None else []))
    return _render_form(
        request,
        portfolio,
        kind=evidence.kind,
        form=form,
        formset=formset,
        findings=findings,
        evidence=evidence,
        edit=edit,
        status=409 if edit.conflict else 200,
    )


def _remember_not_personal(request: HttpRequest, evidence: Evidence, findings: list[FieldFinding]) -> None:
    """ "Save anyway" says the findings shown are not customers' details: remembered for the
    item, so they are not asked about again, and counted for the assessor."""
    if findings:
        record_not_personal(
            evidence=evidence,
            findings=[(f.finding.kind, f.finding.text) for f in findings],
            actor=request.user,
        )


def _check_new_image(request: HttpRequest, evidence: Evidence) -> HttpResponse:
    """A new image goes to the worker to be read for personal data; the learner waits on the
    item's page, where the findings appear boxed on the image."""
    try:
        start_image_scan(evidence=evidence, actor=request.user)
    except PrivacyError as error:
        messages.warning(request, str(error))
    messages.success(
        request,
        f"“{evidence.title}” added. It is being checked for customers’ personal data; then map it "
        "to the criteria it proves.",
    )
    return redirect(f"{evidence.get_absolute_url()}#personal-data")


def _kind_form(kind: str, *, data: QueryDict | None = None, files: Any = None) -> EvidenceForm:
    if kind == Evidence.Kind.FILE:
        return FileEvidenceForm(data, files)
    return EvidenceForm(data, kind=kind)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error)


def _render_form(
    request: HttpRequest, portfolio: Portfolio, *, status: int = 200, **context: Any
) -> HttpResponse:
    kind = context["kind"]
    template = "evidence/transcript_form.html" if kind == Evidence.Kind.TRANSCRIPT else "evidence/form.html"
    context.update(
        portfolio=portfolio, kind_label=Evidence.Kind(kind).label, is_file=kind == Evidence.Kind.FILE
    )
    return render(request, template, context, status=status)


@login_required
def evidence_delete(request: HttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    evidence = get_object_or_404(learner_items(portfolio).exclude(kind=Evidence.Kind.SECTION), pk=pk)
    if request.method == "POST":
        title = evidence.title
        services.delete_evidence(evidence=evidence, actor=request.user)
        messages.success(request, f"“{title}” deleted.")
        return redirect("evidence:list", portfolio_pk=portfolio.pk)
    return render(
        request,
        "evidence/delete.html",
        {
            "portfolio": portfolio,
            "evidence": evidence,
            "losing": selectors.criteria_losing_only_evidence(evidence),
        },
    )


# --- Mapping ------------------------------------------------------------------------------


def _posted_notes(data: QueryDict, prefix: str, allowed: set[int]) -> dict[int, str]:
    """Ticked ids (``<prefix>-<id>-on``) and their notes (``<prefix>-<id>-note``)."""
    wanted = {}
    for key in data:
        if key.startswith(f"{prefix}-") and key.endswith("-on"):
            try:
                pk = int(key.split("-")[1])
            except (IndexError, ValueError):
                continue
            if pk in allowed:
                wanted[pk] = data.get(f"{prefix}-{pk}-note", "")
    return wanted


@dataclass(frozen=True)
class _Typed:
    """A mapping as the person typed it, shown again after a conflict."""

    note: str


def _picker_token(
    edit: concurrency.EditState,
    *,
    theirs: dict[int, str],
    yours: dict[int, str],
    labels: dict[int, str],
    prefix: str,
) -> tuple[bool, str | None]:
    """Whether a picker's save may go ahead, and with which token.

    A stale page whose rows the other save left as the person typed them goes ahead (the
    other save changed nothing this one would overwrite); otherwise the page shows both."""
    if not edit.stale:
        return True, edit.posted
    edit.revision = concurrency.current_revision(edit.scope)
    conflict = concurrency.conflict_for_choices(
        edit.revision, theirs=theirs, yours=yours, labels=labels, prefix=prefix
    )
    if not conflict.differences:
        return True, edit.revision.token
    edit.conflict = conflict
    return False, None


def _picker_saved(prefix: str, pks: list[int], notes: dict[int, str]) -> dict[str, str]:
    """The picker's inputs as the saved mappings fill them, to compare a draft with."""
    saved = {f"{prefix}-{pk}-note": notes.get(pk, "") for pk in pks}
    saved.update({f"{prefix}-{pk}-on": "on" for pk in notes})
    return saved


@login_required
@concurrency.reshow_on_conflict
def evidence_mappings(request: HttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    """The picker from an item: every criterion, grouped, searchable, each with its note."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=request.method == "POST")
    evidence = get_object_or_404(learner_items(portfolio), pk=pk)
    frameworks = cohort_framework_trees(portfolio.cohort)
    all_criteria = []
    for framework in frameworks:
        for group in framework.groups.all():
            for criterion in group.criteria.all():
                criterion.framework = framework  # already loaded: spare a query per suggestion
                all_criteria.append(criterion)
    current: dict[int, Any] = {m.criterion_id: m for m in evidence.mappings.all()}
    saved_notes = {pk: m.note for pk, m in current.items()}
    edit = concurrency.edit_state(request, services.item_mappings_scope(evidence.pk))
    if request.method == "POST":
        wanted = _posted_notes(request.POST, "c", {c.pk for c in all_criteria})
        labels = {c.pk: f"{c.framework.code} {c.code}" for c in all_criteria}
        may_save, token = _picker_token(edit, theirs=saved_notes, yours=wanted, labels=labels, prefix="c")
        if may_save:
            try:
                services.set_evidence_mappings(
                    evidence=evidence, wanted=wanted, actor=request.user, token=token
                )
            except services.EvidenceError as error:
                messages.error(request, str(error))
            else:
                count = ngettext("%(count)d criterion", "%(count)d criteria", len(wanted)) % {
                    "count": len(wanted)
                }
                messages.success(request, f"Mappings of “{evidence.title}” saved: {count}.")
                return redirect("evidence:mappings", portfolio_pk=portfolio.pk, pk=evidence.pk)
        else:
            current = {pk: _Typed(note=note) for pk, note in wanted.items()}
    is_owner = can_edit(request.user, portfolio)
    if is_owner:
        drafts.offer(edit, request, [], saved=_picker_saved("c", [c.pk for c in all_criteria], saved_notes))
    linked = selectors.linked_criteria(all_criteria)
    suggestions = []
    for criterion in all_criteria:
        if criterion.pk in current:
            for other in linked.get(criterion.pk, []):
                if other.pk not in current and other.pk not in {s["criterion"].pk for s in suggestions}:
                    suggestions.append(
                        {"criterion": other, "because": criterion, "note": current[criterion.pk].note}
                    )
    return render(
        request,
        "evidence/mappings.html",
        {
            "portfolio": portfolio,
            "evidence": evidence,
            "frameworks": frameworks,
            "current": current,
            "linked": linked,
            "suggestions": suggestions,
            "is_owner": is_owner,
            "edit": edit if is_owner else None,
        },
        status=409 if edit.conflict else 200,
    )


@require_POST
@login_required
def mapping_add(request: HttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    """One click on the crosswalk's offer: map the linked criterion with the same note."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    evidence = get_object_or_404(learner_items(portfolio), pk=pk)
    try:
        criterion = criteria_for(portfolio).get(pk=int(request.POST.get("criterion", "")))
    except (Criterion.DoesNotExist, ValueError):
        raise Http404("No such criterion in this cohort.") from None
    try:
        services.add_mapping(
            evidence=evidence, criterion=criterion, note=request.POST.get("note", ""), actor=request.user
        )
    except services.EvidenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Also mapped to {criterion.framework.code} {criterion.code}.")
    return redirect("evidence:mappings", portfolio_pk=portfolio.pk, pk=evidence.pk)


@login_required
@concurrency.reshow_on_conflict
def criterion_mappings(request: HttpRequest, portfolio_pk: int, criterion_pk: int) -> HttpResponse:
    """The picker from a criterion: every item of the portfolio, each with its note."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=request.method == "POST")
    criterion = get_object_or_404(criteria_for(portfolio), pk=criterion_pk)
    items = list(learner_items(portfolio).order_by("-occurred_on", "-created_at"))
    current: dict[int, Any] = {
        m.evidence_id: m for m in criterion.mappings.filter(evidence__portfolio=portfolio)
    }
    saved_notes = {pk: m.note for pk, m in current.items()}
    edit = concurrency.edit_state(request, services.criterion_mappings_scope(portfolio, criterion.pk))
    if request.method == "POST":
        wanted = _posted_notes(request.POST, "e", {e.pk for e in items})
        labels = {e.pk: e.title for e in items}
        may_save, token = _picker_token(edit, theirs=saved_notes, yours=wanted, labels=labels, prefix="e")
        if may_save:
            try:
                services.set_criterion_mappings(
                    portfolio=portfolio, criterion=criterion, wanted=wanted, actor=request.user, token=token
                )
            except services.EvidenceError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"Evidence for {criterion.framework.code} {criterion.code} saved.")
                return redirect(f"{_coverage_url(portfolio)}#criterion-{criterion.pk}")
        else:
            current = {pk: _Typed(note=note) for pk, note in wanted.items()}
    is_owner = can_edit(request.user, portfolio)
    if is_owner:
        drafts.offer(edit, request, [], saved=_picker_saved("e", [e.pk for e in items], saved_notes))
    linked = [link.target for link in criterion.crosswalk_out.select_related("target__framework")]
    linked += [link.source for link in criterion.crosswalk_in.select_related("source__framework")]
    return render(
        request,
        "evidence/criterion_mappings.html",
        {
            "portfolio": portfolio,
            "criterion": criterion,
            "items": [{"evidence": e, "mapping": current.get(e.pk)} for e in items],
            "linked": linked,
            "is_owner": is_owner,
            "edit": edit if is_owner else None,
        },
        status=409 if edit.conflict else 200,
    )


def _coverage_url(portfolio: Portfolio) -> str:
    return reverse("evidence:coverage", kwargs={"portfolio_pk": portfolio.pk})


@login_required
def coverage(request: HttpRequest, portfolio_pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    return render(
        request,
        "evidence/coverage.html",
        {
            "portfolio": portfolio,
            "coverage": selectors.coverage_for(portfolio),
            "is_owner": can_edit(request.user, portfolio),
        },
    )
