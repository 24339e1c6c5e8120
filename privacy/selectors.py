"""Reads for data protection: where a learner stands (active or ended, and since when), and
their archives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format

from core.models import Portfolio, User, VersionOutcome
from privacy.models import SubjectAccessArchive


@dataclass
class LearnerStatus:
    """Whether a learner is still active (and why), and the day their retention periods run from."""

    active_reasons: list[str] = field(default_factory=list)
    end_date: date | None = None
    certified_on: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.active_reasons)


def _uk(day: date) -> str:
    return date_format(day, "j F Y")


def learner_status(learner: User, *, today: date | None = None) -> LearnerStatus:
    """Active: a cohort whose end date is today or later, or a submitted version with no outcome yet.

    The end date: the latest of each portfolio's end, which is the day it was signed off
    (certification), or for one never signed off the later of the cohort's end date and the
    learner's last activity. A learner with no portfolio ends the day their account was made.
    """
    today = today or timezone.localdate()
    status = LearnerStatus()
    portfolios = Portfolio.objects.filter(learner=learner).select_related("cohort").order_by("pk")
    ends: list[date] = []
    for portfolio in portfolios:
        cohort = portfolio.cohort
        if cohort.end_date and cohort.end_date >= today:
            status.active_reasons.append(
                f"The cohort {cohort.name} runs until {_uk(cohort.end_date)}: "
                "the learner is still on the course."
            )
        for number, submitted_at in (
            portfolio.versions.filter(outcome__isnull=True)
            .order_by("number")
            .values_list("number", "submitted_at")
        ):
            status.active_reasons.append(
                f"Version {number} of the portfolio in {cohort.name}, submitted on "
                f"{_uk(timezone.localdate(submitted_at))}, is still waiting for its assessment."
            )
        signed = (
            VersionOutcome.objects.filter(version__portfolio=portfolio, kind=VersionOutcome.Kind.SIGNED_OFF)
            .order_by("-decided_at")
            .values_list("decided_at", flat=True)
            .first()
        )
        if signed is not None:
            certified = timezone.localdate(signed)
            status.certified_on = max(filter(None, [status.certified_on, certified]))
            ends.append(certified)
        else:
            ends.append(max(filter(None, [cohort.end_date, timezone.localdate(portfolio.last_activity_at)])))
    status.end_date = max(ends) if ends else timezone.localdate(learner.date_joined)
    return status


def archives_of(learner: User) -> QuerySet[SubjectAccessArchive]:
    return SubjectAccessArchive.objects.filter(learner=learner).order_by("-created_at", "-pk")


def get_archive_for(user: User, pk: int) -> SubjectAccessArchive:
    """The learner's own archive; 404 for anyone else, staff included (it holds all their data)."""
    return get_object_or_404(SubjectAccessArchive.objects.select_related("learner"), pk=pk, learner=user)
