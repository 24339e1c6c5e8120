"""The learner's data page, their archive's progress and download; the staff's erasure page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import outbox
from core.access import is_staff_user
from core.file_responses import stored_file_response
from core.models import Role, User
from privacy import archive as archives
from privacy import erasure, selectors
from privacy.models import PrivacyEntry, SubjectAccessArchive
from privacy.retention import RETENTION


def _learner(request: HttpRequest) -> User:
    """The signed-in learner; the pages are about a learner's own data, so 404 for other roles."""
    user = request.user
    if not isinstance(user, User) or user.role != Role.LEARNER:
        raise Http404("These pages are for learners.")
    return user


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """What is held, how long it is kept, and the learner's archives."""
    learner = _learner(request)
    recent = list(selectors.archives_of(learner)[:5])
    policies = list(dict.fromkeys(rule.policy for rule in RETENTION))
    context = {
        "archives": recent,
        "preparing": next((a for a in recent if a.is_active), None),
        "policies": policies,
        "archive_days": settings.PRIVACY_ARCHIVE_DAYS,
    }
    return render(request, "privacy/my_data.html", context)


WAITING_FOR_SERVICE = (
    "Your request is saved. The service that prepares archives is not answering just now: your "
    "archive will be prepared as soon as it is back."
)


@require_POST
@login_required
def archive_request(request: HttpRequest) -> HttpResponse:
    learner = _learner(request)
    try:
        with outbox.watch() as queued:
            archive = archives.request_archive(learner=learner, actor=learner)
    except archives.ArchiveRefused as exc:
        messages.error(request, str(exc))
        current = selectors.archives_of(learner).filter(status__in=SubjectAccessArchive.ACTIVE).first()
        if current is not None:
            return redirect("privacy:archive_status", pk=current.pk)
        return redirect("privacy:my_data")
    if queued.delayed:
        messages.success(request, WAITING_FOR_SERVICE)
    else:
        messages.success(request, "Your archive is being prepared. This page follows its progress.")
    return redirect("privacy:archive_status", pk=archive.pk)


@login_required
def archive_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; htmx asks for the status partial every 2 s until it is done or failed."""
    archive = selectors.get_archive_for(_learner(request), pk)
    htmx = bool(getattr(request, "htmx", False))  # django-htmx's middleware sets it
    template = "privacy/archive.html#status" if htmx else "privacy/archive.html"
    return render(request, template, {"archive": archive})


@login_required
def archive_download(request: HttpRequest, pk: int) -> FileResponse:
    """The zip, for the learner it is about only (404 to anyone else, staff included)."""
    archive = selectors.get_archive_for(_learner(request), pk)
    if not archive.is_downloadable:
        raise Http404("This archive has no file (it is not ready, or it has expired).")
    try:
        handle = archives.open_archive(archive)  # a stored file: a binary stream
    except FileNotFoundError:
        raise Http404("The stored archive is missing.") from None
    PrivacyEntry.objects.create(
        subject_id=archive.learner_id,
        actor=archive.learner,
        action=PrivacyEntry.Action.ARCHIVE_DOWNLOADED,
        summary=f"Archive {archive.pk} downloaded by the learner.",
    )
    made = archive.finished_at or archive.created_at
    return stored_file_response(
        handle,  # type: ignore[arg-type]  # Storage.open gives IO[bytes]; FileResponse reads any
        content_type="application/zip",
        filename=f"my-portfolio-data-{made:%Y-%m-%d}.zip",
        inline=False,
    )


# --- Staff: erasure on request ------------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    if not is_staff_user(request.user):  # type: ignore[arg-type]
        raise Http404("This page is for staff.")
    return request.user  # type: ignore[return-value]


@login_required
def erasure_preview(request: HttpRequest, user_pk: int) -> HttpResponse:
    """What erasing this learner would erase, what is kept and why; POST erases."""
    actor = _staff(request)
    learner = get_object_or_404(User, pk=user_pk)
    if not erasure.is_learner(learner):
        raise Http404("Only learners are erased on request here.")
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, "Tick the box to confirm the learner asked for erasure.")
        else:
            try:
                entry = erasure.erase_learner(learner=learner, actor=actor)
            except erasure.ErasureRefused as exc:
                messages.error(request, "Erasure refused: " + " ".join(exc.reasons))
            else:
                messages.success(request, entry.summary)
            return redirect("privacy:erasure", user_pk=learner.pk)
    plan = erasure.plan_for(learner, on_request=True)
    trail = (
        PrivacyEntry.objects.filter(subject_id=learner.pk).select_related("actor").order_by("-at", "-pk")[:20]
    )
    return render(request, "privacy/erasure.html", {"learner": learner, "plan": plan, "trail": trail})
