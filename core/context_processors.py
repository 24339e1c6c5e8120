"""Role-aware navigation for the base layout."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from core.access import is_staff_user
from core.models import Role
from core.tour import tour_for


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items: list[tuple[str, str]] = []
    if user.role == Role.LEARNER:
        items.append(("My portfolio", reverse("portfolio:learner_home")))
    if user.role == Role.ASSESSOR:
        items.append(("My learners", reverse("portfolio:assessor_home")))
        items.append(("Waiting for review", reverse("portfolio:review_queue")))
    if user.role == Role.TUTOR or is_staff_user(user):
        items.append(("Cohorts", reverse("portfolio:tutor_home")))
    if user.role == Role.IQA or is_staff_user(user):
        items.append(("Quality assurance", reverse("portfolio:iqa_home")))
    if user.role == Role.IQA:
        items.append(("Sampling", reverse("portfolio:qa_sampling")))
    if user.role == Role.EQA:
        items.append(("External quality assurance", reverse("portfolio:eqa_home")))
    if user.is_staff:
        items.append(("Administration", reverse("admin:index")))
    current = request.path
    return {
        "nav_items": [(label, url, current.startswith(url)) for label, url in items],
        # The unread count loads after the page (htmx), so no page pays a query for it.
        "notifications_url": reverse("portfolio:notifications"),
        "notifications_count_url": reverse("portfolio:notifications_count"),
        "tour_steps": tour_for(user, getattr(request.resolver_match, "url_name", None)),
    }
