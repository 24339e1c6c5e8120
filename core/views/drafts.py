"""Keeping and discarding form drafts (portfolio/drafts.py): called by static/js/forms.js."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import drafts
from core.access import get_draft_for
from core.concurrency import TOKEN_FIELD
from core.models import User


@require_POST
def draft_save(request: HttpRequest) -> HttpResponse:
    """Keep the posted form as the draft the signed key names.

    No ``login_required``: the key, signed for one person when their form was rendered,
    is what authorises writing their draft, so text sent after the session expired is kept
    for them. A signed-in person can only write their own drafts."""
    try:
        key = drafts.read_key(request.POST.get("draft_key", ""))
        if request.user.is_authenticated and request.user.pk != key.user_id:
            raise Http404("No such draft.")
        owner = User.objects.filter(pk=key.user_id, is_active=True).first()
        if owner is None:
            raise Http404("No such draft.")
        fields = drafts.fields_from(request.POST)
    except drafts.DraftError as error:
        status = 413 if "too" in str(error) and "old" not in str(error) else 400
        return JsonResponse({"error": str(error)}, status=status)
    token = request.POST.get(TOKEN_FIELD, "")
    base = int(token) if token.isdigit() and len(token) < 10 else 0
    if request.POST.get("after_submit") and drafts.echoes_a_save(owner=owner, key=key, base_revision=base):
        return JsonResponse({"saved_at": None})
    draft = drafts.keep_draft(owner=owner, key=key, fields=fields, base_revision=base)
    return JsonResponse({"saved_at": timezone.localtime(draft.updated_at).strftime("%H:%M")})


@login_required
@require_POST
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    draft = get_draft_for(request.user, pk)
    path = draft.path
    draft.delete()
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    return redirect(path if path.startswith("/") and not path.startswith("//") else "/")
