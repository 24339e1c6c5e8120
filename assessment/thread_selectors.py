"""Reads of the conversation about a version: its threads, with the earlier versions' threads
on the same criteria and items, and the annotations on its evidence, in a fixed number of
queries however many threads, messages or items there are."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse

from assessment import thread_services
from assessment.models import Annotation, Thread, ThreadMessage
from core.access import is_staff_user
from core.models import Criterion, PortfolioVersion, User


@dataclass
class ThreadTarget:
    """What a thread is about: one criterion, or one evidence item of the version."""

    version: PortfolioVersion
    criterion: Criterion | None = None
    item: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        return "criterion" if self.criterion is not None else "evidence"

    @property
    def key(self) -> str:
        """The thread's part in element ids: ``criterion-12`` or ``evidence-34``."""
        return (
            f"criterion-{self.criterion.pk}" if self.criterion is not None else f"evidence-{self.evidence_id}"
        )

    @property
    def evidence_id(self) -> int | None:
        return self.item["id"] if self.item is not None else None

    @property
    def label(self) -> str:
        return thread_services.thread_label(criterion=self.criterion, item=self.item)

    @property
    def url(self) -> str:
        """The thread's own address: its page, its fragment (htmx) and where messages are posted."""
        version = self.version
        if self.criterion is not None:
            args = [version.portfolio_id, version.number, self.criterion.pk]
            return reverse("portfolio:criterion_thread", args=args)
        return reverse(
            "portfolio:evidence_thread", args=[version.portfolio_id, version.number, self.evidence_id]
        )


@dataclass
class EarlierThread:
    number: int  # the version it was held on
    messages: list[ThreadMessage]


@dataclass
class ThreadPanel:
    """Everything ``portfolio/assessment/_thread.html`` draws."""

    target: ThreadTarget
    thread: Thread | None
    messages: list[ThreadMessage]
    earlier: list[EarlierThread]
    may_post: bool
    closed_reason: str = ""  # why a participant cannot post here (a later version exists)
    error: str = ""
    draft: str = ""  # what was typed, when posting it was refused
    sent: bool = False  # a message was just posted (htmx): say so to screen readers

    @property
    def version(self) -> PortfolioVersion:
        return self.target.version

    @property
    def count(self) -> int:
        return len(self.messages) + sum(len(e.messages) for e in self.earlier)


@dataclass
class AnnotationPanel:
    """Everything ``portfolio/assessment/_annotations.html`` draws for one evidence item."""

    version: PortfolioVersion
    item: dict[str, Any]
    annotations: list[Annotation]
    may_annotate: bool
    image_url: str = ""  # the item's image as the version keeps it, to pin points on
    error: str = ""
    error_field: str | None = None
    draft: dict[str, str] = field(default_factory=dict)

    @property
    def is_image(self) -> bool:
        return bool(self.image_url)

    @property
    def is_pdf(self) -> bool:
        return (self.item.get("file") or {}).get("content_type") == "application/pdf"

    @property
    def points(self) -> list[tuple[int, Annotation]]:
        """The annotations pinned to a point, with their number in the list."""
        return [(n, a) for n, a in enumerate(self.annotations, start=1) if a.pinned_to_point]


@dataclass
class Discussion:
    """The threads and annotations of one version as one person sees them."""

    version: PortfolioVersion
    may_post: bool
    may_annotate: bool
    closed_reason: str
    threads: dict[str, Thread]  # target key → this version's thread
    earlier: dict[str, list[EarlierThread]]  # target key → earlier versions' threads, oldest first
    annotations: dict[int, list[Annotation]]  # evidence id → this version's annotations

    def panel(self, target: ThreadTarget) -> ThreadPanel:
        thread = self.threads.get(target.key)
        return ThreadPanel(
            target=target,
            thread=thread,
            messages=list(thread.messages.all()) if thread else [],
            earlier=self.earlier.get(target.key, []),
            may_post=self.may_post and not self.closed_reason,
            closed_reason=self.closed_reason if self.may_post else "",
        )

    def annotation_panel(self, item: dict[str, Any], image_url: str = "") -> AnnotationPanel:
        return AnnotationPanel(
            version=self.version,
            item=item,
            annotations=self.annotations.get(item["id"], []),
            may_annotate=self.may_annotate and not self.closed_reason,
            image_url=image_url,
        )

    @property
    def criterion_threads(self) -> list[Thread]:
        """This version's criterion threads, for the list of conversations on the version page."""
        return [t for k, t in self.threads.items() if k.startswith("criterion-")]


def _key(thread: Thread) -> str:
    return f"criterion-{thread.criterion_id}" if thread.criterion_id else f"evidence-{thread.evidence_id}"


def discussion(version: PortfolioVersion, user: User) -> Discussion:
    """The version's threads and annotations (four queries, and one more for a person who is
    neither the learner, their assessor nor staff: whether they quality-assure the cohort)."""
    portfolio = version.portfolio
    threads = (
        Thread.objects.filter(version__portfolio=portfolio, version__number__lte=version.number)
        .select_related("version", "criterion__framework")
        .defer("version__snapshot")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=ThreadMessage.objects.select_related("author").order_by("posted_at", "pk"),
            )
        )
        .order_by("version__number", "pk")
    )
    current: dict[str, Thread] = {}
    earlier: dict[str, list[EarlierThread]] = defaultdict(list)
    for thread in threads:
        if thread.version_id == version.pk:
            current[_key(thread)] = thread
        else:
            earlier[_key(thread)].append(EarlierThread(thread.version.number, list(thread.messages.all())))
    annotations: dict[int, list[Annotation]] = defaultdict(list)
    for annotation in version.annotations.select_related("author").order_by("created_at", "pk"):
        annotations[annotation.evidence_id].append(annotation)
    latest = portfolio.versions.order_by("-number").values_list("number", flat=True).first()
    closed = ""
    if latest is not None and latest != version.number:
        closed = f"Version {latest} has been submitted since: the conversation continues there."
    plain = user.pk in (portfolio.learner_id, portfolio.assessor_id) or is_staff_user(user)
    quality_assurer = False if plain else thread_services.is_quality_assurer(user, portfolio)
    return Discussion(
        version=version,
        may_post=thread_services.may_post(user, portfolio, quality_assurer=quality_assurer),
        may_annotate=thread_services.may_annotate(user, portfolio, quality_assurer=quality_assurer),
        closed_reason=closed,
        threads=current,
        earlier=dict(earlier),
        annotations=dict(annotations),
    )


def attach_to_evidence(version: PortfolioVersion, items: list[dict[str, Any]], user: User) -> Discussion:
    """Give each evidence item of the version page its thread (``item["thread_panel"]``) and
    annotations (``item["annotation_panel"]``). The items carry their stored file
    (``item["stored"]``) when the page has looked it up."""
    found = discussion(version, user)
    for item in items:
        if item.get("kind") == "section":
            continue
        item["thread_panel"] = found.panel(ThreadTarget(version, item=item))
        item["annotation_panel"] = found.annotation_panel(item, image_url=image_url(version, item))
    return found


def image_url(version: PortfolioVersion, item: dict[str, Any]) -> str:
    stored = item.get("stored")
    if stored is None or not stored.content_type.startswith("image/"):
        return ""
    return reverse("portfolio:version_file", args=[version.portfolio_id, version.number, stored.pk])
