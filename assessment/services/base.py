"""What the assessment services share: the domain error, the audit trail and the link to a
version that notifications carry."""

from __future__ import annotations

from django.urls import reverse

from core.models import AuditEntry, Portfolio, PortfolioVersion, User


class AssessmentError(Exception):
    """A rule of submission or assessment was broken; the message is shown to the user.

    ``field`` names the input at fault, when there is one, so the page can show the message
    beside it and link to it from the error summary.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DecisionConflict(AssessmentError):
    """Someone else saved a decision on this criterion after the form was opened."""


def record_entry(
    *, portfolio: Portfolio, version: PortfolioVersion | None, action: str, summary: str, actor: User
) -> AuditEntry:
    return AuditEntry.objects.create(
        portfolio=portfolio, version=version, action=action, summary=summary, actor=actor
    )


def version_url(version: PortfolioVersion) -> str:
    return reverse("portfolio:version_detail", args=[version.portfolio_id, version.number])
