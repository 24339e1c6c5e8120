"""Witness testimony: the signed, single-use, expiring link; the testimony as evidence; the
assessor's check; and every way a link or a form can be refused without storing anything."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from assessment.services import submit_portfolio
from core.models import Notification
from evidence import witness
from evidence.models import CriterionMapping, Evidence, WitnessRequest
from evidence.pdf import evidence_entries
from evidence.snapshot import evidence_snapshot
from evidence.tasks import send_witness_request_email
from tests.evidence.factories import EvidenceFactory
from tests.factories import CriterionFactory, CriterionGroupFactory

pytestmark = pytest.mark.django_db

TESTIMONY = (
    "On 3 March I watched Amira brief the four advisers on the weekend rota and agree "
    "the cover with each of them."
)


@pytest.fixture
def asked(portfolio, learner, mailoutbox, django_capture_on_commit_callbacks):
    criteria = list(portfolio.cohort.frameworks.get().criteria.order_by("order"))[:2]
    with django_capture_on_commit_callbacks(execute=True):
        return witness.request_witness(
            portfolio=portfolio,
            actor=learner,
            name="Jo Patel",
            job_title="Contact Manager",
            relationship="Line manager",
            organisation="Fernleaf Home",
            email="Jo.Patel@Fernleaf.example",
            activity="The weekend rota pilot",
            criteria=criteria,
        )


def _post_data(**overrides):
    data = {
        "testimony": TESTIMONY,
        "seen_from": (timezone.localdate() - timedelta(days=10)).isoformat(),
        "seen_to": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "name": "Joanne Patel",
        "job_title": "Customer Contact Manager",
        "organisation": "Fernleaf Home",
        "relationship": "Line manager",
        "signature": "Joanne  Patel",
        "confirm": "on",
    }
    data.update(overrides)
    return data


def _url(request):
    return reverse("evidence:witness_testify", args=[witness.witness_token(request)])


def _sign(request, **overrides):
    return witness.submit_testimony(
        witness_request=request,
        testimony=overrides.get("testimony", TESTIMONY),
        seen_from=timezone.localdate() - timedelta(days=10),
        seen_to=None,
        name="Jo Patel",
        job_title="Contact Manager",
        organisation="Fernleaf Home",
        relationship="Line manager",
        signature="Jo Patel",
    )


# --- Services ----------------------------------------------------------------------------


def test_asking_queues_the_email_with_a_link_that_resolves(asked, mailoutbox):
    assert asked.email == "jo.patel@fernleaf.example"
    assert asked.status == "pending"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["jo.patel@fernleaf.example"]
    link = re.search(r"https?://\S+/witness/\S+/", message.body).group(0)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert witness.resolve_witness_token(token) == asked
    assert "The weekend rota pilot" in message.body


def test_a_changed_token_is_refused(asked):
    token = witness.witness_token(asked)
    with pytest.raises(witness.WitnessLinkError) as error:
        witness.resolve_witness_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert error.value.reason == "invalid"


def test_a_token_for_another_nonce_is_refused(asked):
    forged = signing.dumps({"w": asked.pk, "n": "0" * 32}, salt=witness.WITNESS_SALT, compress=True)
    with pytest.raises(witness.WitnessLinkError) as error:
        witness.resolve_witness_token(forged)
    assert error.value.reason == "invalid"


def test_the_link_expires_after_the_setting(asked, settings):
    token = witness.witness_token(asked)
    later = timezone.now() + timedelta(days=settings.WITNESS_LINK_MAX_AGE_DAYS, hours=1)
    with time_machine.travel(later), pytest.raises(witness.WitnessLinkError) as error:
        witness.resolve_witness_token(token)
    assert error.value.reason == "expired"
    with time_machine.travel(timezone.now() + timedelta(days=settings.WITNESS_LINK_MAX_AGE_DAYS - 1)):
        assert witness.resolve_witness_token(token) == asked


def test_signing_makes_mapped_evidence_with_a_digest_and_tells_learner_and_assessor(
    asked, portfolio, learner, assessor
):
    evidence = _sign(asked)

    asked.refresh_from_db()
    assert evidence.kind == Evidence.Kind.WITNESS
    assert evidence.body == TESTIMONY
    assert asked.evidence == evidence
    assert asked.status == "signed"
    assert set(evidence.mappings.values_list("criterion_id", flat=True)) == set(
        asked.criteria.values_list("pk", flat=True)
    )
    assert set(evidence.mappings.values_list("note", flat=True)) == {"Witness: Jo Patel, Contact Manager"}
    assert len(asked.digest) == 64
    assert witness.verify_testimony(asked)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {learner.pk, assessor.pk}


def test_the_digest_no_longer_matches_once_the_testimony_is_changed(asked):
    _sign(asked)
    asked.refresh_from_db()
    WitnessRequest.objects.filter(pk=asked.pk).update(testimony=TESTIMONY + " And more.")
    asked.refresh_from_db()
    assert not witness.verify_testimony(asked)


def test_a_link_works_once(asked):
    _sign(asked)
    with pytest.raises(witness.WitnessLinkError) as error:
        _sign(asked)
    assert error.value.reason == "used"
    assert Evidence.objects.filter(kind=Evidence.Kind.WITNESS).count() == 1


def test_a_withdrawn_request_cannot_be_answered_and_a_signed_one_cannot_be_withdrawn(asked, learner):
    witness.withdraw_witness_request(witness_request=asked, actor=learner)
    with pytest.raises(witness.WitnessLinkError) as error:
        witness.resolve_witness_token(witness.witness_token(asked))
    assert error.value.reason == "withdrawn"
    with pytest.raises(witness.WitnessLinkError):
        _sign(asked)
    assert not Evidence.objects.filter(kind=Evidence.Kind.WITNESS).exists()


def test_a_signed_request_cannot_be_withdrawn(asked, learner):
    _sign(asked)
    with pytest.raises(witness.WitnessError):
        witness.withdraw_witness_request(witness_request=asked, actor=learner)


def test_the_email_is_not_sent_for_a_request_withdrawn_before_it_left(portfolio, learner, mailoutbox):
    request = WitnessRequest.objects.create(
        portfolio=portfolio,
        requested_by=learner,
        name="A",
        job_title="B",
        relationship="C",
        organisation="D",
        email="a@example.org",
        activity="E",
        expires_at=timezone.now() + timedelta(days=1),
        withdrawn_at=timezone.now(),
    )
    assert send_witness_request_email(request.pk) is False
    assert mailoutbox == []


def test_criteria_of_another_qualification_are_refused(portfolio, learner):
    stranger = CriterionFactory()
    with pytest.raises(witness.WitnessError):
        witness.request_witness(
            portfolio=portfolio,
            actor=learner,
            name="A",
            job_title="B",
            relationship="C",
            organisation="D",
            email="a@example.org",
            activity="E",
            criteria=[stranger],
        )
    assert not WitnessRequest.objects.exists()


def test_performance_criteria_come_first(portfolio):
    framework = portfolio.cohort.frameworks.get()
    group = CriterionGroupFactory(
        framework=framework, code="P", title="Performance", kind="performance", order=99
    )
    p1 = CriterionFactory(group=group, code="P1", order=1)
    assert witness.witness_criteria(portfolio)[0] == p1


def test_only_the_assessor_records_a_check(asked, learner, assessor):
    _sign(asked)
    asked.refresh_from_db()
    with pytest.raises(witness.WitnessError):
        witness.record_witness_check(
            witness_request=asked, actor=learner, method="phone", checked_on=timezone.localdate(), note=""
        )
    witness.record_witness_check(
        witness_request=asked,
        actor=assessor,
        method="phone",
        checked_on=timezone.localdate(),
        note="Rang her.",
    )
    asked.refresh_from_db()
    assert asked.checked_by == assessor
    assert asked.get_check_method_display() == "By phone"


# --- The witness's page ----------------------------------------------------------------------


def test_the_page_shows_the_request_and_nothing_else_of_the_portfolio(client, asked, portfolio):
    EvidenceFactory(portfolio=portfolio, title="Secret reflection title")
    response = client.get(_url(asked))

    assert response.status_code == 200
    page = response.content.decode()
    assert "The weekend rota pilot" in page
    for criterion in asked.criteria.all():
        assert criterion.code in page
        assert criterion.text in page
    assert "Secret reflection title" not in page
    assert f"/portfolios/{portfolio.pk}/" not in page
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_signing_through_the_page(client, asked):
    response = client.post(_url(asked), _post_data())

    assert response.status_code == 200
    assert "Thank you, Joanne Patel" in response.content.decode()
    evidence = Evidence.objects.get(kind=Evidence.Kind.WITNESS)
    asked.refresh_from_db()
    assert asked.signed_name == "Joanne Patel"
    assert asked.signed_job_title == "Customer Contact Manager"
    assert evidence.mappings.first().note == "Witness: Joanne Patel, Customer Contact Manager"
    assert evidence.occurred_on == timezone.localdate() - timedelta(days=3)


@pytest.mark.parametrize(
    ("reason", "status", "text"),
    [
        ("used", 410, "already been given"),
        ("withdrawn", 410, "withdrawn"),
        ("expired", 410, "expired"),
        ("invalid", 400, "not valid"),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_refused_links_get_a_clear_page_and_create_nothing(
    client, asked, learner, reason, status, text, method
):
    url = _url(asked)
    if reason == "used":
        _sign(asked)
    elif reason == "withdrawn":
        witness.withdraw_witness_request(witness_request=asked, actor=learner)
    elif reason == "expired":
        WitnessRequest.objects.filter(pk=asked.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        url = url.replace(url[-6:-1], "xxxxx")
    before = Evidence.objects.count()

    response = getattr(client, method)(url, _post_data() if method == "post" else None)

    assert response.status_code == status
    assert text in response.content.decode()
    assert "Nothing has been recorded" in response.content.decode()
    assert Evidence.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"testimony": ""}, "the testimony cannot be empty"),
        ({"testimony": "   "}, "the testimony cannot be empty"),
        ({"testimony": "Too short."}, "at least"),
        ({"testimony": "x" * (witness.TESTIMONY_MAX_LENGTH + 1)}, "at most"),
        ({"signature": "Someone Else"}, "Type your full name exactly"),
        ({"confirm": ""}, "Tick the box"),
        ({"seen_from": "2999-01-01"}, "cannot be in the future"),
        ({"seen_to": "2000-01-01"}, "cannot be before the first"),
    ],
)
def test_bad_testimony_is_refused_and_stores_nothing(client, asked, overrides, error):
    response = client.post(_url(asked), _post_data(**overrides))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Evidence.objects.exists()
    asked.refresh_from_db()
    assert asked.status == "pending"
    assert not asked.testimony


# --- The learner's and assessor's pages ------------------------------------------------------


def _request_post(criteria_pks):
    return {
        "name": "Jo Patel",
        "job_title": "Manager",
        "relationship": "Line manager",
        "organisation": "Fernleaf",
        "email": "jo@example.org",
        "activity": "The rota pilot",
        "criteria": criteria_pks,
    }


def test_the_learner_asks_a_witness(
    client, learner, portfolio, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(learner)
    criterion = portfolio.cohort.frameworks.get().criteria.first()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evidence:witness_new", args=[portfolio.pk]), _request_post([criterion.pk])
        )

    assert response.status_code == 302
    assert WitnessRequest.objects.get().criteria.get() == criterion
    assert len(mailoutbox) == 1


def test_criteria_not_in_the_cohort_are_refused_by_the_form(client, learner, portfolio):
    client.force_login(learner)
    stranger = CriterionFactory()

    response = client.post(reverse("evidence:witness_new", args=[portfolio.pk]), _request_post([stranger.pk]))

    assert response.status_code == 200
    assert "Choose criteria of this portfolio" in response.content.decode()
    assert not WitnessRequest.objects.exists()


def test_no_criterion_is_refused(client, learner, portfolio):
    client.force_login(learner)

    response = client.post(reverse("evidence:witness_new", args=[portfolio.pk]), _request_post([]))

    assert "Choose at least one criterion" in response.content.decode()
    assert not WitnessRequest.objects.exists()


def test_another_portfolios_request_gives_404(client, asked, other_learner):
    other_portfolio = other_learner.portfolios.get()
    client.force_login(other_learner)

    url = reverse("evidence:witness_withdraw", args=[other_portfolio.pk, asked.pk])
    assert client.post(url).status_code == 404
    asked.refresh_from_db()
    assert asked.status == "pending"


def test_the_evidence_page_shows_the_provenance_and_the_assessor_records_the_check(client, asked, assessor):
    evidence = _sign(asked)
    client.force_login(assessor)
    detail = reverse("evidence:detail", args=[evidence.portfolio_id, evidence.pk])

    page = client.get(detail).content.decode()
    assert asked.refresh_from_db() or asked.digest in page
    assert "✓ matches" in page
    assert "Not checked yet" in page
    assert "Record your check" in page

    check = reverse("evidence:witness_check", args=[evidence.portfolio_id, asked.pk])
    future = client.post(check, {"method": "phone", "checked_on": "2999-01-01"})
    assert "cannot be in the future" in future.content.decode()
    response = client.post(
        check, {"method": "phone", "checked_on": timezone.localdate().isoformat(), "note": "Rang Jo."}
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "By phone on" in page
    assert "Rang Jo." in page


def test_a_signed_testimony_cannot_be_edited(client, asked, learner):
    evidence = _sign(asked)
    client.force_login(learner)

    assert client.get(reverse("evidence:edit", args=[evidence.portfolio_id, evidence.pk])).status_code == 404


def test_the_list_costs_a_fixed_number_of_queries(client, portfolio, learner, django_assert_max_num_queries):
    criteria = list(portfolio.cohort.frameworks.get().criteria.all())
    for index in range(5):
        witness.request_witness(
            portfolio=portfolio,
            actor=learner,
            name=f"W{index}",
            job_title="J",
            relationship="R",
            organisation="O",
            email=f"w{index}@example.org",
            activity="A",
            criteria=criteria,
        )
    client.force_login(learner)
    # session, user, portfolio, requests, their criteria with frameworks, + the page's own
    with django_assert_max_num_queries(12):
        response = client.get(reverse("evidence:witness_list", args=[portfolio.pk]))
    assert response.content.decode().count("Withdraw") == 5


def test_the_snapshot_and_the_pdf_index_carry_the_testimony(asked, assessor, portfolio):
    _sign(asked)
    asked.refresh_from_db()
    witness.record_witness_check(
        witness_request=asked, actor=assessor, method="email", checked_on=timezone.localdate(), note=""
    )
    snapshot = evidence_snapshot(portfolio)
    row = next(item for item in snapshot["items"] if item["kind"] == "witness")
    assert row["witness"]["digest"] == asked.digest
    assert row["witness"]["check"]["method"] == "By e-mail"
    assert CriterionMapping.objects.filter(evidence_id=row["id"]).count() == len(row["mappings"])

    entry = evidence_entries({"parts": {"evidence": snapshot}})[0]
    provenance = dict(entry.provenance)
    assert provenance["SHA-256 of the signed content"] == asked.digest
    assert provenance["Checked by the assessor"].startswith("By e-mail on")
    assert "weekend rota" in entry.body_html


def test_a_check_dated_before_the_signature_is_refused(asked, assessor):
    _sign(asked)
    asked.refresh_from_db()
    with pytest.raises(witness.WitnessError, match="before the witness signed"):
        witness.record_witness_check(
            witness_request=asked,
            actor=assessor,
            method="phone",
            checked_on=timezone.localdate() - timedelta(days=1),
            note="",
        )
    asked.refresh_from_db()
    assert asked.checked_by is None


# --- The testimony as a submitted version keeps it ------------------------------------------


def test_the_version_page_and_the_workspace_show_who_signed_and_the_assessors_check(
    client, asked, assessor, learner, portfolio
):
    _sign(asked)
    asked.refresh_from_db()
    witness.record_witness_check(
        witness_request=asked,
        actor=assessor,
        method="phone",
        checked_on=timezone.localdate(),
        note="Rang her on the switchboard.",
    )
    version = submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    criterion = asked.criteria.order_by("order").first()
    client.force_login(assessor)
    checked = f"by phone on {timezone.localdate():%-d %B %Y} by {assessor.display_name}: Rang her"
    for url in (
        reverse("portfolio:version_detail", args=[portfolio.pk, version.number]),
        reverse("portfolio:workspace_panel", args=[portfolio.pk, version.number, criterion.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Signed by Jo Patel</strong>, Contact Manager, Fernleaf Home (line manager)" in page
        assert checked in page
        assert "Learner’s note:</strong> Witness:" not in page  # the learner wrote no note


def test_an_unchecked_witness_says_so_in_the_workspace(client, asked, assessor, learner, portfolio):
    _sign(asked)
    version = submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    criterion = asked.criteria.order_by("order").first()
    client.force_login(assessor)
    page = client.get(
        reverse("portfolio:workspace_panel", args=[portfolio.pk, version.number, criterion.pk])
    ).content.decode()
    assert "Not checked by the assessor." in page
    assert "Checked by the assessor:" not in page
