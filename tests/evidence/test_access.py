"""Every evidence URL walked by every persona, with the learner's own evidence and another's.

Readers (assessor, tutor, quality assurer) see the learner's evidence but cannot change
it (403); anyone with no role over the portfolio, and any id from another portfolio,
gets 404, for viewing, downloading, editing, mapping and deleting alike.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from evidence import witness
from evidence.files import check_upload
from evidence.models import Evidence
from tests.conftest import finish
from tests.evidence.factories import (
    FileEvidenceFactory,
    MappingFactory,
    knowledge_criterion,
    make_discussion,
    make_observation,
    make_questioning,
    png_bytes,
)

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "learner",
    "other_learner",
    "assessor",
    "other_assessor",
    "tutor",
    "iqa",
    "outsider",
    "staff",
]


@pytest.fixture
def world(learner, other_learner, assessor, other_assessor, tutor, iqa, outsider, staff):
    portfolio = learner.portfolios.get()
    other_portfolio = other_learner.portfolios.get()
    evidence = FileEvidenceFactory(portfolio=portfolio)
    criterion = portfolio.cohort.frameworks.get().criteria.first()
    MappingFactory(evidence=evidence, criterion=criterion)
    asked = witness.request_witness(
        portfolio=portfolio,
        actor=learner,
        name="Jo Patel",
        job_title="Manager",
        relationship="Line manager",
        organisation="Fernleaf",
        email="jo@example.org",
        activity="The rota pilot",
        criteria=[criterion],
    )
    signed = witness.request_witness(
        portfolio=portfolio,
        actor=learner,
        name="Sam Lee",
        job_title="Colleague",
        relationship="Colleague",
        organisation="Fernleaf",
        email="sam@example.org",
        activity="The rota pilot",
        criteria=[criterion],
    )
    witness.submit_testimony(
        witness_request=signed,
        testimony="I saw the learner brief the team on the weekend rota on Monday.",
        seen_from=timezone.localdate(),
        seen_to=None,
        name="Sam Lee",
        job_title="Colleague",
        organisation="Fernleaf",
        relationship="Colleague",
        signature="Sam Lee",
    )
    return {
        "people": {
            "learner": learner,
            "other_learner": other_learner,
            "assessor": assessor,
            "other_assessor": other_assessor,
            "tutor": tutor,
            "iqa": iqa,
            "outsider": outsider,
            "staff": staff,
        },
        "portfolio": portfolio,
        "other_portfolio": other_portfolio,
        "evidence": evidence,
        "foreign_evidence": FileEvidenceFactory(portfolio=other_portfolio),
        "criterion": criterion,
        "witness_request": asked,
        "witness_token": witness.witness_token(asked),
        "signed_request": signed,
        "observation": make_observation(
            portfolio, [criterion], uploads=[check_upload("pitch.png", png_bytes())]
        ),
        "discussion": make_discussion(portfolio, [criterion]),
        "questioning": make_questioning(portfolio, [knowledge_criterion(portfolio)]),
    }


READ = {
    "anonymous": 302,
    "learner": 200,
    "other_learner": 404,
    "assessor": 200,
    "other_assessor": 404,
    "tutor": 200,
    "iqa": 200,
    "outsider": 404,
    "staff": 200,
}
WRITE_PAGE = {**READ, "assessor": 403, "tutor": 403, "iqa": 403, "staff": 403}
WRITE_POST = {**WRITE_PAGE, "learner": 302}
# The learner and their assessor ask witnesses; only the assessor records a check of one.
WITNESS_ASK_PAGE = {**WRITE_PAGE, "assessor": 200}
WITNESS_CHECK_PAGE = {**WITNESS_ASK_PAGE, "learner": 403}
PUBLIC = dict.fromkeys(PERSONAS, 200)
# The assessor's records: only the portfolio's own assessor writes them.
ASSESSOR_PAGE = {**READ, "learner": 403, "tutor": 403, "iqa": 403, "staff": 403}


def _observation(w):
    return {"portfolio_pk": w["portfolio"].pk, "pk": w["observation"].pk}


def _discussion(w):
    return {"portfolio_pk": w["portfolio"].pk, "pk": w["discussion"].pk}


def _questioning(w):
    return {"portfolio_pk": w["portfolio"].pk, "pk": w["questioning"].pk}


# (url name, kwargs builder, method, expected per persona)
MATRIX = [
    ("evidence:list", lambda w: {"portfolio_pk": w["portfolio"].pk}, "get", READ),
    ("evidence:coverage", lambda w: {"portfolio_pk": w["portfolio"].pk}, "get", READ),
    ("evidence:detail", lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["evidence"].pk}, "get", READ),
    ("evidence:file", lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["evidence"].pk}, "get", READ),
    ("evidence:mappings", lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["evidence"].pk}, "get", READ),
    (
        "evidence:mappings",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["evidence"].pk},
        "post",
        WRITE_POST,
    ),
    (
        "evidence:criterion",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "criterion_pk": w["criterion"].pk},
        "get",
        READ,
    ),
    (
        "evidence:criterion",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "criterion_pk": w["criterion"].pk},
        "post",
        WRITE_POST,
    ),
    ("evidence:observation_add", lambda w: {"portfolio_pk": w["portfolio"].pk}, "get", ASSESSOR_PAGE),
    (
        "evidence:observation_add",
        lambda w: {"portfolio_pk": w["portfolio"].pk},
        "post",
        {**ASSESSOR_PAGE, "assessor": 400},  # nothing posted: the form says what is missing
    ),
    ("evidence:observation_edit", _observation, "get", ASSESSOR_PAGE),
    ("evidence:observation_edit", _observation, "post", {**ASSESSOR_PAGE, "assessor": 400}),
    ("evidence:detail", _observation, "get", READ),
    ("evidence:discussion_add", lambda w: {"portfolio_pk": w["portfolio"].pk}, "get", ASSESSOR_PAGE),
    (
        "evidence:discussion_add",
        lambda w: {"portfolio_pk": w["portfolio"].pk},
        "post",
        {**ASSESSOR_PAGE, "assessor": 400},
    ),
    ("evidence:discussion_edit", _discussion, "get", ASSESSOR_PAGE),
    ("evidence:discussion_edit", _discussion, "post", {**ASSESSOR_PAGE, "assessor": 400}),
    ("evidence:detail", _discussion, "get", READ),
    ("evidence:questioning_add", lambda w: {"portfolio_pk": w["portfolio"].pk}, "get", ASSESSOR_PAGE),
    (
        "evidence:questioning_add",
        lambda w: {"portfolio_pk": w["portfolio"].pk},
        "post",
        {**ASSESSOR_PAGE, "assessor": 400},
    ),
    ("evidence:questioning_edit", _questioning, "get", ASSESSOR_PAGE),
    ("evidence:questioning_edit", _questioning, "post", {**ASSESSOR_PAGE, "assessor": 400}),
    ("evidence:detail", _questioning, "get", READ),
    # Only the learner answers questions asked online (nothing posted: the page says why).
    ("evidence:questioning_answer", _questioning, "get", WRITE_PAGE),
    ("evidence:questioning_answer", _questioning, "post", {**WRITE_PAGE, "learner": 400}),
    ("evidence:record_confirm", _discussion, "post", WRITE_POST),
    ("evidence:edit", _discussion, "get", {**WRITE_PAGE, "learner": 404}),
    ("evidence:delete", _questioning, "post", {**WRITE_POST, "learner": 404}),
    (
        "evidence:record_attachment",
        lambda w: {**_observation(w), "attachment_pk": w["observation"].attachments.get().pk},
        "get",
        READ,
    ),
    # The learner confirms (nothing posted: a message says a comment is needed); no one else.
    ("evidence:record_confirm", _observation, "post", WRITE_POST),
    # The learner's own pages do not reach the assessor's record; its criteria and notes are
    # on its own page, so the picker of an item's mappings is not offered for it to anyone.
    ("evidence:edit", _observation, "get", {**WRITE_PAGE, "learner": 404}),
    ("evidence:delete", _observation, "post", {**WRITE_POST, "learner": 404}),
    (
        "evidence:mappings",
        _observation,
        "get",
        {**READ, "learner": 404, "assessor": 404, "tutor": 404, "iqa": 404, "staff": 404},
    ),
    ("evidence:add", lambda w: {"portfolio_pk": w["portfolio"].pk, "kind": "reflection"}, "get", WRITE_PAGE),
    (
        "evidence:edit",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["evidence"].pk},
        "get",
        WRITE_PAGE,
    ),
    (
        "evidence:delete",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["evidence"].pk},
        "get",
        WRITE_PAGE,
    ),
    (
        "evidence:delete",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["evidence"].pk},
        "post",
        WRITE_POST,
    ),
    (
        "evidence:mapping_add",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["evidence"].pk},
        "post",
        {**WRITE_POST, "learner": 404},  # no criterion posted: nothing to add
    ),
    (
        "evidence:privacy_panel",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["evidence"].pk},
        "get",
        READ,
    ),
    *[
        (name, lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["evidence"].pk}, "post", WRITE_POST)
        for name in (
            "evidence:privacy_scan",
            "evidence:privacy_not_personal",
            "evidence:redaction_prepare",
            "evidence:redaction_confirm",
            "evidence:redaction_discard",
        )
    ],
    ("evidence:witness_list", lambda w: {"portfolio_pk": w["portfolio"].pk}, "get", READ),
    ("evidence:witness_new", lambda w: {"portfolio_pk": w["portfolio"].pk}, "get", WITNESS_ASK_PAGE),
    (
        "evidence:witness_new",
        lambda w: {"portfolio_pk": w["portfolio"].pk},
        "post",
        WITNESS_ASK_PAGE,  # nothing posted: the form again
    ),
    (
        "evidence:witness_withdraw",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["witness_request"].pk},
        "post",
        {**WITNESS_ASK_PAGE, "learner": 302, "assessor": 302},
    ),
    (
        "evidence:witness_check",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["signed_request"].pk},
        "get",
        WITNESS_CHECK_PAGE,
    ),
    (
        "evidence:witness_check",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["signed_request"].pk},
        "post",
        WITNESS_CHECK_PAGE,  # nothing posted: the form again
    ),
    # Public: the token is the credential, whoever opens it (signed in or not).
    ("evidence:witness_testify", lambda w: {"token": w["witness_token"]}, "get", PUBLIC),
    (
        "evidence:redaction_preview",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "pk": w["evidence"].pk},
        "get",
        {**WRITE_PAGE, "learner": 404},  # no redacted copy waiting
    ),
]


def _ask(client, world, persona, name, kwargs, method):
    if persona != "anonymous":
        client.force_login(world["people"][persona])
    response = getattr(client, method)(reverse(name, kwargs=kwargs(world)))
    finish(response)  # read streamed files to the end so they are closed
    return response


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "kwargs", "method", "expected"), MATRIX, ids=[f"{row[0]}-{row[2]}" for row in MATRIX]
)
def test_it_checks_who_is_asking(client, world, persona, name, kwargs, method, expected):
    response = _ask(client, world, persona, name, kwargs, method)

    assert response.status_code == expected[persona]


ITEM_URLS = [
    "evidence:detail",
    "evidence:file",
    "evidence:mappings",
    "evidence:edit",
    "evidence:delete",
    "evidence:privacy_panel",
    "evidence:privacy_not_personal",
    "evidence:redaction_prepare",
    "evidence:redaction_preview",
    "evidence:redaction_confirm",
    "evidence:record_confirm",
]


@pytest.mark.parametrize("name", ITEM_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_learners_evidence_id_gives_404_even_under_my_portfolio(client, world, name, method):
    client.force_login(world["people"]["learner"])
    url = reverse(name, kwargs={"portfolio_pk": world["portfolio"].pk, "pk": world["foreign_evidence"].pk})

    response = getattr(client, method)(url)
    finish(response)  # read streamed files to the end so they are closed

    assert response.status_code in (404, 405)
    assert Evidence.objects.filter(pk=world["foreign_evidence"].pk).exists()


def test_mapping_a_criterion_of_another_cohort_gives_404(client, world):
    from tests.factories import CriterionFactory

    client.force_login(world["people"]["learner"])
    stranger = CriterionFactory()
    url = reverse(
        "evidence:criterion", kwargs={"portfolio_pk": world["portfolio"].pk, "criterion_pk": stranger.pk}
    )

    assert client.get(url).status_code == 404


def test_the_matrix_covers_every_evidence_url():
    covered = {row[0].split(":")[1] for row in MATRIX}
    names = {name for name in get_resolver("evidence.urls").reverse_dict if isinstance(name, str)}
    assert names - covered == set()
