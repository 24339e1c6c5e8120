"""Issuing and revoking credentials.

``issue_credential`` is run after a sign-off commits (``credentials.signals`` queues it through
the outbox in the sign-off's own transaction) and again whenever quality assurance moves on,
and by every outbox sweep for any signed-off version still owed one (``issue_owed``). It is
idempotent: one credential per version, and a run that finds one does nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt

from core.access import is_staff_user
from core.models import (
    AuditEntry,
    Cohort,
    Framework,
    PortfolioVersion,
    QualitySample,
    User,
    VersionOutcome,
)
from core.selectors import criteria_for
from core.services import notify
from credentials import keys
from credentials.documents import FrameworkFacts, Issuer, achievement_key, credential_payload
from credentials.models import CohortCredentialPolicy, Credential

log = logging.getLogger(__name__)

REASON_MAX_LENGTH = 1000
OWED_BATCH = 50


class CredentialError(Exception):
    """A rule about credentials was broken; the message is shown to the person."""


# --- Who the issuer is -----------------------------------------------------------------------


def issuer() -> Issuer:
    return Issuer(
        id=settings.SITE_URL + reverse("credentials:issuer"),
        name=settings.CREDENTIAL_ISSUER_NAME,
        url=settings.SITE_URL + "/",
    )


def jwks_url() -> str:
    return settings.SITE_URL + reverse("credentials:jwks")


def achievement_url(key: str) -> str:
    return settings.SITE_URL + reverse("credentials:achievement", args=[key])


# --- When a version is owed a credential -------------------------------------------------------


def iqa_required(cohort: Cohort) -> bool:
    """The cohort's own rule if it has one, else the setting ``CREDENTIALS_REQUIRE_IQA``."""
    policy = CohortCredentialPolicy.objects.filter(cohort=cohort).first()
    return policy.require_iqa if policy else settings.CREDENTIALS_REQUIRE_IQA


def iqa_accepted(version: PortfolioVersion) -> bool:
    """The quality assurer sampled at least one decision of the version, and every sample is
    agreed, or asked for an action the assessor has answered."""
    samples = list(QualitySample.objects.filter(decision__version=version))
    return bool(samples) and all(
        sample.finding == QualitySample.Finding.AGREED
        or (sample.finding == QualitySample.Finding.ACTION and sample.responded_at is not None)
        for sample in samples
    )


def held_for_iqa(version: PortfolioVersion) -> bool:
    return iqa_required(version.portfolio.cohort) and not iqa_accepted(version)


# --- Issuing --------------------------------------------------------------------------------


def _frameworks_of(version: PortfolioVersion) -> list[FrameworkFacts]:
    by_framework: dict[int, list[tuple[str, str]]] = defaultdict(list)
    facts: dict[int, tuple[str, str, str]] = {}
    for criterion in criteria_for(version.portfolio):
        framework = criterion.framework
        facts[framework.pk] = (framework.code, framework.title, framework.kind)
        by_framework[framework.pk].append((criterion.code, criterion.text))
    return [
        FrameworkFacts(code=code, title=title, kind=kind, criteria=tuple(by_framework[pk]))
        for pk, (code, title, kind) in facts.items()
    ]


def facts_of(framework: Framework) -> FrameworkFacts:
    """A framework with its criteria prefetched, as an achievement names it."""
    return FrameworkFacts(
        code=framework.code,
        title=framework.title,
        kind=framework.kind,
        criteria=tuple((c.code, c.text) for c in framework.criteria.all()),
    )


def sign(payload: dict[str, object]) -> tuple[str, str]:
    """The payload signed with the centre's current key, as a compact JWS; and the key's id."""
    key = keys.signing_key()
    kid = keys.key_id(key)
    header = {"alg": keys.ALGORITHM, "typ": "JWT", "kid": f"{jwks_url()}#{kid}"}
    return jwt.encode(header, payload, key, algorithms=[keys.ALGORITHM]), kid


@transaction.atomic
def issue_credential(*, version: PortfolioVersion) -> Credential | None:
    """The version's credential, issued now if it is owed one and has none yet.

    None while it is not owed one: not signed off, or held until quality assurance accepts it.
    The actor is nobody's choice but the sign-off's, so the audit entry names the assessor who
    signed the version off.
    """
    version = (
        PortfolioVersion.objects.select_for_update()
        .select_related("portfolio__learner", "portfolio__cohort")
        .get(pk=version.pk)
    )
    existing = Credential.objects.filter(version=version).first()
    if existing is not None:
        return existing
    outcome = VersionOutcome.objects.filter(version=version).select_related("assessor").first()
    if outcome is None or outcome.kind != VersionOutcome.Kind.SIGNED_OFF:
        return None
    if held_for_iqa(version):
        return None
    portfolio = version.portfolio
    frameworks = _frameworks_of(version)
    public_id = uuid.uuid4()
    now = timezone.now().replace(microsecond=0)
    payload = credential_payload(
        credential_id=f"urn:uuid:{public_id}",
        issuer=issuer(),
        learner_name=portfolio.learner.display_name,
        frameworks=frameworks,
        achievement_id=achievement_url(achievement_key(frameworks)),
        valid_from=now,
    )
    token, kid = sign(payload)
    try:
        with transaction.atomic():
            credential = Credential.objects.create(
                public_id=public_id,
                version=version,
                learner_name=portfolio.learner.display_name,
                achievement_name=str(payload["name"]),
                issued_at=now,
                key_id=kid,
                token=token,
            )
    except IntegrityError:  # another run issued it between our check and our write
        return Credential.objects.get(version=version)
    AuditEntry.objects.create(
        portfolio=portfolio,
        version=version,
        actor=outcome.assessor,
        action=AuditEntry.Action.CREDENTIAL_ISSUED,
        summary=(
            f"Credential {credential.urn} issued for version {version.number} "
            f"(“{credential.achievement_name}”), signed with key {kid[:12]}…."
        ),
    )
    notify(
        recipients=[portfolio.learner],
        portfolio=portfolio,
        subject="Your credential is ready",
        body="Download it, or share the link to its verification page.",
        url=reverse("portfolio:portfolio_detail", args=[portfolio.pk]),
    )
    log.info("credential %s issued for portfolio %s version %s", public_id, portfolio.pk, version.number)
    return credential


def issue_owed() -> dict[str, int]:
    """Issue every credential still owed (an outbox recovery: run by every sweep).

    Catches what a lost message or a missing key left behind, and versions signed off before
    credentials existed. Versions held for quality assurance are looked at again each time.
    """
    owed = PortfolioVersion.objects.filter(
        outcome__kind=VersionOutcome.Kind.SIGNED_OFF, credential__isnull=True
    ).order_by("pk")[:OWED_BATCH]
    issued = 0
    for version in owed:
        try:
            if issue_credential(version=version) is not None:
                issued += 1
        except (keys.CredentialKeyMissing, ValueError) as error:
            # The same for every version: stop, and never fail the sweep the other work rides on.
            log.error("credentials: signed-off versions are owed credentials but cannot be signed: %s", error)
            return {"issued": issued, "no_key": 1}
    return {"issued": issued}


# --- Revoking -------------------------------------------------------------------------------


@transaction.atomic
def revoke_credential(*, credential: Credential, reason: str, actor: User) -> Credential:
    """Mark the credential revoked, with the reason, in the learner's audit trail."""
    if not is_staff_user(actor):
        raise CredentialError("Only the centre's staff can revoke a credential.")
    reason = (reason or "").strip()
    if not reason:
        raise CredentialError("Say why the credential is revoked.")
    if len(reason) > REASON_MAX_LENGTH:
        raise CredentialError(f"Keep the reason under {REASON_MAX_LENGTH} characters.")
    credential = (
        Credential.objects.select_for_update()
        .select_related("version__portfolio__learner")
        .get(pk=credential.pk)
    )
    if credential.is_revoked:
        raise CredentialError("This credential has already been revoked.")
    credential.revoked_at, credential.revoked_by, credential.revocation_reason = timezone.now(), actor, reason
    credential.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    portfolio = credential.version.portfolio
    AuditEntry.objects.create(
        portfolio=portfolio,
        version=credential.version,
        actor=actor,
        action=AuditEntry.Action.CREDENTIAL_REVOKED,
        summary=f"Credential {credential.urn} revoked: {reason}",
    )
    notify(
        recipients=[portfolio.learner],
        portfolio=portfolio,
        subject="Your credential has been revoked",
        body=reason,
        url=reverse("portfolio:portfolio_detail", args=[portfolio.pk]),
    )
    log.info("credential %s revoked by %s", credential.public_id, actor.username)
    return credential


ERASED_REASON = "Erased on the learner's request."


def anonymise_credentials(credentials: QuerySet[Credential], actor: User | None) -> None:
    """Erasure on request (``privacy.erasure``, through ``credentials/subject_data.py``): each
    credential is revoked, if it was not already, with the reason ``ERASED_REASON``, and loses the
    learner's name and the signed token that carries it. The row stays, as long as the assessment
    record it belongs to, so that the public page and the verification page answer *revoked* for
    a copy shared before, and never *not on record*. No audit entry and no notification: the data
    protection trail records the erasure, and the learner asked for it."""
    now = timezone.now()
    credentials.filter(revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor, revocation_reason=ERASED_REASON
    )
    credentials.update(learner_name="", token="")
    log.info("credentials of %s erased on request", list(credentials.values_list("public_id", flat=True)))
