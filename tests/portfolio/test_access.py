"""Every URL pattern with an id, walked by every persona.

404 for anyone with no role over the object (missing and not-yours look the same);
403 for members whose role does not allow the page; 200/302 for those it is for.

External quality assurers in three states: ``eqa`` holds a live grant of the learner's
portfolio, ``eqa_ended`` held one that has ended (403 with the date, on the pages of
versions), ``eqa_ungranted`` holds a live grant of another learner only.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from core.models import FormDraft

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
    "eqa",
    "eqa_ended",
    "eqa_ungranted",
]
EQAS = ("eqa", "eqa_ended", "eqa_ungranted")


@pytest.fixture
def world(learner, other_learner, assessor, other_assessor, tutor, iqa, outsider, cohort):
    from assessment.services import submit_portfolio
    from tests.evidence.factories import FileEvidenceFactory, make_observation
    from tests.factories import EqaFactory, EqaGrantFactory
    from tests.portfolio.factories import ExportFactory

    portfolio = learner.portfolios.get()
    FileEvidenceFactory(portfolio=portfolio)
    # An assessor's record in the version: its pages, workspace and PDF show it to every reader.
    make_observation(portfolio, [portfolio.cohort.frameworks.get().criteria.first()])
    version = submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    export = ExportFactory(portfolio=portfolio, version=version, requested_by=learner, done=True)
    eqas = {name: EqaFactory(username=name) for name in EQAS}
    grant = EqaGrantFactory(cohort=cohort, eqa=eqas["eqa"], portfolios=[portfolio])
    long_ago = timezone.now() - timedelta(days=40)
    EqaGrantFactory(
        cohort=cohort,
        eqa=eqas["eqa_ended"],
        portfolios=[portfolio],
        starts_at=long_ago,
        ends_at=long_ago + timedelta(days=30),
    )
    EqaGrantFactory(cohort=cohort, eqa=eqas["eqa_ungranted"], portfolios=[other_learner.portfolios.get()])
    draft = FormDraft.objects.create(
        owner=learner, scope=f"portfolio/{portfolio.pk}/strategy.vision", path="/", updated_at=timezone.now()
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
            **eqas,
        },
        "grant": grant,
        "cohort": cohort,
        "portfolio": portfolio,
        "version": version,
        "file": version.files.get(),
        "criterion": portfolio.cohort.frameworks.get().criteria.first(),
        "export": export,
        "draft": draft,
    }


# Everyone with a role over the learner may read the portfolio; nobody else learns it exists.
READERS = {
    "anonymous": 302,
    "learner": 200,
    "other_learner": 404,
    "assessor": 200,
    "other_assessor": 404,
    "tutor": 200,
    "iqa": 200,
    "outsider": 404,
}
SENT_ON = {"learner": 302, "assessor": 302, "tutor": 302, "iqa": 302}

# (url name, kwargs builder, method, expected status per persona)
MATRIX = [
    (
        "portfolio:portfolio_detail",
        lambda w: {"pk": w["portfolio"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 404,
            "assessor": 200,
            "other_assessor": 404,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:readiness",
        lambda w: {"portfolio_pk": w["portfolio"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 404,
            "assessor": 200,
            "other_assessor": 404,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:readiness_step",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "key": "audit.gaps"},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 404,
            "assessor": 200,
            "other_assessor": 404,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:cohort_detail",
        lambda w: {"pk": w["cohort"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:cohort_dashboard",
        lambda w: {"pk": w["cohort"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:cohort_progress",
        lambda w: {"pk": w["cohort"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:cohort_export_csv",
        lambda w: {"pk": w["cohort"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:cohort_export_xlsx",
        lambda w: {"pk": w["cohort"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:cohort_criteria",
        lambda w: {"pk": w["cohort"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 200,
            "assessor": 200,
            "other_assessor": 200,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:cohort_invite",
        lambda w: {"pk": w["cohort"].pk},
        "post",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 302,
            "iqa": 403,
            "outsider": 404,
        },
    ),
    (
        "portfolio:assign_assessor",
        lambda w: {"pk": w["cohort"].pk, "portfolio_pk": w["portfolio"].pk},
        "post",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 302,
            "iqa": 403,
            "outsider": 404,
        },
    ),
    (
        "portfolio:invitation_revoke",
        lambda w: {"pk": w["cohort"].pk, "invitation_pk": 999999},
        "post",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 404,
            "iqa": 403,
            "outsider": 404,
        },
    ),
    (
        "portfolio:learner_home",
        lambda w: {},
        "get",
        {
            "anonymous": 302,
            "learner": 302,
            "other_learner": 302,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 403,
            "iqa": 403,
            "outsider": 403,
        },
    ),
    (
        "portfolio:assessor_home",
        lambda w: {},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 200,
            "other_assessor": 200,
            "tutor": 403,
            "iqa": 403,
            "outsider": 403,
        },
    ),
    (
        "portfolio:tutor_home",
        lambda w: {},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 200,
            "iqa": 403,
            "outsider": 200,
        },
    ),
    (
        "portfolio:cohort_create",
        lambda w: {},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 200,
            "iqa": 403,
            "outsider": 200,
        },
    ),
    (
        "portfolio:cohort_edit",
        lambda w: {"pk": w["cohort"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 200,
            "iqa": 403,
            "outsider": 404,
        },
    ),
    (
        "portfolio:iqa_home",
        lambda w: {},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 403,
            "iqa": 200,
            "outsider": 403,
        },
    ),
    (
        "portfolio:submit",
        lambda w: {"portfolio_pk": w["portfolio"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 404,
            "assessor": 403,
            "other_assessor": 404,
            "tutor": 403,
            "iqa": 403,
            "outsider": 404,
        },
    ),
    (
        "portfolio:versions",
        lambda w: {"portfolio_pk": w["portfolio"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 404,
            "assessor": 200,
            "other_assessor": 404,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:version_detail",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "number": 1},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 404,
            "assessor": 200,
            "other_assessor": 404,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:criterion_thread",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "number": 1, "criterion_pk": w["criterion"].pk},
        "get",
        READERS,
    ),
    # An empty message: refused (400) for those who take part, 403 for the tutor who reads.
    (
        "portfolio:evidence_thread",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "number": 1, "evidence_id": w["file"].evidence_id},
        "post",
        {
            "anonymous": 302,
            "learner": 400,
            "other_learner": 404,
            "assessor": 400,
            "other_assessor": 404,
            "tutor": 403,
            "iqa": 400,
            "outsider": 404,
        },
    ),
    # Only the assessor and quality assurance annotate (an empty annotation: refused, 400).
    (
        "portfolio:annotate_evidence",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "number": 1, "evidence_id": w["file"].evidence_id},
        "post",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 404,
            "assessor": 400,
            "other_assessor": 404,
            "tutor": 403,
            "iqa": 400,
            "outsider": 404,
        },
    ),
    (
        "portfolio:version_changes",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "number": 1},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 404,
            "assessor": 200,
            "other_assessor": 404,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:version_file",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "number": 1, "file_pk": w["file"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 404,
            "assessor": 200,
            "other_assessor": 404,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    (
        "portfolio:decide",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "number": 1, "criterion_pk": w["criterion"].pk},
        "post",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 404,
            "assessor": 400,  # let in, and the empty form is drawn again with its error
            "other_assessor": 404,
            "tutor": 403,
            "iqa": 403,
            "outsider": 404,
        },
    ),
    (
        "portfolio:close_version",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "number": 1},
        "post",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 404,
            "assessor": 302,
            "other_assessor": 404,
            "tutor": 403,
            "iqa": 403,
            "outsider": 404,
        },
    ),
    (
        "portfolio:trail",
        lambda w: {"portfolio_pk": w["portfolio"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 404,
            "assessor": 200,
            "other_assessor": 404,
            "tutor": 200,
            "iqa": 200,
            "outsider": 404,
        },
    ),
    ("portfolio:exports", lambda w: {"portfolio_pk": w["portfolio"].pk}, "get", READERS),
    # Readers are sent on to the new job's page; the job stays queued (nothing commits here).
    (
        "portfolio:export_request",
        lambda w: {"portfolio_pk": w["portfolio"].pk},
        "post",
        {**READERS, **SENT_ON},
    ),
    (
        "portfolio:export_status",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "export_pk": w["export"].pk},
        "get",
        READERS,
    ),
    (
        "portfolio:export_download",
        lambda w: {"portfolio_pk": w["portfolio"].pk, "export_pk": w["export"].pk},
        "get",
        READERS,
    ),
    (
        "portfolio:review_queue",
        lambda w: {},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 200,
            "other_assessor": 200,
            "tutor": 403,
            "iqa": 403,
            "outsider": 403,
        },
    ),
    (
        "portfolio:qa_actions",
        lambda w: {},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 200,
            "other_assessor": 200,
            "tutor": 403,
            "iqa": 403,
            "outsider": 403,
        },
    ),
    (
        "portfolio:qa_answer",
        lambda w: {"sample_pk": 999999},
        "post",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 404,
            "other_assessor": 404,
            "tutor": 403,
            "iqa": 403,
            "outsider": 403,
        },
    ),
    (
        "portfolio:qa_sampling",
        lambda w: {},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 403,
            "iqa": 200,
            "outsider": 403,
        },
    ),
    (
        "portfolio:qa_finding",
        lambda w: {"sample_pk": 999999},
        "post",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 403,
            "iqa": 404,
            "outsider": 403,
        },
    ),
    (
        "portfolio:notifications",
        lambda w: {},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 200,
            "assessor": 200,
            "other_assessor": 200,
            "tutor": 200,
            "iqa": 200,
            "outsider": 200,
        },
    ),
    (
        "portfolio:notifications_count",
        lambda w: {},
        "get",
        {
            "anonymous": 302,
            "learner": 200,
            "other_learner": 200,
            "assessor": 200,
            "other_assessor": 200,
            "tutor": 200,
            "iqa": 200,
            "outsider": 200,
        },
    ),
    *[
        (
            f"portfolio:{name}",
            lambda w: {},
            "post",
            dict.fromkeys(PERSONAS, 302),
        )
        for name in ("tour_done", "tour_again")
    ],
    (
        # A draft is its owner's alone: everyone else, staff included, learns nothing of it.
        "portfolio:draft_discard",
        lambda w: {"pk": w["draft"].pk},
        "post",
        {
            "anonymous": 302,
            "learner": 302,
            "other_learner": 404,
            "assessor": 404,
            "other_assessor": 404,
            "tutor": 404,
            "iqa": 404,
            "outsider": 404,
        },
    ),
    (
        # Writing a draft needs the key signed for its person, not the session (drafts.py);
        # without one, nobody may write.
        "portfolio:draft_save",
        lambda w: {},
        "post",
        dict.fromkeys(PERSONAS, 400),
    ),
    (
        "portfolio:notifications_read",
        lambda w: {},
        "post",
        {
            "anonymous": 302,
            "learner": 302,
            "other_learner": 302,
            "assessor": 302,
            "other_assessor": 302,
            "tutor": 302,
            "iqa": 302,
            "outsider": 302,
        },
    ),
]

# An external quality assurer reads the pages of submitted versions while a grant lasts; the
# gate gives "access ended" (403) once it has ended, and 404 to one never granted the learner.
MODERATED = dict(eqa=200, eqa_ended=403, eqa_ungranted=404)
EQA_COLUMNS = {
    **dict.fromkeys(
        [
            "portfolio:versions",
            "portfolio:version_detail",
            "portfolio:version_changes",
            "portfolio:version_file",
            "portfolio:trail",
            "portfolio:exports",
            "portfolio:export_status",
            "portfolio:export_download",
        ],
        MODERATED,
    ),
    # The matrix asks for the working copy, which an assurer never sees (a version: test_eqa.py).
    "portfolio:export_request": {**MODERATED, "eqa": 403},
    # Let through the gate, then refused: only the assigned assessor decides.
    "portfolio:decide": {**MODERATED, "eqa": 403},
    "portfolio:close_version": {**MODERATED, "eqa": 403},
    # Pages of a role: the assurer's role is none of these.
    "portfolio:tutor_home": dict.fromkeys(EQAS, 403),
    "portfolio:cohort_create": dict.fromkeys(EQAS, 403),
}

MATRIX += [
    (
        "portfolio:eqa_grants",
        lambda w: {"pk": w["cohort"].pk},
        "get",
        {
            "anonymous": 302,
            "learner": 403,
            "other_learner": 403,
            "assessor": 403,
            "other_assessor": 403,
            "tutor": 200,
            "iqa": 403,
            "outsider": 404,
            **dict.fromkeys(EQAS, 404),
        },
    ),
    *[
        (
            name,
            lambda w: {"pk": w["cohort"].pk, "grant_pk": w["grant"].pk},
            method,
            {
                "anonymous": 302,
                "learner": 403,
                "other_learner": 403,
                "assessor": 403,
                "other_assessor": 403,
                "tutor": ok,
                "iqa": 403,
                "outsider": 404,
                **dict.fromkeys(EQAS, 404),
            },
        )
        for name, method, ok in [
            ("portfolio:eqa_grant_manage", "get", 200),
            ("portfolio:eqa_grant_end", "post", 302),
        ]
    ],
    (
        "portfolio:eqa_home",
        lambda w: {},
        "get",
        {**dict.fromkeys(PERSONAS, 403), "anonymous": 302, **dict.fromkeys(EQAS, 200)},
    ),
    (
        # Only the grant's own assurer; an ended grant of one's own is tested in test_eqa.py.
        "portfolio:eqa_grant",
        lambda w: {"grant_pk": w["grant"].pk},
        "get",
        {**dict.fromkeys(PERSONAS, 403), "anonymous": 302, **dict.fromkeys(EQAS, 404), "eqa": 200},
    ),
    (
        "portfolio:eqa_finding",
        lambda w: {"grant_pk": w["grant"].pk},
        "post",
        # let in, and the empty form is drawn again with its error
        {**dict.fromkeys(PERSONAS, 403), "anonymous": 302, **dict.fromkeys(EQAS, 404), "eqa": 400},
    ),
]
# The assurers' columns of every other page: what an outsider gets (they have no role over
# anything but their grant), unless listed above.
MATRIX = [
    (
        name,
        kwargs,
        method,
        {**{p: expected["outsider"] for p in EQAS}, **EQA_COLUMNS.get(name, {}), **expected},
    )
    for name, kwargs, method, expected in MATRIX
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "method", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_it_checks_who_is_asking(client, world, persona, name, kwargs, method, expected):
    if persona != "anonymous":
        client.force_login(world["people"][persona])

    response = getattr(client, method)(reverse(name, kwargs=kwargs(world)))
    response.close()  # a file response holds its file open until closed

    assert response.status_code == expected[persona]


def test_the_matrix_covers_every_url_with_an_id_or_a_role():
    """A new page must be added to the matrix above (public pages are listed here)."""
    public = {"home", "invitation_accept", "eqa_accept", "plotly_css"}
    covered = {row[0].split(":")[1] for row in MATRIX}
    names = {name for name in get_resolver("core.urls").reverse_dict if isinstance(name, str)}
    assert names - covered - public == set()


def test_a_learner_cannot_move_themselves_to_another_assessor(client, learner, other_assessor, cohort):
    portfolio = learner.portfolios.get()
    client.force_login(learner)

    response = client.post(
        reverse("portfolio:assign_assessor", args=[cohort.pk, portfolio.pk]), {"assessor": other_assessor.pk}
    )

    assert response.status_code == 403
    portfolio.refresh_from_db()
    assert portfolio.assessor != other_assessor
