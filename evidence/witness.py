"""Witness testimony from people without an account.

The learner (or their assessor) names a witness and the criteria and activity they are asked
about; the witness receives a signed, single-use link that expires after
``WITNESS_LINK_MAX_AGE_DAYS``. The link is the only credential: it opens one page that shows
who asks and about what, and takes the testimony, the witness's identity and their typed
signature. The testimony then becomes an evidence item mapped to the criteria asked about,
and what was signed is kept with its SHA-256 digest. The assessor may record how they checked
the witness before relying on it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.access import can_edit
from core.links import LinkRefused, link_token, read_link_token
from core.models import Criterion, Portfolio, User
from core.selectors import criteria_for
from core.services import notify
from core.versions import digest_of
from evidence.models import CriterionMapping, Evidence, WitnessRequest

log = logging.getLogger(__name__)

WITNESS_SALT = "evidence.witness"
TESTIMONY_MIN_LENGTH = 40
TESTIMONY_MAX_LENGTH = 6000


class WitnessError(Exception):
    """A rule of the witness flow was broken; the message is shown to the person."""


class WitnessLinkError(WitnessError):
    """A witness link that cannot be used. ``reason`` picks the page shown: invalid, used,
    expired or withdrawn."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- Who may ask, about what ---------------------------------------------------------------


def can_request_witness(user: User, portfolio: Portfolio) -> bool:
    """The learner and their assessor name witnesses (and withdraw the requests)."""
    return can_edit(user, portfolio) or (user.pk is not None and portfolio.assessor_id == user.pk)


def can_check_witness(user: User, portfolio: Portfolio) -> bool:
    """Only the portfolio's assessor records that they checked a witness."""
    return user.pk is not None and portfolio.assessor_id == user.pk


def witness_criteria(portfolio: Portfolio) -> list[Criterion]:
    """The cohort's criteria a witness may be asked about, performance ("you must be able
    to") criteria first, each list in the framework's order (one query)."""
    criteria = list(criteria_for(portfolio))
    return sorted(criteria, key=lambda c: c.group.kind != "performance")


def witness_requests(portfolio: Portfolio) -> QuerySet[WitnessRequest]:
    """The portfolio's requests, newest first, with their criteria (two queries)."""
    return (
        portfolio.witness_requests.select_related("requested_by", "withdrawn_by", "evidence")
        .prefetch_related("criteria__framework")
        .order_by("-created_at", "-pk")
    )


# --- The link --------------------------------------------------------------------------------


def witness_token(witness_request: WitnessRequest) -> str:
    return link_token(witness_request.pk, witness_request.nonce, salt=WITNESS_SALT, key="w")


def witness_url(witness_request: WitnessRequest) -> str:
    return settings.SITE_URL + reverse("evidence:witness_testify", args=[witness_token(witness_request)])


def resolve_witness_token(token: str) -> WitnessRequest:
    """The request behind a token if the witness can still answer it; WitnessLinkError if not."""
    max_age = timedelta(days=settings.WITNESS_LINK_MAX_AGE_DAYS)
    try:
        pk, nonce = read_link_token(token, salt=WITNESS_SALT, max_age=max_age, key="w")
    except LinkRefused as refused:
        message = "has expired" if refused.reason == "expired" else "is not valid"
        raise WitnessLinkError(f"This link {message}.", reason=refused.reason) from None
    witness_request = (
        WitnessRequest.objects.select_related("portfolio__learner", "requested_by")
        .filter(pk=pk, nonce=nonce)
        .first()
    )
    if witness_request is None:
        raise WitnessLinkError("This link is not valid.", reason="invalid")
    check_witness_request_usable(witness_request)
    return witness_request


def check_witness_request_usable(witness_request: WitnessRequest) -> None:
    if witness_request.signed_at:
        raise WitnessLinkError("This testimony has already been given.", reason="used")
    if witness_request.withdrawn_at:
        raise WitnessLinkError("This request has been withdrawn.", reason="withdrawn")
    if witness_request.expires_at <= timezone.now():
        raise WitnessLinkError("This link has expired.", reason="expired")


# --- Asking and withdrawing ----------------------------------------------------------------


@transaction.atomic
def request_witness(
    *,
    portfolio: Portfolio,
    actor: User,
    name: str,
    job_title: str,
    relationship: str,
    organisation: str,
    email: str,
    activity: str,
    criteria: Sequence[Criterion],
) -> WitnessRequest:
    """Ask a witness for a testimony; the link leaves by e-mail through the outbox."""
    if not can_request_witness(actor, portfolio):
        raise WitnessError("Only the learner and their assessor can ask for a witness testimony.")
    allowed = {c.pk for c in criteria_for(portfolio)}
    if not criteria or any(c.pk not in allowed for c in criteria):
        raise WitnessError("Choose at least one criterion of this portfolio's qualification.")
    if not activity.strip():
        raise WitnessError("Say which activity the witness is asked about.")
    witness_request = WitnessRequest.objects.create(
        portfolio=portfolio,
        requested_by=actor,
        name=name.strip(),
        job_title=job_title.strip(),
        relationship=relationship.strip(),
        organisation=organisation.strip(),
        email=email.strip().lower(),
        activity=activity.strip(),
        expires_at=timezone.now() + timedelta(days=settings.WITNESS_LINK_MAX_AGE_DAYS),
    )
    witness_request.criteria.set(criteria)
    # By name, as core.services does for invitations.
    outbox.enqueue("evidence.tasks.send_witness_request_email", args=[witness_request.pk])
    log.info("witness request %s for portfolio %s by %s", witness_request.pk, portfolio.pk, actor.username)
    return witness_request


@transaction.atomic
def withdraw_witness_request(*, witness_request: WitnessRequest, actor: User) -> WitnessRequest:
    locked = WitnessRequest.objects.select_for_update().get(pk=witness_request.pk)
    if locked.signed_at:
        raise WitnessError("The witness has already given their testimony; it can no longer be withdrawn.")
    if not locked.withdrawn_at:
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = actor
        locked.save(update_fields=["withdrawn_at", "withdrawn_by"])
        log.info("witness request %s withdrawn by %s", locked.pk, actor.username)
    return locked


# --- The testimony ---------------------------------------------------------------------------


def signed_content(witness_request: WitnessRequest, criteria: Sequence[Criterion]) -> dict[str, Any]:
    """What the witness signed, as the digest covers it: the request, what they were asked
    about, what they wrote and who they said they are, and when."""
    return {
        "request": witness_request.pk,
        "portfolio": witness_request.portfolio_id,
        "activity": witness_request.activity,
        "criteria": [f"{c.framework.code} {c.code}" for c in criteria],
        "testimony": witness_request.testimony,
        "seen_from": witness_request.seen_from.isoformat() if witness_request.seen_from else "",
        "seen_to": witness_request.seen_to.isoformat() if witness_request.seen_to else "",
        "name": witness_request.signed_name,
        "job_title": witness_request.signed_job_title,
        "organisation": witness_request.signed_organisation,
        "relationship": witness_request.signed_relationship,
        "signature": witness_request.signature,
        "signed_at": witness_request.signed_at.isoformat() if witness_request.signed_at else "",
    }


def testimony_digest(content: dict[str, Any]) -> str:
    return digest_of(content)  # the one canonical spelling, as for versions and records


def verify_testimony(witness_request: WitnessRequest) -> bool:
    """Whether the stored testimony still matches the digest taken when it was signed."""
    criteria = list(
        witness_request.criteria.select_related("framework").order_by(
            "framework__code", "group__order", "order", "pk"
        )
    )
    return testimony_digest(signed_content(witness_request, criteria)) == witness_request.digest


def witness_note(name: str, job_title: str) -> str:
    return f"Witness: {name}, {job_title}"


@transaction.atomic
def submit_testimony(
    *,
    witness_request: WitnessRequest,
    testimony: str,
    seen_from: date,
    seen_to: date | None,
    name: str,
    job_title: str,
    organisation: str,
    relationship: str,
    signature: str,
) -> Evidence:
    """The witness signs: the testimony becomes evidence mapped to the criteria asked about,
    the learner and assessor are told. Only once per link, even for two posts at once."""
    locked = (
        # Locks the request row only: the portfolio's assessor may be empty (an outer join).
        WitnessRequest.objects.select_for_update(of=("self",))
        .select_related("portfolio__learner", "portfolio__assessor")
        .get(pk=witness_request.pk)
    )
    check_witness_request_usable(locked)
    testimony = testimony.strip()
    if not testimony:
        raise WitnessError("Write what you saw.")
    portfolio = locked.portfolio
    locked.testimony = testimony
    locked.seen_from, locked.seen_to = seen_from, seen_to
    locked.signed_name, locked.signed_job_title = name.strip(), job_title.strip()
    locked.signed_organisation, locked.signed_relationship = organisation.strip(), relationship.strip()
    locked.signature = signature.strip()
    locked.signed_at = timezone.now()
    criteria = list(
        locked.criteria.select_related("framework").order_by("framework__code", "group__order", "order", "pk")
    )
    locked.digest = testimony_digest(signed_content(locked, criteria))
    evidence = Evidence.objects.create(
        portfolio=portfolio,
        kind=Evidence.Kind.WITNESS,
        title=f"Witness testimony: {locked.signed_name}, {locked.signed_job_title}"[:200],
        description=locked.activity,
        body=testimony,
        occurred_on=seen_to or seen_from,
    )
    note = witness_note(locked.signed_name, locked.signed_job_title)
    CriterionMapping.objects.bulk_create(
        [CriterionMapping(evidence=evidence, criterion=criterion, note=note) for criterion in criteria]
    )
    locked.evidence = evidence
    locked.save()
    Portfolio.objects.filter(pk=portfolio.pk).update(last_activity_at=timezone.now())
    notify(
        recipients=[portfolio.learner, portfolio.assessor],
        portfolio=portfolio,
        subject=f"Witness testimony from {locked.signed_name}",
        body=(
            f"{locked.signed_name} ({locked.signed_job_title}, {locked.signed_organisation}) "
            f"signed a witness testimony about: {locked.activity}"
        ),
        url=evidence.get_absolute_url(),
    )
    log.info("witness request %s signed: evidence %s", locked.pk, evidence.pk)
    return evidence


@transaction.atomic
def record_witness_check(
    *, witness_request: WitnessRequest, actor: User, method: str, checked_on: date, note: str
) -> WitnessRequest:
    """The assessor records how and when they checked the witness is who they say."""
    if not can_check_witness(actor, witness_request.portfolio):
        raise WitnessError("Only the learner's assessor can record a check of the witness.")
    if not witness_request.signed_at:
        raise WitnessError("There is no testimony to check yet.")
    if method not in WitnessRequest.CheckMethod.values:
        raise WitnessError("Choose how you checked the witness.")
    if checked_on > timezone.localdate():
        raise WitnessError("The date of the check cannot be in the future.")
    if checked_on < timezone.localtime(witness_request.signed_at).date():
        raise WitnessError("The check cannot be dated before the witness signed the testimony.")
    locked = WitnessRequest.objects.select_for_update().get(pk=witness_request.pk)
    locked.checked_by = actor
    locked.check_method = method
    locked.checked_on = checked_on
    locked.check_note = note.strip()
    locked.check_recorded_at = timezone.now()
    locked.save(update_fields=["checked_by", "check_method", "checked_on", "check_note", "check_recorded_at"])
    log.info("witness request %s checked by %s", locked.pk, actor.username)
    return locked


def witness_context(user: User, evidence: Evidence, portfolio: Portfolio) -> dict[str, Any]:
    """What the evidence page shows of a testimony: its request (who signed what, when, the
    digest and whether it still matches) and the assessor's check."""
    witness_request = (
        WitnessRequest.objects.select_related("requested_by", "checked_by").filter(evidence=evidence).first()
    )
    if witness_request is None:
        return {"witness": None}
    return {
        "witness": witness_request,
        "witness_intact": verify_testimony(witness_request),
        "can_check_witness": can_check_witness(user, portfolio),
    }
