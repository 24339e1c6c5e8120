"""Pages of the personal-data review of a saved item: the panel (polled while an image is
checked), "not personal" marks, and the redaction of an image, prepared then confirmed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.access import can_edit, get_portfolio_for
from core.file_responses import stored_file_response
from core.models import Portfolio
from evidence import privacy
from evidence.models import Evidence, PendingRedaction


def _item(portfolio: Portfolio, pk: int) -> Evidence:
    return get_object_or_404(portfolio.evidence.exclude(kind=Evidence.Kind.SECTION), pk=pk)


def _back(evidence: Evidence) -> HttpResponse:
    return redirect(f"{evidence.get_absolute_url()}#personal-data")


def _overlays(review: privacy.ItemPrivacy) -> list[dict[str, object]]:
    """Each unresolved image finding with its boxes, numbered as the list below the image."""
    return [
        {"number": number, "finding": finding, "boxes": finding.boxes}
        for number, finding in enumerate(review.unresolved, start=1)
        if finding.boxes
    ]


def privacy_context(evidence: Evidence, *, is_owner: bool, preloaded: bool = False) -> dict[str, object]:
    """What the panel needs; shared with the evidence page, whose item comes ``preloaded``
    from ``selectors.evidence_detail``."""
    review = privacy.privacy_of(evidence, preloaded=preloaded)
    if not is_owner:
        pending = None
    elif preloaded:
        try:
            pending = evidence.pending_redaction
        except PendingRedaction.DoesNotExist:
            pending = None
    else:
        pending = PendingRedaction.objects.filter(evidence=evidence).first()
    return {
        "pending_labels": privacy.kind_labels(pending.kinds) if pending else [],
        "redacted_labels": privacy.kind_labels(evidence.redacted_kinds),
        "privacy": review,
        "overlays": _overlays(review),
        "pending": pending,
        "styles": privacy.REDACTION_STYLES,
    }


@login_required
def panel(request: HttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    """The panel alone, which the page polls while the image check runs."""
    portfolio = get_portfolio_for(request.user, portfolio_pk)
    evidence = _item(portfolio, pk)
    is_owner = can_edit(request.user, portfolio)
    context = {"portfolio": portfolio, "evidence": evidence, "is_owner": is_owner}
    context.update(privacy_context(evidence, is_owner=is_owner))
    return render(request, "evidence/_privacy.html#panel", context)


@require_POST
@login_required
def scan(request: HttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    evidence = _item(portfolio, pk)
    try:
        privacy.start_image_scan(evidence=evidence, actor=request.user)
    except privacy.PrivacyError as error:
        messages.error(request, str(error))
    else:
        messages.info(request, "Checking the image for personal data.")
    return _back(evidence)


@require_POST
@login_required
def not_personal(request: HttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    """Mark one finding (``finding``), or every one (``finding=all``), not personal; or,
    with ``undo``, personal again."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    evidence = _item(portfolio, pk)
    finding_id = request.POST.get("finding", "")
    try:
        if finding_id == "all":
            count = privacy.mark_all_not_personal(evidence=evidence, actor=request.user)
            messages.warning(
                request,
                ngettext(
                    "%(count)d finding marked not personal. Your assessor sees how many you marked.",
                    "%(count)d findings marked not personal. Your assessor sees how many you marked.",
                    count,
                )
                % {"count": count},
            )
        elif request.POST.get("undo"):
            privacy.unmark_not_personal(evidence=evidence, finding_id=finding_id, actor=request.user)
            messages.info(request, "Marked as personal data again.")
        else:
            finding = privacy.mark_not_personal(evidence=evidence, finding_id=finding_id, actor=request.user)
            messages.success(request, f"The {finding.label} is marked not personal for this item.")
    except privacy.PrivacyError as error:
        messages.error(request, str(error))
    return _back(evidence)


@require_POST
@login_required
def redaction_prepare(request: HttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    evidence = _item(portfolio, pk)
    try:
        pending = privacy.prepare_redaction(
            evidence=evidence,
            finding_ids=request.POST.getlist("finding")[:500],
            style=request.POST.get("style", "box"),
            actor=request.user,
        )
    except privacy.PrivacyError as error:
        messages.error(request, str(error))
    else:
        messages.info(
            request,
            "Redacted copy ready ("
            + ngettext("%(count)d region", "%(count)d regions", len(pending.finding_ids))
            % {"count": len(pending.finding_ids)}
            + "). Check it, then confirm: "
            "only then is the original deleted.",
        )
    return _back(evidence)


@login_required
def redaction_preview(request: HttpRequest, portfolio_pk: int, pk: int) -> FileResponse:
    """The unconfirmed redacted copy, to the learner only."""
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    evidence = _item(portfolio, pk)
    pending = PendingRedaction.objects.filter(evidence=evidence).first()
    if pending is None:
        raise Http404("No redaction is waiting.")
    try:
        handle = pending.file.open("rb")
    except OSError:
        raise Http404("The redacted copy is missing.") from None
    return stored_file_response(
        handle, content_type=evidence.content_type, filename=f"redacted-{evidence.original_name}", inline=True
    )


@require_POST
@login_required
def redaction_confirm(request: HttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    evidence = _item(portfolio, pk)
    try:
        privacy.confirm_redaction(evidence=evidence, actor=request.user)
    except privacy.PrivacyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Redaction confirmed: the redacted image is now the evidence, the original is deleted."
        )
    return _back(evidence)


@require_POST
@login_required
def redaction_discard(request: HttpRequest, portfolio_pk: int, pk: int) -> HttpResponse:
    portfolio = get_portfolio_for(request.user, portfolio_pk, write=True)
    evidence = _item(portfolio, pk)
    privacy.discard_redaction(evidence=evidence, actor=request.user)
    messages.info(request, "Redacted copy discarded; the image is unchanged.")
    return _back(evidence)
