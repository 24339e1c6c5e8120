"""Every edit form carries a version token; a second save from the same page is shown
both versions and overwrites nothing (core/concurrency.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.html import escape

from audit import services as audit_services
from audit.models import KpiSettings, ServiceDataImport
from audit.steps import STEPS
from audit.synthetic import interactions_csv
from core import concurrency
from core.models import EditRevision
from evidence.models import Evidence
from strategy import services as strategy_services
from strategy.models import Vision
from strategy.steps import STEP_NAMES
from tests.audit.factories import import_service_data
from tests.evidence.factories import (
    EvidenceFactory,
    FileEvidenceFactory,
    LinkEvidenceFactory,
    MessageFactory,
    TranscriptFactory,
)
from tests.form_pages import edit_form, textareas
from tests.strategy.factories import (
    ObjectiveFactory,
    RegulationCheckFactory,
    ResponseProtocolFactory,
    ReviewCycleFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db

FIRST = "Saved first, from the tab on the left."
SECOND = "Typed second, in the tab on the right."


@dataclass(frozen=True)
class Page:
    """An edit page: who edits it, where it is, and which field both tabs change."""

    name: str
    who: str  # "learner" or "tutor"
    path: Callable  # (portfolio, cohort) -> url
    field: str = ""  # empty: the first text area of the form
    setup: Callable | None = None  # (portfolio) -> None


def _step_path(url_name: str) -> Callable:
    return lambda portfolio, cohort: reverse(url_name, kwargs={"portfolio_pk": portfolio.pk})


def _item(factory, **kwargs) -> Callable:
    def path(portfolio, cohort):
        existing = Evidence.objects.filter(portfolio=portfolio).exclude(kind=Evidence.Kind.SECTION).first()
        item = existing or factory(portfolio=portfolio, **kwargs)
        return reverse("evidence:edit", kwargs={"portfolio_pk": portfolio.pk, "pk": item.pk})

    return path


def _transcript(portfolio, cohort):
    item = TranscriptFactory(portfolio=portfolio)
    MessageFactory(evidence=item, position=0)
    return reverse("evidence:edit", kwargs={"portfolio_pk": portfolio.pk, "pk": item.pk})


def _item_mappings(portfolio, cohort):
    item = LinkEvidenceFactory(portfolio=portfolio)
    return reverse("evidence:mappings", kwargs={"portfolio_pk": portfolio.pk, "pk": item.pk})


def _criterion_mappings(portfolio, cohort):
    LinkEvidenceFactory(portfolio=portfolio)
    criterion = portfolio.cohort.frameworks.get().criteria.order_by("order").first()
    return reverse("evidence:criterion", kwargs={"portfolio_pk": portfolio.pk, "criterion_pk": criterion.pk})


STRATEGY_ROWS = {
    "objectives": ObjectiveFactory,
    "risks": RiskFactory,
    "regulation": RegulationCheckFactory,
    "monitoring": ReviewCycleFactory,
    "implementation": ResponseProtocolFactory,
}

PAGES = [
    *[Page(f"audit.{step.slug}", "learner", _step_path(step.url_name)) for step in STEPS],
    *[
        Page(
            f"strategy.{name}",
            "learner",
            _step_path(f"strategy:{name}"),
            setup=(lambda portfolio, factory=STRATEGY_ROWS[name]: factory(portfolio=portfolio))
            if name in STRATEGY_ROWS
            else None,
        )
        for name in STEP_NAMES
    ],
    Page("evidence.reflection", "learner", _item(EvidenceFactory, kind=Evidence.Kind.REFLECTION, body="B")),
    Page("evidence.link", "learner", _item(LinkEvidenceFactory), field="description"),
    Page("evidence.file", "learner", _item(FileEvidenceFactory), field="description"),
    Page("evidence.transcript", "learner", _transcript, field="messages-0-text"),
    Page("evidence.mappings.item", "learner", _item_mappings),
    Page("evidence.mappings.criterion", "learner", _criterion_mappings),
    Page(
        "cohort",
        "tutor",
        lambda portfolio, cohort: reverse("portfolio:cohort_edit", args=[cohort.pk]),
        field="organisation",
    ),
]


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def _open(client, page: Page, portfolio, cohort) -> tuple[str, dict, str]:
    if page.setup:
        page.setup(portfolio)
    path = page.path(portfolio, cohort)
    html = client.get(path).content.decode()
    data = edit_form(html)
    field = page.field or textareas(html)[0]
    assert field in data, f"{field} is not in the form of {page.name}"
    return path, data, field


def _typed(opened: dict, field: str, text: str) -> dict:
    """The form as opened, with ``text`` typed in ``field`` (and a picker's row ticked)."""
    data = {**opened, field: text}
    if field.endswith("-note"):
        data[field.removesuffix("-note") + "-on"] = "on"
    return data


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_it_shows_a_second_save_both_versions_and_overwrites_nothing(
    client, request, page, portfolio, cohort
):
    client.force_login(request.getfixturevalue(page.who))
    path, opened, field = _open(client, page, portfolio, cohort)

    first = client.post(path, _typed(opened, field, FIRST))
    second = client.post(path, _typed(opened, field, SECOND))

    assert first.status_code == 302, first.content.decode()[:2000]
    assert second.status_code == 409
    html = second.content.decode()
    assert "Saved elsewhere since you opened this page" in html
    assert FIRST in html  # theirs, beside the field
    assert edit_form(html)[field] == SECOND  # yours, still in the form
    saved = client.get(path).content.decode()
    assert FIRST in saved
    assert SECOND not in saved


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_it_saves_the_persons_choice_after_a_conflict(client, request, page, portfolio, cohort):
    client.force_login(request.getfixturevalue(page.who))
    path, opened, field = _open(client, page, portfolio, cohort)
    client.post(path, _typed(opened, field, FIRST))
    conflict = client.post(path, _typed(opened, field, SECOND))

    kept = client.post(path, edit_form(conflict.content.decode()))

    assert kept.status_code == 302
    saved = client.get(path).content.decode()
    assert SECOND in saved
    assert FIRST not in saved


def test_every_edit_page_is_covered(client, learner, portfolio):
    """A new step added without a version token fails here."""
    assert {page.name for page in PAGES} >= {f"audit.{s.slug}" for s in STEPS} | {
        f"strategy.{name}" for name in STEP_NAMES
    }


def test_it_refuses_a_forged_token_as_a_conflict(client, learner, portfolio):
    client.force_login(learner)
    path = reverse("strategy:vision", kwargs={"portfolio_pk": portfolio.pk})
    data = edit_form(client.get(path).content.decode())

    response = client.post(path, {**data, "version_token": "x' OR 1=1", "vision-vision_statement": SECOND})

    assert response.status_code == 409
    assert SECOND not in client.get(path).content.decode()


def test_the_service_claims_atomically_so_a_racing_save_writes_nothing(learner, portfolio):
    """Two saves that both passed the page's check: the second's claim finds the revision
    moved and its whole transaction, the step's rows included, is rolled back."""
    strategy_services.save_vision(
        portfolio=portfolio, values={"vision_statement": "A"}, actor=learner, token="0"
    )

    with pytest.raises(concurrency.EditConflict), transaction.atomic():
        strategy_services.save_vision(
            portfolio=portfolio, values={"vision_statement": "B"}, actor=learner, token="0"
        )

    assert Vision.objects.get(portfolio=portfolio).vision_statement == "A"
    scope = concurrency.portfolio_scope(portfolio.pk, "strategy.vision")
    assert EditRevision.objects.get(scope=scope).revision == 1


def test_a_save_without_a_token_still_moves_the_revision_on(learner, portfolio):
    strategy_services.save_vision(portfolio=portfolio, values={"vision_statement": "A"}, actor=learner)

    scope = concurrency.portfolio_scope(portfolio.pk, "strategy.vision")
    assert concurrency.current_revision(scope).number == 1


def test_it_names_the_person_when_they_saved_on_another_device(client, learner, portfolio):
    client.force_login(learner)
    path = reverse("strategy:pitch", kwargs={"portfolio_pk": portfolio.pk})
    data = edit_form(client.get(path).content.decode())
    field = textareas(client.get(path).content.decode())[0]
    client.post(path, {**data, field: FIRST})

    html = client.post(path, {**data, field: SECOND}).content.decode()

    assert "You saved it on another tab or device" in html
    assert "Take theirs" in html
    assert "Keep mine" in html


def test_readers_get_no_token_and_no_draft_key(client, assessor, portfolio):
    client.force_login(assessor)

    html = client.get(reverse("strategy:vision", kwargs={"portfolio_pk": portfolio.pk})).content.decode()

    assert "version_token" not in html
    assert "draft_key" not in html


def test_mapping_another_item_meanwhile_is_no_conflict(client, learner, portfolio):
    """All mappings share one version; a save whose own rows nobody else changed goes ahead."""
    client.force_login(learner)
    one, two = LinkEvidenceFactory(portfolio=portfolio), LinkEvidenceFactory(portfolio=portfolio)
    paths = [
        reverse("evidence:mappings", kwargs={"portfolio_pk": portfolio.pk, "pk": e.pk}) for e in (one, two)
    ]
    pages = [client.get(path).content.decode() for path in paths]
    opened = [(edit_form(html), textareas(html)[0]) for html in pages]

    client.post(paths[0], _typed(opened[0][0], opened[0][1], FIRST))
    response = client.post(paths[1], _typed(opened[1][0], opened[1][1], SECOND))

    assert response.status_code == 302
    assert two.mappings.get().note == SECOND
    assert one.mappings.get().note == FIRST


def test_the_criterion_page_learns_of_a_mapping_changed_from_the_items_page(client, learner, portfolio):
    client.force_login(learner)
    item = LinkEvidenceFactory(portfolio=portfolio)
    criterion_path = _criterion_mappings(portfolio, None)
    opened = edit_form(client.get(criterion_path).content.decode())
    note = f"e-{item.pk}-note"
    item_path = reverse("evidence:mappings", kwargs={"portfolio_pk": portfolio.pk, "pk": item.pk})
    item_page = client.get(item_path).content.decode()
    client.post(item_path, _typed(edit_form(item_page), textareas(item_page)[0], FIRST))

    response = client.post(criterion_path, _typed(opened, note, SECOND))

    assert response.status_code == 409
    assert FIRST in response.content.decode()
    assert item.mappings.get().note == FIRST


def test_the_kpi_settings_show_a_second_save_both_versions(client, learner, portfolio):
    import_service_data(portfolio, learner, interactions_csv(20), name="d.csv")
    client.force_login(learner)
    path = reverse("audit:kpis", kwargs={"portfolio_pk": portfolio.pk})
    opened = edit_form(client.get(path).content.decode())

    assert client.post(path, {**opened, "sla_minutes": "45"}).status_code == 302
    response = client.post(path, {**opened, "sla_minutes": "20"})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Saved elsewhere since you opened this page" in html
    assert edit_form(html)["sla_minutes"] == "20"
    assert KpiSettings.objects.get(portfolio=portfolio).sla_minutes == 45
    assert client.post(path, edit_form(html)).status_code == 302
    assert KpiSettings.objects.get(portfolio=portfolio).sla_minutes == 20


def test_a_save_that_races_past_the_pages_check_is_shown_both_versions(
    client, learner, portfolio, monkeypatch
):
    """Another save lands between the view's check and the service's claim: the claim fails,
    the service writes nothing, and the page is built again on the version that won."""
    client.force_login(learner)
    path = reverse("strategy:vision", kwargs={"portfolio_pk": portfolio.pk})
    opened = edit_form(client.get(path).content.decode())
    original = strategy_services.save_vision

    def raced(**kwargs):
        original(portfolio=portfolio, values={"vision_statement": FIRST}, actor=learner)
        return original(**kwargs)

    monkeypatch.setattr(strategy_services, "save_vision", raced)

    response = client.post(path, {**opened, "vision-vision_statement": SECOND})

    assert response.status_code == 409
    assert FIRST in response.content.decode()
    assert edit_form(response.content.decode())["vision-vision_statement"] == SECOND
    assert Vision.objects.get(portfolio=portfolio).vision_statement == FIRST


def test_two_tutors_assigning_an_assessor_at_once_are_told_not_overwritten(
    client, tutor, cohort, learner, assessor, other_assessor, portfolio
):
    client.force_login(tutor)
    roster = client.get(reverse("portfolio:cohort_detail", args=[cohort.pk])).content.decode()
    token = re.search(r'name="version_token" value="(\d+)"', roster).group(1)
    url = reverse("portfolio:assign_assessor", args=[cohort.pk, portfolio.pk])

    client.post(url, {"assessor": other_assessor.pk, "version_token": token})
    response = client.post(url, {"assessor": "", "version_token": token}, follow=True)

    portfolio.refresh_from_db()
    assert portfolio.assessor == other_assessor
    html = response.content.decode()
    assert f"assigned {escape(other_assessor.display_name)}" in html
    assert "your choice, nobody, was not saved" in html


def test_the_column_mapping_of_an_upload_shows_a_second_save_both_versions(client, learner, portfolio):
    renamed = interactions_csv(20).replace(b"received_at", b"Created", 1)
    upload = audit_services.upload_service_data(
        portfolio=portfolio, upload=SimpleUploadedFile("inbox.csv", renamed, "text/csv"), actor=learner
    )
    client.force_login(learner)
    path = reverse("audit:data_map", kwargs={"portfolio_pk": portfolio.pk, "import_pk": upload.pk})
    opened = edit_form(client.get(path).content.decode())
    assert "version_token" in opened

    first = client.post(path, {**opened, "col_received_at": "Created", "save_as": "Inbox"})
    assert first.status_code == 302
    second = client.post(path, {**opened, "col_received_at": "Created", "save_as": "Other name"})

    assert second.status_code == 409
    assert "Saved elsewhere since you opened this page" in second.content.decode()
    assert ServiceDataImport.objects.get(pk=upload.pk).mapping_name == "Inbox"
