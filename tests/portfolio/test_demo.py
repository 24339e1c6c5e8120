"""The demo tells one true story: each learner's own organisation, work that fits their
state, service data inside the cohort's dates, and times that read naturally."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit import selectors as audit_selectors
from audit.models import OrganisationProfile
from core.guided import all_steps
from core.models import AuditEntry, CriterionDecision, Portfolio, VersionOutcome, VersionState
from demo.people import LEARNER_NAMES, build_demo
from evidence.models import CriterionMapping, Evidence, TranscriptMessage
from readiness.checks import MUST, check_portfolio
from strategy.models import ReviewCycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return build_demo(learners=6)


def _state(portfolio: Portfolio) -> VersionState | None:
    version = portfolio.versions.order_by("-number").first()
    if version is None:
        return None
    return VersionState.of(VersionOutcome.objects.filter(version=version).first())


def test_a_signed_off_learner_has_complete_assessed_work(demo):
    signed_off = [p for p in demo.cohort.portfolios.all() if _state(p) == VersionState.SIGNED_OFF]
    assert signed_off, "the demo has a signed-off learner"
    step_keys = {step.key for step in all_steps()}

    for portfolio in signed_off:
        sections = dict(
            portfolio.evidence.filter(kind=Evidence.Kind.SECTION).values_list(
                "section_key", "section_complete"
            )
        )
        assert step_keys <= set(sections), f"guided steps never started: {step_keys - set(sections)}"
        assert all(sections[key] for key in step_keys), "a signed-off learner has no unfinished guided step"
        report = check_portfolio(portfolio)
        assert [f.rule.id for f in report.failed if f.severity == MUST] == []
        decisions = CriterionDecision.objects.filter(version__portfolio=portfolio)
        assert decisions.exists()
        assert not decisions.exclude(status="met").exists()
        assert not decisions.filter(evidence_ids=[]).exists(), "every criterion met on evidence"
        assert portfolio.service_imports.filter(status="done").exists()


def _texts(portfolio: Portfolio) -> list[str]:
    evidence = Evidence.objects.filter(portfolio=portfolio).exclude(kind=Evidence.Kind.SECTION)
    texts = [" ".join(row) for row in evidence.values_list("title", "description", "body", "account_handle")]
    texts += list(TranscriptMessage.objects.filter(evidence__in=evidence).values_list("text", flat=True))
    texts += list(
        TranscriptMessage.objects.filter(evidence__in=evidence).values_list("annotation", flat=True)
    )
    texts += list(CriterionMapping.objects.filter(evidence__in=evidence).values_list("note", flat=True))
    texts += list(
        CriterionDecision.objects.filter(version__portfolio=portfolio).values_list("feedback", flat=True)
    )
    texts += list(
        VersionOutcome.objects.filter(version__portfolio=portfolio).values_list("comment", flat=True)
    )
    return texts


def test_every_learner_names_only_their_own_organisation(demo):
    portfolios = list(demo.cohort.portfolios.select_related("learner"))
    organisations = dict(OrganisationProfile.objects.values_list("portfolio_id", "name"))
    # Everyone who has written anything has said where they work.
    for portfolio in portfolios:
        if portfolio.evidence.exists():
            assert portfolio.pk in organisations, portfolio.learner.username
    assert len(set(organisations.values())) == len(organisations), "one organisation per learner"
    brands = {pk: name.split()[0] for pk, name in organisations.items()}

    for portfolio in portfolios:
        others = {brand for pk, brand in brands.items() if pk != portfolio.pk}
        for text in _texts(portfolio):
            named = {brand for brand in others if brand.lower() in text.lower()}
            assert not named, f"{portfolio.learner.username} cites {named}: {text[:80]}"
    # Fernleaf's story (its dining table, sofas, crews) stays with Fernleaf's learner.
    tom = next(p for p in portfolios if p.learner.username == "learner2")
    assert not any("dining table" in text.lower() or "sofa" in text.lower() for text in _texts(tom))


def test_service_data_lies_inside_the_cohort_and_the_follow_up_comes_after_the_change(demo):
    cohort = demo.cohort
    today = timezone.localdate()
    with_data = [p for p in cohort.portfolios.all() if p.service_imports.filter(status="done").exists()]
    assert len(with_data) >= 2

    for portfolio in with_data:
        view = audit_selectors.kpi_view(portfolio, audit_selectors.current_import(portfolio))
        received = view.frame["received_at"]
        assert cohort.start_date <= received.min().date()
        assert received.max().date() < today
        baseline, follow_up = view.baseline, view.follow_up
        assert cohort.start_date <= baseline.start <= baseline.end < follow_up.start <= follow_up.end < today
        # The change the follow-up measures: the learner's first improvement cycle.
        change = ReviewCycle.objects.filter(portfolio=portfolio).order_by("started_on").first()
        assert change is not None
        assert baseline.end < change.started_on <= follow_up.start
        # ... and the follow-up shows the improvement the story tells of.
        comparison = view.comparison.set_index("key") if "key" in view.comparison else view.comparison
        assert comparison["improved"].astype(bool).sum() >= len(comparison) // 2


def test_times_read_naturally(demo):
    now = timezone.now()
    cohort = demo.cohort
    for portfolio in cohort.portfolios.select_related("learner"):
        made = list(portfolio.evidence.values_list("created_at", flat=True))
        assert all(timezone.localtime(m).date() >= cohort.start_date and m < now for m in made)
        assert portfolio.last_activity_at <= now
        if made:
            assert portfolio.last_activity_at >= max(made)
        for version in portfolio.versions.all():
            held = {item["id"] for item in version.snapshot["parts"]["evidence"]["items"]}
            submitted_on = str(timezone.localtime(version.submitted_at).date())
            # Everything it holds, guided steps included, was done before it was submitted.
            assert all(
                str(item["occurred_on"]) <= submitted_on
                for item in version.snapshot["parts"]["evidence"]["items"]
            )
            assert all(
                m < version.submitted_at
                for pk, m in portfolio.evidence.values_list("pk", "created_at")
                if pk in held
            )
            decided = CriterionDecision.objects.filter(version=version).values_list("decided_at", flat=True)
            assert all(version.submitted_at < d < now for d in decided)
            entries = AuditEntry.objects.filter(version=version).values_list("at", flat=True)
            assert all(version.submitted_at <= at < now for at in entries)
    waiting = Portfolio.objects.get(cohort=cohort, learner__username="learner2").versions.get()
    assert timedelta(days=1) < now - waiting.submitted_at < timedelta(days=7)


def test_extra_learners_have_names_that_read_as_names():
    build_demo(learners=14)

    learners = Portfolio.objects.select_related("learner").order_by("learner__date_joined")
    extra = [p.learner for p in learners if (p.learner.first_name, p.learner.last_name) not in LEARNER_NAMES]
    assert len(extra) == 6
    for user in extra:
        assert user.first_name.isalpha()
        assert not any(ch.isdigit() for ch in user.last_name)
    assert len({(u.first_name, u.last_name) for u in extra}) == len(extra)


def test_extra_learners_have_begun_at_dates_of_their_own():
    from demo.progress import STORY_LEARNERS

    demo = build_demo(learners=12)
    now = timezone.now()

    extra = [
        p
        for p in demo.cohort.portfolios.select_related("learner")
        if p.learner.username not in STORY_LEARNERS
    ]
    assert len(extra) == 7
    organisations = dict(
        OrganisationProfile.objects.filter(portfolio__in=extra).values_list("portfolio_id", "name")
    )
    assert len(set(organisations.values())) == len(extra), "an organisation of their own each"
    for portfolio in extra:
        assert portfolio.evidence.filter(kind=Evidence.Kind.SECTION).exists(), "a guided step begun"
        assert portfolio.evidence.exclude(kind=Evidence.Kind.SECTION).filter(mappings__note__gt="").exists()
        assert portfolio.learner.date_joined < portfolio.last_activity_at < now
    # Active on different days, most within three weeks: not everyone at risk.
    assert len({timezone.localtime(p.last_activity_at).date() for p in extra}) >= 5
    quiet = [p for p in extra if now - p.last_activity_at > timedelta(days=21)]
    assert 0 < len(quiet) < len(extra) / 2
