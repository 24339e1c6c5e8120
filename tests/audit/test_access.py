"""Every audit URL walked by every persona: 404 to strangers, 403 to readers who try to write."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from audit.models import ChunkedUpload
from audit.steps import STEPS
from tests.audit.factories import ServiceDataImportFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "learner", "other_learner", "assessor", "other_assessor", "tutor", "iqa", "outsider"]
READ = {
    "anonymous": 302,
    "learner": 200,
    "other_learner": 404,
    "assessor": 200,
    "other_assessor": 404,
    "tutor": 200,
    "iqa": 200,
    "outsider": 404,
}


def write(owner_status: int) -> dict[str, int]:
    return {**READ, "learner": owner_status, "assessor": 403, "tutor": 403, "iqa": 403}


@pytest.fixture
def world(learner, other_learner, assessor, other_assessor, tutor, iqa, outsider):
    portfolio = learner.portfolios.get()
    return {
        "people": {
            "learner": learner,
            "other_learner": other_learner,
            "assessor": assessor,
            "other_assessor": other_assessor,
            "tutor": tutor,
            "iqa": iqa,
            "outsider": outsider,
        },
        "portfolio": portfolio,
        "import": ServiceDataImportFactory(portfolio=portfolio),
        "upload": ChunkedUpload.objects.create(
            portfolio=portfolio, owner=learner, file_name="d.csv", size=10
        ),
    }


def portfolio_kwargs(w):
    return {"portfolio_pk": w["portfolio"].pk}


def upload_kwargs(w):
    return {"portfolio_pk": w["portfolio"].pk, "upload_id": w["upload"].pk}


def import_kwargs(w):
    return {"portfolio_pk": w["portfolio"].pk, "import_pk": w["import"].pk}


MATRIX = [
    *[(f"audit:{step.slug}", portfolio_kwargs, "get", READ) for step in STEPS],
    *[(f"audit:{step.slug}", portfolio_kwargs, "post", write(302)) for step in STEPS],
    ("audit:data", portfolio_kwargs, "get", READ),
    ("audit:data_upload", portfolio_kwargs, "post", write(400)),
    # Resumable uploads: the learner's own only (another's upload id is missing to anyone else).
    ("audit:data_upload_start", portfolio_kwargs, "post", write(400)),
    ("audit:data_upload_chunk", upload_kwargs, "get", write(200)),
    ("audit:data_upload_chunk", upload_kwargs, "post", write(400)),
    ("audit:data_upload_finish", upload_kwargs, "post", write(400)),
    ("audit:data_map", import_kwargs, "get", READ),
    ("audit:data_map", import_kwargs, "post", write(400)),
    ("audit:data_preview", import_kwargs, "get", READ),
    ("audit:data_import", import_kwargs, "post", write(302)),
    ("audit:data_status", import_kwargs, "get", READ),
    ("audit:data_delete", import_kwargs, "post", write(302)),
    ("audit:kpis", portfolio_kwargs, "get", READ),
    ("audit:kpis", portfolio_kwargs, "post", write(302)),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "kwargs", "method", "expected"), MATRIX, ids=[f"{row[0]}-{row[2]}" for row in MATRIX]
)
def test_it_checks_who_is_asking(client, world, persona, name, kwargs, method, expected):
    if persona != "anonymous":
        client.force_login(world["people"][persona])
    data = {"sla_minutes": 45} if name == "audit:kpis" else _step_post() if method == "post" else None

    response = getattr(client, method)(reverse(name, kwargs=kwargs(world)), data)

    assert response.status_code == expected[persona]


def _step_post() -> dict:
    return {
        "rows-TOTAL_FORMS": "0",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "1000",
    }


def test_the_matrix_covers_every_audit_url():
    covered = {row[0].split(":")[1] for row in MATRIX}
    names = {name for name in get_resolver("audit.urls").reverse_dict if isinstance(name, str)}
    assert names == covered


def test_an_import_of_another_portfolio_is_not_found(client, learner, other_learner):
    stranger = ServiceDataImportFactory(portfolio=other_learner.portfolios.get())
    client.force_login(learner)

    response = client.get(
        reverse(
            "audit:data_status",
            kwargs={"portfolio_pk": learner.portfolios.get().pk, "import_pk": stranger.pk},
        )
    )

    assert response.status_code == 404
