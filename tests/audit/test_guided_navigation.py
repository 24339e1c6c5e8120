"""Every page of the audit and the strategy carries the guided navigation (every step of both
stages, with the service data and KPI pages) and a breadcrumb, as each step's page does: the
audit's extra pages once had a bar of their own that listed the audit only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit import services
from audit.synthetic import interactions_csv
from core.guided import all_steps
from tests.audit.factories import import_service_data

pytestmark = pytest.mark.django_db

GUIDED_NAV = 'aria-label="Guided steps"'
# Pages of the two apps that are not for reading in the stage's frame, and why.
EXEMPT = {
    "audit:data_upload": "POST only: the upload form's target",
    "audit:data_upload_start": "POST only: the chunked upload's start (JSON)",
    "audit:data_upload_chunk": "PUT only: one piece of a chunked upload",
    "audit:data_upload_finish": "POST only: the chunked upload's end (JSON)",
    "audit:data_import": "POST only: starts the import",
    "audit:data_delete": "POST only: deletes an import",
    "strategy:pitch_presentation": "the pitch as slides, full window, shown to an audience",
}


def _names(namespace: str) -> list[str]:
    resolver = next(
        r for r in get_resolver().url_patterns if isinstance(r, URLResolver) and r.namespace == namespace
    )
    return [f"{namespace}:{p.name}" for p in resolver.url_patterns if isinstance(p, URLPattern)]


@pytest.fixture
def pages(learner):
    portfolio = learner.portfolios.get()
    unmapped = services.upload_service_data(
        portfolio=portfolio,
        upload=SimpleUploadedFile("inbox.csv", interactions_csv(20).replace(b"received_at", b"Created", 1)),
        actor=learner,
    )
    mapped = services.upload_service_data(
        portfolio=portfolio, upload=SimpleUploadedFile("inbox-2.csv", interactions_csv(20)), actor=learner
    )
    services.map_columns(service_import=mapped, columns=mapped.columns, formats={}, actor=learner)
    done = import_service_data(portfolio, learner, interactions_csv(20))
    pk = portfolio.pk
    return {
        **{step.url_name: reverse(step.url_name, args=[pk]) for step in all_steps()},
        "audit:data": reverse("audit:data", args=[pk]),
        "audit:kpis": reverse("audit:kpis", args=[pk]),
        "audit:data_map": reverse("audit:data_map", args=[pk, unmapped.pk]),
        "audit:data_preview": reverse("audit:data_preview", args=[pk, mapped.pk]),
        "audit:data_status": reverse("audit:data_status", args=[pk, done.pk]),
    }


def test_every_page_of_the_audit_and_the_strategy_is_checked_or_exempt(pages):
    unlisted = [name for name in _names("audit") + _names("strategy") if name not in pages | EXEMPT]

    assert unlisted == []


def test_every_page_of_the_audit_and_the_strategy_carries_the_guided_navigation(client, learner, pages):
    client.force_login(learner)

    for name, url in pages.items():
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, name
        assert html.count(GUIDED_NAV) == 1, name
        assert 'aria-label="Breadcrumb"' in html, name
        # Every other step of both stages is one click away.
        for step in all_steps():
            if step.url_name != name:
                assert reverse(step.url_name, args=[learner.portfolios.get().pk]) in html, (name, step.key)


def test_a_page_under_service_data_leads_back_to_it(client, learner, pages):
    client.force_login(learner)

    html = client.get(pages["audit:data_map"]).content.decode()

    assert f'<a href="{pages["audit:data"]}" class="fw-semibold" aria-current="true">Service data</a>' in html
    assert '<li class="breadcrumb-item active" aria-current="page">Map columns</li>' in html
