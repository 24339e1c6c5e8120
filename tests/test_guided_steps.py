"""The guided-step protocol (core.guided): a toy step in a toy app (tests/toy_app) gets the whole
behaviour of a guided step (page, guidance, navigation, save, drafts, read-only mode, the one
access gate, a section of the portfolio with its default criteria) from one definition and
its registration, and every real step of the audit and the strategy is served the same way."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.http import Http404
from django.urls import reverse

from core import guided
from core.sections import all_sections, get_section
from core.views.guided import step_view
from evidence.models import Evidence

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.toy_app.urls")]

TOY = Path(__file__).parent / "toy_app"


@pytest.fixture
def toy_step(settings):
    steps = importlib.import_module("tests.toy_app.steps")
    guided.register_step(steps.LOST_CUSTOMER)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TOY / "templates"]},
        *settings.TEMPLATES[1:],
    ]
    yield steps.LOST_CUSTOMER
    guided.unregister_step(steps.LOST_CUSTOMER.key)


def url(portfolio):
    return reverse("toy:lost_customer", kwargs={"portfolio_pk": portfolio.pk})


def test_the_toy_app_is_one_definition_its_urls_and_its_template():
    files = sorted(
        p.relative_to(TOY).as_posix() for p in TOY.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    assert files == ["__init__.py", "steps.py", "templates/toy/step.html", "urls.py"]


def test_a_registered_step_is_a_section_with_its_criteria(toy_step):
    section = get_section("toy.lost_customer")
    assert section.title == "A customer to win back"
    assert section.url_name == "toy:lost_customer"
    assert section.default_criteria == {"STD": {"C1": "Names a customer lost to poor social service."}}
    assert all_sections()[-1] == section  # order 900: after the strategy


def test_the_learner_sees_the_page_with_guidance_and_navigation(client, learner, toy_step):
    portfolio = learner.portfolios.get()
    client.force_login(learner)

    html = client.get(url(portfolio)).content.decode()

    assert "Toy · step 1 of 1" in html
    assert "Think of one customer who stopped buying after a poor reply online." in html
    assert "Not complete yet" in html
    assert "The customer" in html  # what is missing, in words
    # The navigation lists every guided step, the audit's and the strategy's too.
    assert reverse("strategy:vision", kwargs={"portfolio_pk": portfolio.pk}) in html
    assert reverse("audit:organisation", kwargs={"portfolio_pk": portfolio.pk}) in html
    assert 'name="version_token"' in html  # guarded against lost updates, like every step


def test_a_save_records_the_section_and_says_what_is_left(client, learner, toy_step):
    portfolio = learner.portfolios.get()
    client.force_login(learner)

    response = client.post(url(portfolio), {"toy-customer": "Mrs Okafor"}, follow=True)

    assert response.redirect_chain[-1][0] == url(portfolio)
    assert "Saved as a draft. 1 thing still to do." in response.content.decode()
    evidence = Evidence.objects.get(portfolio=portfolio, section_key="toy.lost_customer")
    assert not evidence.section_complete

    response = client.post(
        url(portfolio), {"toy-customer": "Mrs Okafor", "toy-reason": "No reply in 3 days."}
    )

    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.section_complete
    assert "Complete" in client.get(url(portfolio)).content.decode()


def test_a_form_with_errors_keeps_nothing(client, learner, toy_step):
    portfolio = learner.portfolios.get()
    client.force_login(learner)

    response = client.post(url(portfolio), {"toy-customer": "x" * 101})

    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters" in response.content.decode()
    assert not Evidence.objects.filter(portfolio=portfolio, section_key="toy.lost_customer").exists()


def test_the_assessor_reads_but_cannot_change(client, learner, assessor, toy_step):
    portfolio = learner.portfolios.get()
    client.force_login(learner)
    client.post(url(portfolio), {"toy-customer": "Mrs Okafor", "toy-reason": "No reply."})
    client.force_login(assessor)

    html = client.get(url(portfolio)).content.decode()

    assert "Only the learner can change it." in html
    assert 'value="Mrs Okafor"' in html
    assert "disabled" in html
    assert client.post(url(portfolio), {"toy-customer": "Changed"}).status_code == 403
    assert (
        "Mrs Okafor" in Evidence.objects.get(portfolio=portfolio, section_key="toy.lost_customer").description
    )


def test_someone_elses_portfolio_is_not_found(client, learner, other_learner, toy_step):
    client.force_login(other_learner)

    assert client.get(url(learner.portfolios.get())).status_code == 404


def test_an_unknown_step_is_not_found(rf, learner):
    request = rf.get("/")
    request.user = learner

    with pytest.raises(Http404):
        step_view(request, portfolio_pk=learner.portfolios.get().pk, key="nowhere.step")


def test_every_step_of_the_audit_and_the_strategy_is_a_guided_step():
    keys = [step.key for step in guided.all_steps()]
    assert keys == [section.key for section in all_sections() if section.stage in {"Audit", "Strategy"}]
    assert len([k for k in keys if k.startswith("audit.")]) == 6
    assert len([k for k in keys if k.startswith("strategy.")]) == 8
