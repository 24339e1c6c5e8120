"""External quality assurance: grants, what an assurer may read and never write, the end of an
access, the page log, findings, the account link, and hostile input."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessment.services import DecisionInput, record_decision, return_version, submit_portfolio
from core import eqa
from core.access import cohorts_visible_to, portfolios_visible_to
from core.models import (
    CriterionDecision,
    EqaAccessLog,
    EqaFinding,
    EqaGrant,
    Export,
    Notification,
    QualitySample,
    Role,
    User,
)
from evidence.files import check_media
from tests.conftest import finish
from tests.evidence.factories import FileEvidenceFactory, make_discussion, wav_bytes
from tests.factories import EqaFactory, EqaGrantFactory, LearnerFactory, PortfolioFactory
from tests.portfolio.factories import ExportFactory

pytestmark = pytest.mark.django_db


def EQA_NOTES():
    """The notifications about findings (the submission told the assessor something too)."""
    return Notification.objects.filter(subject__startswith="External quality assurance finding")


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


@pytest.fixture
def version(portfolio, learner):
    FileEvidenceFactory(portfolio=portfolio)
    return submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)


@pytest.fixture
def assurer(db):
    return EqaFactory(username="eqa1", email="eqa1@example.org")


@pytest.fixture
def grant(cohort, assurer, portfolio, version):
    return EqaGrantFactory(cohort=cohort, eqa=assurer, portfolios=[portfolio])


def _grant_form(cohort, **changes):
    data = {
        "email": "moderator@awarding.example",
        "ends_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "portfolios": [p.pk for p in cohort.portfolios.all()],
        "purpose": "Summer moderation",
    }
    data.update(changes)
    return data


# --- Granting ---------------------------------------------------------------------------------


def test_a_tutor_grants_access_and_a_new_assurer_is_sent_a_link(
    client, tutor, cohort, learner, other_learner, django_capture_on_commit_callbacks
):
    client.force_login(tutor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portfolio:eqa_grants", args=[cohort.pk]), _grant_form(cohort))

    grant = EqaGrant.objects.get()
    assert response.status_code == 302
    assert response.url == grant.get_absolute_url()
    assert grant.eqa is None
    assert grant.status == "waiting for the assurer to accept"
    assert set(grant.portfolios.all()) == set(cohort.portfolios.all())
    assert grant.last_day == timezone.localdate() + timedelta(days=30)
    assert [m.to for m in mail.outbox] == [["moderator@awarding.example"]]
    assert "/eqa/join/" in mail.outbox[0].body


def test_an_existing_assurer_is_attached_at_once(
    client, tutor, cohort, learner, assurer, django_capture_on_commit_callbacks
):
    client.force_login(tutor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portfolio:eqa_grants", args=[cohort.pk]), _grant_form(cohort, email="EQA1@example.org")
        )

    grant = EqaGrant.objects.get()
    assert grant.eqa == assurer
    assert grant.is_live
    assert reverse("portfolio:eqa_grant", args=[grant.pk]) in mail.outbox[0].body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": "2000-01-01"}, "ends_on", "cannot end before it starts"),
        (
            {"ends_on": (timezone.localdate() + timedelta(days=91)).isoformat()},
            "ends_on",
            "at most 90 days",
        ),
        ({"ends_on": ""}, "ends_on", "This field is required"),
        ({"portfolios": []}, "portfolios", "at least one learner"),
        ({"email": "not an address"}, "email", "valid email"),
    ],
)
def test_a_bad_grant_form_is_refused_and_stores_nothing(
    client, tutor, cohort, learner, changes, field, message
):
    client.force_login(tutor)

    response = client.post(reverse("portfolio:eqa_grants", args=[cohort.pk]), _grant_form(cohort, **changes))

    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert not EqaGrant.objects.exists()
    assert mail.outbox == []


def test_a_centre_account_cannot_be_made_an_external_assurer(client, tutor, cohort, learner, assessor):
    client.force_login(tutor)

    response = client.post(
        reverse("portfolio:eqa_grants", args=[cohort.pk]), _grant_form(cohort, email=assessor.email)
    )

    assert response.status_code == 400
    assert "belongs to an account of the centre" in str(response.context["form"].errors["email"])
    assert not EqaGrant.objects.exists()


def test_a_learner_of_another_cohort_cannot_be_shared(client, tutor, cohort, learner):
    stranger = PortfolioFactory(learner=LearnerFactory(username="stranger"))
    client.force_login(tutor)

    response = client.post(
        reverse("portfolio:eqa_grants", args=[cohort.pk]), _grant_form(cohort, portfolios=[stranger.pk])
    )

    assert response.status_code == 400
    assert not EqaGrant.objects.exists()


def test_the_service_refuses_an_end_beyond_the_maximum(tutor, cohort, portfolio):
    with pytest.raises(eqa.EqaError, match="at most 90 days"):
        eqa.grant_eqa_access(
            cohort=cohort,
            email="x@example.org",
            ends_on=timezone.localdate() + timedelta(days=EqaGrant.MAX_DAYS + 1),
            portfolios=[portfolio],
            versions=[],
            purpose="",
            actor=tutor,
        )
    assert not EqaGrant.objects.exists()


def test_a_tutor_cannot_open_or_end_another_cohorts_grant(client, grant, outsider):
    other_cohort = outsider.memberships.get().cohort
    client.force_login(outsider)

    # Their own cohort's id with our grant's id: the grant is not found there.
    manage = client.get(reverse("portfolio:eqa_grant_manage", args=[other_cohort.pk, grant.pk]))
    end = client.post(reverse("portfolio:eqa_grant_end", args=[other_cohort.pk, grant.pk]))

    assert manage.status_code == 404
    assert end.status_code == 404
    grant.refresh_from_db()
    assert grant.ended_at is None


# --- What the assurer reads -------------------------------------------------------------------


def test_the_assurer_reads_a_granted_version_and_its_file(client, grant, assurer, portfolio, version):
    client.force_login(assurer)

    page = client.get(reverse("portfolio:version_detail", args=[portfolio.pk, 1]))
    stored = finish(
        client.get(reverse("portfolio:version_file", args=[portfolio.pk, 1, version.files.get().pk]))
    )

    assert page.status_code == 200
    assert stored.status_code == 200
    assert b"/decide/" not in page.content
    assert b"/outcome/" not in page.content
    assert not page.context["can_assess"]


def test_the_assurer_never_sees_the_working_copy(client, grant, assurer, portfolio):
    client.force_login(assurer)

    for url in [
        reverse("portfolio:portfolio_detail", args=[portfolio.pk]),
        reverse("evidence:list", kwargs={"portfolio_pk": portfolio.pk}),
        reverse("strategy:vision", kwargs={"portfolio_pk": portfolio.pk}),
        reverse("portfolio:readiness", kwargs={"portfolio_pk": portfolio.pk}),
    ]:
        assert client.get(url).status_code == 404, url


def test_a_grant_of_one_version_shows_that_version_only(client, cohort, assurer, portfolio, version, learner):
    # A second version: the first has to be returned before the learner can submit again.
    criterion = portfolio.cohort.frameworks.get().criteria.first()
    record_decision(
        version=version,
        criterion=criterion,
        data=DecisionInput(status="not_yet_met", feedback="More on P12.", evidence_ids=[], based_on=None),
        actor=portfolio.assessor,
    )
    return_version(version=version, comment="More on P12, please.", actor=portfolio.assessor)
    submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    EqaGrantFactory(cohort=cohort, eqa=assurer, versions=[version])
    client.force_login(assurer)

    listed = client.get(reverse("portfolio:versions", args=[portfolio.pk]))
    second = client.get(reverse("portfolio:version_detail", args=[portfolio.pk, 2]))
    first = client.get(reverse("portfolio:version_detail", args=[portfolio.pk, 1]))
    pdf_of_second = client.post(reverse("portfolio:export_request", args=[portfolio.pk]), {"version": "2"})

    assert [v.number for v, _ in listed.context["rows"]] == [1]
    assert first.status_code == 200
    assert second.status_code == 404
    assert pdf_of_second.status_code == 404
    assert not Export.objects.exists()


def test_the_assurer_asks_for_the_pdf_of_a_granted_version_and_downloads_it(
    client, grant, assurer, portfolio, django_capture_on_commit_callbacks
):
    client.force_login(assurer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portfolio:export_request", args=[portfolio.pk]), {"version": "1"})

    export = Export.objects.get()
    assert response.status_code == 302
    assert export.version.number == 1
    assert export.requested_by == assurer
    export.refresh_from_db()
    assert export.status == Export.Status.DONE  # the render ran in-process (no broker in tests)
    download = finish(client.get(reverse("portfolio:export_download", args=[portfolio.pk, export.pk])))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"


def test_the_assurer_cannot_ask_for_a_pdf_of_the_working_copy(client, grant, assurer, portfolio):
    client.force_login(assurer)

    response = client.post(reverse("portfolio:export_request", args=[portfolio.pk]), {"version": ""})

    assert response.status_code == 403
    assert not Export.objects.exists()


def test_the_assurer_cannot_follow_an_export_of_the_working_copy(client, grant, assurer, portfolio, learner):
    working = ExportFactory(portfolio=portfolio, requested_by=learner, done=True)
    client.force_login(assurer)

    assert client.get(reverse("portfolio:export_status", args=[portfolio.pk, working.pk])).status_code == 404
    assert (
        client.get(reverse("portfolio:export_download", args=[portfolio.pk, working.pk])).status_code == 404
    )
    listed = client.get(reverse("portfolio:exports", args=[portfolio.pk]))
    assert working not in listed.context["exports"]
    assert b"The working copy, as it is now" not in listed.content


# --- Nothing written ----------------------------------------------------------------------------


def test_the_assurer_cannot_decide_close_map_or_write_a_step(client, grant, assurer, portfolio, version):
    criterion = portfolio.cohort.frameworks.get().criteria.first()
    item = version.portfolio.evidence.first()
    client.force_login(assurer)

    answers = [
        client.post(
            reverse("portfolio:decide", args=[portfolio.pk, 1, criterion.pk]),
            {"status": "met", "feedback": "Fine.", "evidence": [item.pk]},
        ),
        client.post(reverse("portfolio:close_version", args=[portfolio.pk, 1]), {"outcome": "sign_off"}),
        client.post(
            reverse("evidence:mapping_add", kwargs={"portfolio_pk": portfolio.pk, "pk": item.pk}),
            {"criterion": criterion.pk, "note": "x"},
        ),
        client.post(
            reverse("strategy:vision", kwargs={"portfolio_pk": portfolio.pk}), {"vision": "Mine now"}
        ),
        client.post(reverse("evidence:add", kwargs={"portfolio_pk": portfolio.pk, "kind": "reflection"}), {}),
        client.post(reverse("portfolio:qa_sampling"), {"mode": "share", "percent": "100"}),
        client.post(reverse("portfolio:submit", args=[portfolio.pk]), {"declaration": "on"}),
    ]

    assert [a.status_code for a in answers] == [403, 403, 404, 404, 404, 403, 404]
    assert not CriterionDecision.objects.exists()
    assert not QualitySample.objects.exists()
    assert portfolio.versions.count() == 1
    assert not item.mappings.filter(criterion=criterion, note="x").exists()


# --- The end of an access --------------------------------------------------------------------------


def test_the_access_ends_by_itself_at_the_end_date(client, grant, assurer, portfolio):
    # An end within the session's life, so the assurer is still logged in when it comes.
    EqaGrant.objects.filter(pk=grant.pk).update(ends_at=timezone.now() + timedelta(hours=2))
    grant.refresh_from_db()
    client.force_login(assurer)
    url = reverse("portfolio:version_detail", args=[portfolio.pk, 1])
    assert client.get(url).status_code == 200

    with time_machine.travel(grant.ends_at + timedelta(minutes=1)):
        ended = client.get(url)
        home = client.get(reverse("portfolio:eqa_home"))
        own = client.get(reverse("portfolio:eqa_grant", args=[grant.pk]))

    assert ended.status_code == 403
    assert "Your access to this learner&#x27;s portfolio ended on" in ended.content.decode()
    assert own.status_code == 403
    assert "ended on" in own.content.decode()
    assert home.context["live"] == []
    assert home.context["ended"] == [grant]


def test_a_tutor_ends_an_access_early(client, grant, tutor, assurer, portfolio, cohort):
    client.force_login(tutor)
    response = client.post(reverse("portfolio:eqa_grant_end", args=[cohort.pk, grant.pk]))
    again = client.post(reverse("portfolio:eqa_grant_end", args=[cohort.pk, grant.pk]), follow=True)

    grant.refresh_from_db()
    assert response.status_code == 302
    assert grant.ended_by == tutor
    assert grant.status == "ended early"
    assert "already ended" in again.content.decode()
    client.force_login(assurer)
    refused = client.get(reverse("portfolio:version_detail", args=[portfolio.pk, 1]))
    assert refused.status_code == 403
    closed = timezone.localtime(grant.ended_at)
    assert f"ended on {closed:%-d %B %Y, %H:%M}, before its last day." in refused.content.decode()


def test_an_access_that_ran_to_its_date_is_said_to_end_on_its_last_day(client, grant, assurer, portfolio):
    # Given until a day, it closes at the midnight after: the page names the day, not 00:00 the next.
    last_day = timezone.localdate() + timedelta(days=3)
    EqaGrant.objects.filter(pk=grant.pk).update(ends_at=eqa.end_of_day(last_day))
    client.force_login(assurer)
    with time_machine.travel(eqa.end_of_day(last_day) + timedelta(hours=9)):
        refused = client.get(reverse("portfolio:version_detail", args=[portfolio.pk, 1]))

    assert refused.status_code == 403
    assert f"ended on {last_day:%-d %B %Y}, its last day." in refused.content.decode()
    assert "00:00" not in refused.content.decode()


def test_someone_elses_grant_is_not_found(client, grant, db):
    other = EqaFactory(username="eqa2")
    client.force_login(other)

    assert client.get(reverse("portfolio:eqa_grant", args=[grant.pk])).status_code == 404
    assert client.post(reverse("portfolio:eqa_finding", args=[grant.pk]), {"text": "x"}).status_code == 404
    assert not EqaFinding.objects.exists()


# --- The log ----------------------------------------------------------------------------------------


def test_every_page_the_assurer_opens_is_logged_and_the_tutor_sees_it(
    client, grant, assurer, tutor, portfolio, cohort
):
    client.force_login(assurer)
    client.get(reverse("portfolio:eqa_home"))
    client.get(reverse("portfolio:version_detail", args=[portfolio.pk, 1]))
    client.get(reverse("portfolio:portfolio_detail", args=[portfolio.pk]))  # refused, logged all the same

    rows = list(EqaAccessLog.objects.order_by("pk"))
    assert [(r.path, r.status_code) for r in rows] == [
        ("/eqa/", 200),
        (f"/portfolios/{portfolio.pk}/versions/1/", 200),
        (f"/portfolios/{portfolio.pk}/", 404),
    ]
    assert rows[1].portfolio == portfolio
    assert rows[1].grant == grant
    assert rows[1].eqa == assurer
    with pytest.raises(ValueError, match="append-only"):
        rows[0].delete()

    client.force_login(tutor)
    page = client.get(reverse("portfolio:eqa_grant_manage", args=[cohort.pk, grant.pk]))
    assert f"/portfolios/{portfolio.pk}/versions/1/" in page.content.decode()
    assert EqaAccessLog.objects.count() == 3  # the tutor's own pages are not logged


# --- Findings ---------------------------------------------------------------------------------------


def test_a_finding_is_recorded_and_the_tutors_and_iqa_are_told(
    client, grant, assurer, tutor, iqa, assessor, portfolio
):
    client.force_login(assurer)

    response = client.post(
        reverse("portfolio:eqa_finding", args=[grant.pk]),
        {
            "text": "Assessment of P12 is sound.",
            "portfolio": portfolio.pk,
            "version": portfolio.versions.get().pk,
        },
    )

    finding = EqaFinding.objects.get()
    assert response.status_code == 302
    assert finding.portfolio == portfolio
    assert finding.version.number == 1
    assert finding.created_by == assurer
    told = set(EQA_NOTES().values_list("recipient__username", flat=True))
    assert told == {tutor.username, iqa.username}


def test_a_general_finding_needs_no_learner(client, grant, assurer, tutor):
    client.force_login(assurer)

    client.post(reverse("portfolio:eqa_finding", args=[grant.pk]), {"text": "Sampling plan is sound."})

    assert EqaFinding.objects.get().portfolio is None
    assert EQA_NOTES().get(recipient=tutor).portfolio is None


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_finding_is_refused(client, grant, assurer, text):
    client.force_login(assurer)

    response = client.post(reverse("portfolio:eqa_finding", args=[grant.pk]), {"text": text})

    assert response.status_code == 400
    assert not EqaFinding.objects.exists()
    assert not EQA_NOTES().exists()


def test_a_finding_about_a_learner_outside_the_grant_is_refused(client, grant, assurer, other_learner):
    client.force_login(assurer)

    response = client.post(
        reverse("portfolio:eqa_finding", args=[grant.pk]),
        {"text": "About someone else", "portfolio": other_learner.portfolios.get().pk},
    )

    assert response.status_code == 400
    assert not EqaFinding.objects.exists()


# --- The account link -----------------------------------------------------------------------------


def test_the_link_creates_an_eqa_account_once(client, cohort, tutor, portfolio, version):
    grant = EqaGrantFactory(cohort=cohort, eqa=None, email="new@awarding.example", portfolios=[portfolio])
    url = reverse("portfolio:eqa_accept", args=[eqa.grant_token(grant)])
    form = {
        "first_name": "Erin",
        "last_name": "Moderator",
        "username": "erin",
        "password1": "a-long-pass-phrase-2026",
        "password2": "a-long-pass-phrase-2026",
    }

    response = client.post(url, form)

    user = User.objects.get(username="erin")
    grant.refresh_from_db()
    assert response.status_code == 302
    assert user.role == Role.EQA
    assert grant.eqa == user
    client.logout()
    assert client.get(url).status_code == 410  # used


@pytest.mark.parametrize("state", ["tampered", "ended", "expired"])
def test_a_bad_link_gets_a_clear_page_and_creates_nothing(client, cohort, portfolio, state):
    grant = EqaGrantFactory(cohort=cohort, eqa=None, email="new@awarding.example", portfolios=[portfolio])
    token = eqa.grant_token(grant)
    if state == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif state == "ended":
        EqaGrant.objects.filter(pk=grant.pk).update(ended_at=timezone.now())

    with time_machine.travel(grant.ends_at + timedelta(seconds=1) if state == "expired" else timezone.now()):
        response = client.post(
            reverse("portfolio:eqa_accept", args=[token]),
            {"first_name": "E", "last_name": "M", "username": "erin", "password1": "x", "password2": "x"},
        )

    assert response.status_code in (400, 410)
    assert not User.objects.filter(username="erin").exists()


# --- Query counts ----------------------------------------------------------------------------------


def _more_learners(cohort, n):
    for i in range(n):
        learner = LearnerFactory(username=f"many{i}")
        portfolio = PortfolioFactory(cohort=cohort, learner=learner)
        submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)


@pytest.mark.parametrize("extra", [0, 19])
def test_the_assurers_grant_page_costs_the_same_with_1_or_20_learners(
    client, cohort, assurer, version, extra, django_assert_num_queries
):
    _more_learners(cohort, extra)
    grant = EqaGrantFactory(cohort=cohort, eqa=assurer, portfolios=list(cohort.portfolios.all()))
    client.force_login(assurer)

    # session, user, grant; contents (whole, single, learners, their versions, samples); findings;
    # the finding form's choices (learners, versions); the log (the grant, the insert)
    with django_assert_num_queries(13):
        response = client.get(reverse("portfolio:eqa_grant", args=[grant.pk]))

    assert response.status_code == 200
    assert len(response.context["learners"]) == 1 + extra


@pytest.mark.parametrize("extra", [0, 19])
def test_the_tutors_grant_pages_cost_the_same_with_1_or_20_rows(
    client, cohort, tutor, assurer, version, extra, django_assert_num_queries
):
    _more_learners(cohort, extra)
    grant = EqaGrantFactory(cohort=cohort, eqa=assurer, portfolios=list(cohort.portfolios.all()))
    for i in range(extra):
        EqaGrantFactory(
            cohort=cohort, eqa=EqaFactory(username=f"eqa-many{i}"), portfolios=[version.portfolio]
        )
    client.force_login(tutor)

    # session, user, cohort, membership roles; grants; form choices (learners, versions)
    with django_assert_num_queries(7):
        listed = client.get(reverse("portfolio:eqa_grants", args=[cohort.pk]))
    # session, user, cohort, roles, grant; contents (whole, single, learners, versions, samples);
    # findings; the log's count (empty: no page to fetch)
    with django_assert_num_queries(12):
        managed = client.get(reverse("portfolio:eqa_grant_manage", args=[cohort.pk, grant.pk]))

    assert listed.status_code == 200
    assert managed.status_code == 200


def test_an_assurer_outside_any_cohort_sees_no_cohort(assurer, cohort):
    EqaGrantFactory(cohort=cohort, eqa=assurer, portfolios=list(cohort.portfolios.all()))

    assert not portfolios_visible_to(assurer).exists()
    assert not cohorts_visible_to(assurer).exists()


@pytest.mark.parametrize("grants", [1, 5])
def test_the_assurers_home_costs_the_same_with_1_or_5_accesses(
    client, cohort, assurer, version, grants, django_assert_num_queries
):
    _more_learners(cohort, grants - 1)
    for portfolio in cohort.portfolios.all():
        EqaGrantFactory(cohort=cohort, eqa=assurer, portfolios=[portfolio])
    EqaGrantFactory(cohort=cohort, eqa=assurer, versions=[version], ended_at=timezone.now())
    client.force_login(assurer)

    # session, user; the grants; their contents (whole, single, learners, versions, samples);
    # the log (the insert)
    with django_assert_num_queries(9):
        response = client.get(reverse("portfolio:eqa_home"))

    assert len(response.context["live"]) == grants
    assert len(response.context["ended"]) == 1


def test_an_assurer_plays_a_recording_named_by_a_granted_version_and_nothing_newer(
    client, cohort, assurer, portfolio, learner
):
    criterion = portfolio.cohort.frameworks.get().criteria.first()
    recording = check_media("talk.wav", SimpleUploadedFile("talk.wav", wav_bytes()))
    discussion = make_discussion(portfolio, [criterion], recording=recording)
    submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    EqaGrantFactory(cohort=cohort, eqa=assurer, portfolios=[portfolio])
    later = make_discussion(
        portfolio,
        [criterion],
        title="After the version",
        recording=check_media("later.wav", SimpleUploadedFile("later.wav", wav_bytes())),
    )
    client.force_login(assurer)

    def play(item):
        url = reverse(
            "evidence:record_attachment",
            kwargs={"portfolio_pk": portfolio.pk, "pk": item.pk, "attachment_pk": item.attachments.get().pk},
        )
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        return response.status_code

    assert play(discussion) == 200
    assert play(later) == 404
    assert client.get(discussion.get_absolute_url()).status_code == 404  # the working copy stays closed
