"""Reads for credentials, each shaped for its page. Missing and not yours are the same 404."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from core.models import Criterion, Framework, PortfolioVersion, User
from credentials.models import Credential


def credential_of_owner(user: User, public_id: uuid.UUID) -> Credential:
    """The credential, if it is this learner's own and not erased (one query)."""
    credential = (
        Credential.objects.filter(public_id=public_id, version__portfolio__learner=user)
        .exclude(token="")
        .select_related("version__portfolio")
        .first()
    )
    if credential is None:
        raise Http404("No such credential.")
    return credential


def public_credential(public_id: uuid.UUID) -> Credential:
    """The credential a shared link names (one query); its page shows only what it carries."""
    credential = Credential.objects.filter(public_id=public_id).first()
    if credential is None:
        raise Http404("No such credential.")
    return credential


def credential_of_version(version: PortfolioVersion) -> Credential | None:
    return Credential.objects.filter(version=version).first()


def credentials_for_staff() -> QuerySet[Credential]:
    """Every credential, newest first, with the learner, cohort and who revoked it (one query)."""
    return Credential.objects.select_related(
        "version__portfolio__learner", "version__portfolio__cohort", "revoked_by"
    ).order_by("-issued_at", "-pk")


def frameworks_by_codes(codes: list[str]) -> list[Framework]:
    """The frameworks an achievement names, with their criteria (two queries)."""
    criteria = Criterion.objects.select_related("group").order_by("group__order", "order")
    found = {
        f.code: f
        for f in Framework.objects.filter(code__in=codes).prefetch_related(
            Prefetch("criteria", queryset=criteria)
        )
    }
    if set(found) != set(codes):
        raise Http404("No such achievement.")
    return [found[code] for code in codes]
