"""External quality assurance: grants of read-only access, the assurer's account, the log of
every page they open, and their findings for the centre.

Who may read what is decided in ``core.access`` (the one gate); this module writes and
reads the grants themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.access import is_eqa, live_eqa_grants, versions_visible_to
from core.links import LinkRefused, link_token, read_link_token
from core.models import (
    Cohort,
    EqaAccessLog,
    EqaFinding,
    EqaGrant,
    Portfolio,
    PortfolioVersion,
    QualitySample,
    Role,
    User,
)
from core.services import InvitationError, PortfolioError, create_invited_account, notify

log = logging.getLogger(__name__)

GRANT_SALT = "portfolio.eqa-grant"
FINDING_MAX_CHARS = 5000


class EqaError(PortfolioError):
    """A grant or finding that breaks a rule; ``field`` names the form field at fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# --- Grants ---------------------------------------------------------------------------------


def last_end_day(today: date | None = None) -> date:
    """The latest end date a grant made today may have."""
    return (today or timezone.localdate()) + timedelta(days=EqaGrant.MAX_DAYS)


def end_of_day(day: date) -> datetime:
    """A grant ending on ``day`` lasts to the end of that day, in the centre's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def check_end_day(day: date) -> None:
    today = timezone.localdate()
    if day < today:
        raise EqaError("The access cannot end before it starts: it starts today.", field="ends_on")
    if day > last_end_day(today):
        raise EqaError(
            f"An access may last at most {EqaGrant.MAX_DAYS} days: "
            f"choose an end date on or before {last_end_day(today):%-d %B %Y}.",
            field="ends_on",
        )


def _eqa_account(email: str) -> User | None:
    """The assurer's existing account for this address, if there is one. An address that
    belongs to an account of the centre cannot be given external access: that person's
    role would have to change, which is not the tutor's to do."""
    accounts = list(User.objects.filter(email__iexact=email))
    if any(a.role != Role.EQA or a.is_superuser for a in accounts):
        raise EqaError(
            "That address belongs to an account of the centre. An external quality assurer "
            "needs an account of their own: use their own address.",
            field="email",
        )
    return accounts[0] if accounts else None


@transaction.atomic
def grant_eqa_access(
    *,
    cohort: Cohort,
    email: str,
    ends_on: date,
    portfolios: Sequence[Portfolio],
    versions: Sequence[PortfolioVersion],
    purpose: str,
    actor: User,
) -> EqaGrant:
    """Give an external quality assurer read-only access, from now to the end of ``ends_on``,
    to whole learners (``portfolios``) and single ``versions`` of the cohort. An existing EQA
    account with the address is attached at once; otherwise the address is sent a link to
    create one. Either way the assurer is e-mailed (through the outbox)."""
    email = email.strip().lower()
    check_end_day(ends_on)
    if not portfolios and not versions:
        raise EqaError("Choose at least one learner or one version to share.", field="portfolios")
    if any(p.cohort_id != cohort.pk for p in portfolios) or any(
        v.portfolio.cohort_id != cohort.pk for v in versions
    ):
        raise EqaError("Only learners and versions of this cohort can be shared.", field="portfolios")
    eqa = _eqa_account(email)
    now = timezone.now()
    grant = EqaGrant.objects.create(
        cohort=cohort,
        email=email,
        eqa=eqa,
        accepted_at=now if eqa else None,
        purpose=purpose.strip(),
        granted_by=actor,
        starts_at=now,
        ends_at=end_of_day(ends_on),
    )
    grant.portfolios.set(portfolios)
    grant.versions.set(versions)
    # By name: the task module imports this one (for the link).
    outbox.enqueue("core.tasks.send_eqa_grant_email", args=[grant.pk])
    log.info(
        "EQA grant %s to %s on cohort %s (%d learners, %d versions) until %s by %s",
        grant.pk,
        email,
        cohort.code,
        len(portfolios),
        len(versions),
        ends_on,
        actor.username,
    )
    return grant


@transaction.atomic
def end_eqa_grant(*, grant: EqaGrant, actor: User) -> EqaGrant:
    """End an access before its date. The assurer's next page is the "access ended" page."""
    locked = EqaGrant.objects.select_for_update().get(pk=grant.pk)
    if locked.ended_at or timezone.now() >= locked.ends_at:
        raise EqaError("This access has already ended.")
    locked.ended_at, locked.ended_by = timezone.now(), actor
    locked.save(update_fields=["ended_at", "ended_by"])
    log.info("EQA grant %s ended early by %s", locked.pk, actor.username)
    return locked


# --- The assurer's account: the link in the e-mail ----------------------------------------------


def grant_token(grant: EqaGrant) -> str:
    return link_token(grant.pk, grant.nonce, salt=GRANT_SALT, key="g")


def grant_url(grant: EqaGrant) -> str:
    """Where the e-mail sends the assurer: the link to create their account, or (attached
    already) the grant's page."""
    if grant.eqa_id:
        return settings.SITE_URL + reverse("portfolio:eqa_grant", args=[grant.pk])
    return settings.SITE_URL + reverse("portfolio:eqa_accept", args=[grant_token(grant)])


def resolve_grant_token(token: str) -> EqaGrant:
    """The grant behind a link, if it can still be accepted; InvitationError if not."""
    try:
        pk, nonce = read_link_token(
            token, salt=GRANT_SALT, max_age=timedelta(days=EqaGrant.MAX_DAYS + 1), key="g"
        )
    except LinkRefused as refused:
        message = "has expired" if refused.reason == "expired" else "is not valid"
        raise InvitationError(f"This link {message}.", reason=refused.reason) from None
    grant = EqaGrant.objects.select_related("cohort", "granted_by").filter(pk=pk, nonce=nonce).first()
    if grant is None:
        raise InvitationError("This link is not valid.", reason="invalid")
    check_grant_acceptable(grant)
    return grant


def check_grant_acceptable(grant: EqaGrant) -> None:
    if grant.eqa_id:
        raise InvitationError("This link has already been used: log in to see the access.", reason="used")
    if grant.ended_at:
        raise InvitationError("The centre has ended this access.", reason="withdrawn")
    if not grant.is_live:
        raise InvitationError("This access has ended.", reason="expired")


@transaction.atomic
def accept_eqa_grant(
    *, grant: EqaGrant, username: str, password: str, first_name: str, last_name: str
) -> User:
    """Create the assurer's account (role EQA) and attach the grant to it, or nothing."""
    locked = EqaGrant.objects.select_for_update().select_related("cohort").get(pk=grant.pk)
    check_grant_acceptable(locked)
    user = create_invited_account(
        email=locked.email,
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=Role.EQA,
    )
    _attach(locked, user)
    log.info("EQA grant %s accepted by new account %s", locked.pk, user.username)
    return user


@transaction.atomic
def accept_eqa_grant_as(*, grant: EqaGrant, user: User) -> None:
    """An existing EQA account, logged in with the address the grant was made for, takes it."""
    locked = EqaGrant.objects.select_for_update().get(pk=grant.pk)
    check_grant_acceptable(locked)
    if user.email.lower() != locked.email.lower():
        raise PortfolioError("This access was given to another e-mail address.")
    if not is_eqa(user):
        raise PortfolioError(
            "This access is for an external quality assurer; "
            f"your account is a {user.get_role_display().lower()} account."
        )
    _attach(locked, user)
    log.info("EQA grant %s accepted by existing account %s", locked.pk, user.username)


def _attach(grant: EqaGrant, user: User) -> None:
    grant.eqa, grant.accepted_at = user, timezone.now()
    grant.save(update_fields=["eqa", "accepted_at"])


# --- Findings ---------------------------------------------------------------------------------


@transaction.atomic
def record_eqa_finding(
    *,
    grant: EqaGrant,
    text: str,
    portfolio: Portfolio | None,
    version: PortfolioVersion | None,
    actor: User,
) -> EqaFinding:
    """The assurer's finding for the centre; the cohort's tutors and quality assurers are told.
    ``portfolio`` and ``version`` must be ones the assurer may read (checked again here)."""
    text = text.strip()
    if not text:
        raise EqaError("Write the finding before sending it.", field="text")
    if len(text) > FINDING_MAX_CHARS:
        raise EqaError(f"Keep the finding under {FINDING_MAX_CHARS} characters.", field="text")
    if version is not None:
        if portfolio is not None and version.portfolio_id != portfolio.pk:
            raise EqaError("That version is not one of that learner's.", field="version")
        portfolio = version.portfolio
    if portfolio is not None and not granted_portfolios(grant).filter(pk=portfolio.pk).exists():
        raise EqaError("That learner is not in this access.", field="portfolio")
    if (
        version is not None
        and not versions_visible_to(actor, version.portfolio).filter(pk=version.pk).exists()
    ):
        raise EqaError("That version is not in this access.", field="version")
    finding = EqaFinding.objects.create(
        grant=grant, portfolio=portfolio, version=version, text=text, created_by=actor
    )
    about = f" on {portfolio.learner.display_name}" if portfolio else ""
    recipients = User.objects.filter(
        memberships__cohort=grant.cohort, memberships__role__in=[Role.TUTOR, Role.IQA]
    ).distinct()
    notify(
        recipients=recipients,
        portfolio=portfolio,
        subject=f"External quality assurance finding{about} from {actor.display_name}",
        body=text,
        url=reverse("portfolio:eqa_grant_manage", args=[grant.cohort_id, grant.pk]),
    )
    log.info("EQA finding %s on grant %s by %s", finding.pk, grant.pk, actor.username)
    return finding


# --- Reads --------------------------------------------------------------------------------------


def granted_portfolios(grant: EqaGrant) -> QuerySet[Portfolio]:
    """Every learner a grant names, whole or by a version."""
    return Portfolio.objects.filter(
        Q(pk__in=grant.portfolios.values("pk")) | Q(pk__in=grant.versions.values("portfolio_id"))
    )


@dataclass
class GrantedLearner:
    portfolio: Portfolio
    whole: bool  # every version, or only those listed
    versions: list[PortfolioVersion]
    samples: list[QualitySample]


def grant_contents(grant: EqaGrant) -> list[GrantedLearner]:
    """The learners of a grant with the versions it shows of each and the quality assurance
    samples of their decisions on those versions."""
    return contents_of_grants([grant])[grant.pk]


def contents_of_grants(grants: Sequence[EqaGrant]) -> dict[int, list[GrantedLearner]]:
    """``grant_contents`` of several grants at once, in 5 queries whatever their number: the
    whole learners, the single versions, the learners, their versions, the samples."""
    ids = [g.pk for g in grants]
    if not ids:
        return {}
    whole_rows = list(
        EqaGrant.portfolios.through.objects.filter(eqagrant_id__in=ids).values_list(
            "eqagrant_id", "portfolio_id"
        )
    )
    single_rows = list(
        EqaGrant.versions.through.objects.filter(eqagrant_id__in=ids).values_list(
            "eqagrant_id", "portfolioversion_id", "portfolioversion__portfolio_id"
        )
    )
    light = PortfolioVersion.objects.defer("snapshot").select_related("outcome").order_by("-number")
    portfolios = list(
        Portfolio.objects.filter(pk__in={p for _, p in whole_rows} | {p for _, _, p in single_rows})
        .select_related("learner", "assessor")
        .prefetch_related(Prefetch("versions", queryset=light, to_attr="all_versions"))
    )
    samples = (
        QualitySample.objects.filter(decision__version__portfolio__in=[p.pk for p in portfolios])
        .select_related("decision__criterion", "decision__version", "decision__assessor", "sampled_by")
        .defer("decision__version__snapshot")
        .order_by("decision__version__number", "decision__criterion__order")
    )
    by_version: dict[int, list[QualitySample]] = {}
    for sample in samples:
        by_version.setdefault(sample.decision.version_id, []).append(sample)
    contents: dict[int, list[GrantedLearner]] = {}
    for grant_id in ids:
        whole = {p for g, p in whole_rows if g == grant_id}
        single = {v for g, v, _ in single_rows if g == grant_id}
        named = whole | {p for g, _, p in single_rows if g == grant_id}
        learners = []
        for portfolio in portfolios:
            if portfolio.pk not in named:
                continue
            shown = [v for v in portfolio.all_versions if portfolio.pk in whole or v.pk in single]
            learners.append(
                GrantedLearner(
                    portfolio=portfolio,
                    whole=portfolio.pk in whole,
                    versions=shown,
                    samples=[s for v in shown for s in by_version.get(v.pk, [])],
                )
            )
        contents[grant_id] = learners
    return contents


def grants_of_cohort(cohort: Cohort) -> QuerySet[EqaGrant]:
    return cohort.eqa_grants.select_related("eqa", "granted_by").order_by("-starts_at", "-pk")


def grants_of_eqa(user: User) -> QuerySet[EqaGrant]:
    return (
        EqaGrant.objects.filter(eqa=user).select_related("cohort", "granted_by").order_by("-starts_at", "-pk")
    )


# --- The log of every page an assurer opens ------------------------------------------------------


def record_eqa_page(*, user: User, request: HttpRequest, status_code: int) -> EqaAccessLog:
    """Log one request of an external quality assurer: who, when, which page, what answer,
    and the learner and grant it concerned (when it names one of theirs)."""
    kwargs = request.resolver_match.kwargs if request.resolver_match else {}
    grant, portfolio_id = None, None
    mine = EqaGrant.objects.filter(eqa_id=user.pk)
    if isinstance(kwargs.get("portfolio_pk"), int):
        covering = mine.filter(
            Q(portfolios=kwargs["portfolio_pk"]) | Q(versions__portfolio_id=kwargs["portfolio_pk"])
        )
        live = set(live_eqa_grants(user).values_list("pk", flat=True))
        grants = sorted(set(covering), key=lambda g: (g.pk not in live, -g.pk))
        if grants:
            grant, portfolio_id = grants[0], kwargs["portfolio_pk"]
    elif isinstance(kwargs.get("grant_pk"), int):
        grant = mine.filter(pk=kwargs["grant_pk"]).first()
    return EqaAccessLog.objects.create(
        eqa=user,
        grant=grant,
        portfolio_id=portfolio_id,
        method=request.method or "GET",
        path=request.get_full_path()[:500],
        status_code=status_code,
    )


class EqaAccessLogMiddleware:
    """Every page an external quality assurer opens is logged, whatever it answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and is_eqa(user):
            record_eqa_page(user=user, request=request, status_code=response.status_code)
        return response
