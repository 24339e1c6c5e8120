"""Writes of the conversation about a version: messages in feedback threads, and the
assessor's annotations on evidence items.

Who takes part: the learner, their assigned assessor, the quality assurers of the learner's
cohort and staff. Tutors follow the cohort and read the threads, but the judgement is between
the learner, the assessor and quality assurance, so they do not post. Only the assessor and
the quality assurers annotate evidence; the learner reads the annotations.

A conversation continues on the portfolio's latest version: an earlier version's threads stay
readable (from the later version too) but take no new message. Each message and annotation is
written once, recorded in the audit trail, and its readers are told.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import ngettext

from assessment import previews
from assessment.models import ANNOTATION_MAX_LENGTH, MESSAGE_MAX_LENGTH, Annotation, Thread, ThreadMessage
from assessment.services import AssessmentError, latest_version, record_entry
from core.access import is_learner_of, is_staff_user
from core.models import AuditEntry, Criterion, Membership, Portfolio, PortfolioVersion, Role, User
from core.selectors import criteria_for
from core.services import notify


def is_quality_assurer(user: User, portfolio: Portfolio) -> bool:
    return Membership.objects.filter(user_id=user.pk, cohort_id=portfolio.cohort_id, role=Role.IQA).exists()


def may_post(user: User, portfolio: Portfolio, *, quality_assurer: bool | None = None) -> bool:
    """Whether this person takes part in the portfolio's threads (one query at most; none when
    ``quality_assurer`` is already known)."""
    if user.pk is None:
        return False
    if user.pk in (portfolio.learner_id, portfolio.assessor_id) or is_staff_user(user):
        return True
    return is_quality_assurer(user, portfolio) if quality_assurer is None else quality_assurer


def may_annotate(user: User, portfolio: Portfolio, *, quality_assurer: bool | None = None) -> bool:
    """The assigned assessor and the cohort's quality assurers (one query at most)."""
    if user.pk is None or is_learner_of(user, portfolio):
        return False
    if user.pk == portfolio.assessor_id:
        return True
    return is_quality_assurer(user, portfolio) if quality_assurer is None else quality_assurer


def snapshot_item(version: PortfolioVersion, evidence_id: int) -> dict[str, Any] | None:
    """The evidence item of the version with this id, as the snapshot keeps it."""
    items = version.snapshot.get("parts", {}).get("evidence", {}).get("items", [])
    return next((i for i in items if i.get("id") == evidence_id and i.get("kind") != "section"), None)


def thread_label(*, criterion: Criterion | None, item: dict[str, Any] | None) -> str:
    if criterion is not None:
        return f"{criterion.framework.code} {criterion.code}"
    return f"the evidence “{Truncator((item or {}).get('title', '')).chars(80)}”"


def thread_url(version: PortfolioVersion, *, criterion: Criterion | None, evidence_id: int | None) -> str:
    """Where a reader finds the thread: the criterion's thread page, or the evidence item on
    the version page (its discussion opens there)."""
    if criterion is not None:
        return reverse(
            "portfolio:criterion_thread", args=[version.portfolio_id, version.number, criterion.pk]
        )
    page = reverse("portfolio:version_detail", args=[version.portfolio_id, version.number])
    return f"{page}#thread-evidence-{evidence_id}"


def _check_open(version: PortfolioVersion) -> None:
    latest = latest_version(version.portfolio)
    if latest is not None and latest.pk != version.pk:
        raise AssessmentError(
            f"Version {latest.number} has been submitted since: the conversation continues there."
        )


def _checked_text(text: str, *, limit: int, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise AssessmentError(f"Write your {what} first.", field="body")
    if len(text) > limit:
        raise AssessmentError(
            f"Keep your {what} under {limit} characters (it has {len(text)}).", field="body"
        )
    return text


@transaction.atomic
def post_message(
    *,
    version: PortfolioVersion,
    body: str,
    actor: User,
    criterion: Criterion | None = None,
    evidence_id: int | None = None,
) -> ThreadMessage:
    """Add a message to the thread about one criterion or one evidence item of the version,
    starting the thread with its first message."""
    portfolio = version.portfolio
    if not may_post(actor, portfolio):
        raise AssessmentError(
            "Only the learner, their assessor and quality assurance take part in this thread."
        )
    if (criterion is None) == (evidence_id is None):
        raise AssessmentError("A thread is about one criterion or one evidence item.")
    item = None
    if criterion is not None and not criteria_for(portfolio).filter(pk=criterion.pk).exists():
        raise AssessmentError("That criterion is not part of this cohort's frameworks.")
    if evidence_id is not None:
        item = snapshot_item(version, evidence_id)
        if item is None:
            raise AssessmentError("That evidence item is not part of this version.")
    _check_open(version)
    text = _checked_text(body, limit=MESSAGE_MAX_LENGTH, what="message")
    thread = _thread_for(version, criterion=criterion, evidence_id=evidence_id, actor=actor)
    message = ThreadMessage.objects.create(thread=thread, author=actor, body=text)
    label = thread_label(criterion=criterion, item=item)
    record_entry(
        portfolio=portfolio,
        version=version,
        action=AuditEntry.Action.DISCUSSED,
        summary=f"{actor.display_name} wrote about {label}: {Truncator(text).chars(200)}",
        actor=actor,
    )
    posters = User.objects.filter(
        pk__in=ThreadMessage.objects.filter(thread=thread).values("author_id")
    ).exclude(pk=actor.pk)
    others = [portfolio.learner, portfolio.assessor, *posters]
    notify(
        recipients=[p for p in others if p is not None and p.pk != actor.pk],
        portfolio=portfolio,
        subject=f"{actor.display_name} wrote about {label} (version {version.number})",
        body=text,
        url=thread_url(version, criterion=criterion, evidence_id=evidence_id),
    )
    return message


def _thread_for(
    version: PortfolioVersion, *, criterion: Criterion | None, evidence_id: int | None, actor: User
) -> Thread:
    about = {"criterion": criterion} if criterion is not None else {"evidence_id": evidence_id}
    found = Thread.objects.filter(version=version, **about).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Thread.objects.create(version=version, started_by=actor, **about)
    except IntegrityError:  # someone started it at the same moment: join theirs
        return Thread.objects.get(version=version, **about)


def _page_count(item: dict[str, Any]) -> int | None:
    """How many pages the item's PDF has, once its preview has been drawn (None before: the
    page is then taken as given, since opening the PDF here would parse an untrusted file in
    the request)."""
    sha256 = (item.get("file") or {}).get("sha256")
    manifest = previews.read_manifest(sha256) if sha256 else None
    if not manifest or manifest.get("status") != "ready":
        return None
    return int(manifest["pages"])


@transaction.atomic
def annotate_evidence(
    *,
    version: PortfolioVersion,
    evidence_id: int,
    body: str,
    actor: User,
    x: float | None = None,
    y: float | None = None,
    page: int | None = None,
) -> Annotation:
    """The assessor's (or quality assurer's) comment on an evidence item of the version,
    pinned to a point of an image or a page of a PDF when given."""
    portfolio = version.portfolio
    if not may_annotate(actor, portfolio):
        raise AssessmentError("Only the learner's assessor and quality assurance annotate evidence.")
    item = snapshot_item(version, evidence_id)
    if item is None:
        raise AssessmentError("That evidence item is not part of this version.")
    _check_open(version)
    text = _checked_text(body, limit=ANNOTATION_MAX_LENGTH, what="annotation")
    content_type = (item.get("file") or {}).get("content_type", "")
    if (x is None) != (y is None):
        raise AssessmentError("Give both positions of the point, across and down, or neither.", field="point")
    if x is not None and y is not None:
        if not content_type.startswith("image/"):
            raise AssessmentError("Only an image can have a point pinned on it.", field="point")
        if not (0 <= x <= 1 and 0 <= y <= 1):
            raise AssessmentError(
                "The point must be on the image: 0 to 100 per cent each way.", field="point"
            )
    if page is not None:
        if content_type != "application/pdf":
            raise AssessmentError("Only a PDF has pages to pin an annotation to.", field="page")
        if page < 1:
            raise AssessmentError("Pages are numbered from 1.", field="page")
        pages = _page_count(item)
        if pages is not None and page > pages:
            raise AssessmentError(
                ngettext(
                    "The PDF has %(pages)d page: there is no page %(page)d.",
                    "The PDF has %(pages)d pages: there is no page %(page)d.",
                    pages,
                )
                % {"pages": pages, "page": page},
                field="page",
            )
    annotation = Annotation.objects.create(
        version=version, evidence_id=evidence_id, author=actor, body=text, x=x, y=y, page=page
    )
    label = thread_label(criterion=None, item=item)
    where = f" (page {page})" if page else (" (a point of the image)" if x is not None else "")
    record_entry(
        portfolio=portfolio,
        version=version,
        action=AuditEntry.Action.ANNOTATED,
        summary=f"{actor.display_name} annotated {label}{where}: {Truncator(text).chars(200)}",
        actor=actor,
    )
    notify(
        recipients=[p for p in (portfolio.learner, portfolio.assessor) if p is not None and p.pk != actor.pk],
        portfolio=portfolio,
        subject=f"{actor.display_name} annotated {label} (version {version.number})",
        body=text,
        url=reverse("portfolio:version_detail", args=[version.portfolio_id, version.number])
        + f"#annotations-{evidence_id}",
    )
    return annotation
