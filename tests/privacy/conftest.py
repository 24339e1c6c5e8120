from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.core.files.base import ContentFile
from django.utils import timezone

from assessment import services as assessment
from assessment import thread_services
from audit.models import ChunkedUpload
from core.models import Cohort, Criterion, EqaAccessLog, EqaFinding, FormDraft, Invitation, Notification
from credentials import services as credentials
from demo import audit as demo_audit
from demo import strategy as demo_strategy
from evidence.models import ImageScan, NotPersonalMark, PendingRedaction, RecordAttachment, WitnessRequest
from lti.models import CourseDeparture, CourseLink, GradeSync, LaunchTicket, LtiAccount, Registration
from privacy.models import PrivacyEntry, SubjectAccessArchive
from tests.evidence.factories import (
    knowledge_criterion,
    make_discussion,
    make_observation,
    make_questioning,
    png_bytes,
)
from tests.factories import EqaGrantFactory
from tests.portfolio.conftest import criteria, decide, filled, portfolio  # noqa: F401  (fixtures)
from tests.portfolio.factories import ExportFactory


@pytest.fixture
def assessed(portfolio, criteria, filled, learner, assessor, iqa):  # noqa: F811
    """A portfolio with a record and a witness request, submitted, discussed, annotated,
    decided on every criterion, sampled by quality assurance and signed off, its credential
    issued; a PDF made."""
    return assessed_version(portfolio, criteria, filled, learner, assessor, iqa)


def assessed_version(portfolio, criteria, filled, learner, assessor, iqa):  # noqa: F811
    make_observation(portfolio, criteria)
    WitnessRequest.objects.create(
        portfolio=portfolio,
        requested_by=learner,
        name="Priya Shah",
        job_title="Team leader",
        relationship="Line manager",
        organisation="Fernleaf Home",
        email="priya@example.org",
        activity="Handled the weekend complaints queue.",
        expires_at=timezone.now() + timedelta(days=21),
    )
    FormDraft.objects.create(owner=learner, scope="evidence:1", path="/x/", updated_at=timezone.now())
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    thread_services.post_message(
        version=version, body="Is the screenshot redacted?", actor=assessor, criterion=criteria[0]
    )
    thread_services.post_message(
        version=version, body="Yes, all of it.", actor=learner, criterion=criteria[0]
    )
    thread_services.annotate_evidence(
        version=version, evidence_id=filled["file"].pk, body="Clear.", actor=assessor
    )
    decisions = [
        decide(version, criterion, assessor, feedback="Shown.", evidence_ids=[filled["file"].pk])
        for criterion in Criterion.objects.filter(framework__cohorts=portfolio.cohort).order_by("pk")
    ]
    assessment.sample_decisions(decisions=decisions[:1], actor=iqa)
    assessment.sign_off_version(version=version, comment="Well done.", actor=assessor)
    # The credential the sign-off is owed (after the commit, in the app; at once here).
    assert credentials.issue_credential(version=version) is not None
    ExportFactory(portfolio=portfolio, version=version, done=True)
    Notification.objects.create(recipient=learner, portfolio=portfolio, subject="Signed off")
    return version


def end_cohort(learner, day):
    """Move the end date of the learner's cohorts (start dates too, where they would pass it)."""
    Cohort.objects.filter(portfolios__learner=learner).update(
        start_date=day - timedelta(days=200), end_date=day
    )


@pytest.fixture
def everything(portfolio, criteria, filled, learner, assessor, iqa, tutor, cohort):  # noqa: F811
    """A learner with at least one record of every registered kind (but a membership, which only
    staff have): the demo's audit and strategy, every assessor's record, a witness, files in
    every form, a version with its service data, discussed, decided, sampled, signed off and
    moderated, a PDF, an archive, an invitation."""
    demo_audit.build_demo_content(cohort=cohort, portfolios={"learner": portfolio})
    demo_strategy.build_demo_content(cohort=cohort, portfolios={"learner": portfolio})
    ChunkedUpload.objects.create(portfolio=portfolio, owner=learner, file_name="next.csv", size=10)
    make_discussion(portfolio, criteria)
    make_questioning(portfolio, [knowledge_criterion(portfolio)], mode="in_person")
    upload = filled["file"]
    RecordAttachment.objects.create(
        evidence=make_observation(portfolio, criteria),
        file=ContentFile(png_bytes(), name="photo.png"),
        original_name="photo.png",
        content_type="image/png",
        size=len(png_bytes()),
        sha256=hashlib.sha256(png_bytes()).hexdigest(),
    )
    ImageScan.objects.create(evidence=upload, sha256=upload.sha256, status="done")
    NotPersonalMark.objects.create(evidence=upload, kind="phone", digest="0" * 64)
    PendingRedaction.objects.create(
        evidence=upload, file=ContentFile(png_bytes(), name="redacted.png"), sha256="1" * 64, size=10
    )
    Invitation.objects.create(
        cohort=cohort,
        email=learner.email,
        role="learner",
        invited_by=tutor,
        expires_at=timezone.now() + timedelta(days=14),
        accepted_at=timezone.now(),
        accepted_by=learner,
    )
    version = assessed_version(portfolio, criteria, filled, learner, assessor, iqa)
    grant = EqaGrantFactory(cohort=cohort, portfolios=[portfolio])
    EqaAccessLog.objects.create(
        eqa=grant.eqa, grant=grant, portfolio=portfolio, method="GET", path="/", status_code=200
    )
    EqaFinding.objects.create(
        grant=grant, portfolio=portfolio, version=version, text="Sound.", created_by=grant.eqa
    )
    SubjectAccessArchive.objects.create(learner=learner, status="failed")
    PrivacyEntry.objects.create(
        subject_id=learner.pk, actor=learner, action="archive_requested", summary="Asked."
    )
    lti_records(learner, portfolio)
    sign_on_records(learner)
    return version


def lti_records(learner, learners_portfolio) -> None:
    """The learner's launches from a course: their platform account, the result sent, a ticket,
    and the roster's note that they left the course."""
    registration = Registration.objects.create(
        name="Moodle",
        issuer="https://moodle.example",
        client_id="c",
        deployment_ids="1",
        auth_login_url="https://moodle.example/auth",
        auth_token_url="https://moodle.example/token",
        key_set_url="https://moodle.example/jwks",
    )
    account = LtiAccount.objects.create(registration=registration, sub="moodle-user-7", user=learner)
    course = CourseLink.objects.create(
        registration=registration, context_id="course-7", cohort=learners_portfolio.cohort
    )
    CourseDeparture.objects.create(course=course, account=account)
    GradeSync.objects.create(portfolio=learners_portfolio, score=3, signed_off=True, sent_at=timezone.now())
    LaunchTicket.objects.create(token="t" * 40, user=learner, target="/")


def sign_on_records(learner) -> None:
    """What single sign-on and MFA keep about the learner (sso/subject_data.py)."""
    address = EmailAddress.objects.create(user=learner, email=learner.email, verified=True, primary=True)
    EmailConfirmation.objects.create(email_address=address, key="k" * 64)
    app = SocialApp.objects.create(provider="openid_connect", provider_id="college", name="College")
    account = SocialAccount.objects.create(user=learner, provider="college", uid="sub-1", extra_data={})
    SocialToken.objects.create(app=app, account=account, token="secret-token")
    Authenticator.objects.create(user=learner, type=Authenticator.Type.TOTP, data={"secret": "x"})
