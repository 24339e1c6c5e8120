"""The database's figures for the dashboards (``dashboards.facts``) agree with the
pure rules of ``dashboards.figures`` applied row by row, on random learners; and a page
builds only its own rows."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import CriterionDecision, VersionOutcome
from core.selectors import criteria_for_cohort
from dashboards import figures as dashboards
from dashboards import selectors as dashboard_selectors
from dashboards.selectors import paging as dashboard_paging
from evidence.models import CriterionMapping, Evidence
from evidence.selectors import coverage_tallies
from tests.evidence.factories import EvidenceFactory, MappingFactory
from tests.factories import LearnerFactory, PortfolioFactory
from tests.portfolio.dashboard_data import version

pytestmark = pytest.mark.django_db

# The orders the dashboard had when it sorted every row in Python: the reference.
PYTHON_SORTS = {
    "name": (
        lambda r: (
            r.portfolio.learner.last_name.casefold(),
            r.portfolio.learner.first_name.casefold(),
            r.portfolio.learner.username,
        ),
        False,
    ),
    "coverage": (lambda r: r.coverage, False),
    "-coverage": (lambda r: r.coverage, True),
    "activity": (lambda r: r.portfolio.last_activity_at, False),
    "-activity": (lambda r: r.portfolio.last_activity_at, True),
    "risk": (lambda r: len(r.risks), True),
}
NAMES = ["Ada", "ada", "Ében", "Zoë", "zed", "Øyvind", "Li", "li", "Straße", "Mo"]


def random_cohort(cohort, assessor, other_assessor, *, learners: int, seed: int) -> None:
    """Learners with every mix the rules tell apart: notes blank or whitespace, sections in
    progress or complete, decisions met or not (superseded or in an older version), versions
    returned or signed off, idle or active, assessed by one, the other or nobody."""
    rng = random.Random(seed)
    criteria = list(cohort.frameworks.get().criteria.order_by("order"))
    now = timezone.now()
    for n in range(learners):
        portfolio = PortfolioFactory(
            cohort=cohort,
            learner=LearnerFactory(
                last_name=rng.choice(NAMES), first_name=rng.choice(NAMES), username=f"l{n:03}"
            ),
            assessor=rng.choice([assessor, other_assessor, None]),
            last_activity_at=now - timedelta(days=rng.choice([0, 3, 20, 21, 22, 60])),
        )
        for criterion in criteria:
            for _ in range(rng.choice([0, 0, 1, 2])):
                note = rng.choice(["", "  ", "\u2003", "Shows it.", " Shows it "])
                if rng.random() < 0.3:
                    item = Evidence.objects.create(
                        portfolio=portfolio,
                        kind=Evidence.Kind.SECTION,
                        section_key=f"audit.bench{rng.randrange(10**9)}",
                        title="Step",
                        section_complete=rng.random() < 0.5,
                    )
                else:
                    item = EvidenceFactory(portfolio=portfolio)
                MappingFactory(evidence=item, criterion=criterion, note=note)
        if rng.random() < 0.4:
            Evidence.objects.create(
                portfolio=portfolio,
                kind=Evidence.Kind.SECTION,
                section_key="audit.organisation",
                title="Organisation",
                section_complete=rng.random() < 0.5,
            )
        outcomes = [VersionOutcome.Kind.RETURNED, VersionOutcome.Kind.SIGNED_OFF, None]
        for number in range(1, rng.choice([0, 1, 2, 3]) + 1):
            outcome = rng.choice(outcomes) if portfolio.assessor else None
            row = version(portfolio, number, outcome=outcome, days_ago=10 - number)
            for criterion in rng.sample(criteria, rng.randrange(len(criteria) + 1)):
                first = CriterionDecision.objects.create(
                    version=row,
                    criterion=criterion,
                    assessor=assessor,
                    status=rng.choice(["met", "not_yet_met"]),
                )
                if rng.random() < 0.3:
                    CriterionDecision.objects.create(
                        version=row,
                        criterion=criterion,
                        assessor=assessor,
                        status=rng.choice(["met", "not_yet_met"]),
                        supersedes=first,
                    )


def keeps(row, chosen) -> bool:
    """The dashboard's filters as the Python rules say them."""
    assessor = chosen["assessor"]
    if chosen["state"] and row.submission != chosen["state"]:
        return False
    if assessor == "none" and row.portfolio.assessor_id is not None:
        return False
    if assessor not in ("", "none") and str(row.portfolio.assessor_id) != assessor:
        return False
    return not chosen["risk"] or bool(row.risks)


def every_row(cohort, now):
    """Each learner's row by the Python rules (``RowBuilder``), the reference."""
    criteria = list(criteria_for_cohort(cohort))
    rows = dashboard_selectors.learner_rows(
        dashboard_selectors.cohort_portfolios(cohort), criteria_by_cohort={cohort.pk: criteria}, now=now
    )
    return criteria, list(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    ("start", "end"),
    [(None, None), (-100, 10), (-200, -5)],  # no calendar; under way; over (submissions overdue)
)
def test_it_counts_filters_and_sorts_as_the_rules_do_row_by_row(
    cohort, assessor, other_assessor, monkeypatch, seed, start, end
):
    today = timezone.localdate()
    cohort.start_date = today + timedelta(days=start) if start is not None else None
    cohort.end_date = today + timedelta(days=end) if end is not None else None
    cohort.save()
    random_cohort(cohort, assessor, other_assessor, learners=14, seed=seed)
    monkeypatch.setattr(dashboard_paging, "PAGE_SIZE", 1000)
    now, rules = timezone.now(), dashboards.RiskRules()
    criteria, rows = every_row(cohort, now)
    assessor_ids = {str(r.portfolio.assessor_id) for r in rows if r.portfolio.assessor_id}

    combinations = [(sort, "", "", "") for sort in PYTHON_SORTS] + [
        (sort, state, chosen_assessor, risk)
        for sort in ("risk", "-coverage")
        for state in ["", *dashboards.SUBMISSION_LABELS]
        for chosen_assessor in ["", "none", *assessor_ids]
        for risk in ["", "1"]
    ]
    for sort, state, chosen_assessor, risk in combinations:
        chosen = {"sort": sort, "state": state, "assessor": chosen_assessor, "risk": risk}
        board = dashboard_selectors.cohort_dashboard(cohort, chosen=chosen, page=1, rules=rules, now=now)
        kept = [r for r in rows if keeps(r, chosen)]
        key, reverse = PYTHON_SORTS[sort]
        # Before sorting, the rows came in the database's order of names (on SQLite, by code point).
        read = sorted(
            kept,
            key=lambda r: (
                r.portfolio.learner.last_name,
                r.portfolio.learner.first_name,
                r.portfolio.learner.username,
            ),
        )
        expected = sorted(read, key=key, reverse=reverse)
        assert [r.portfolio.pk for r in board.page.object_list] == [r.portfolio.pk for r in expected], chosen
        assert [r.coverage for r in board.page.object_list] == [r.coverage for r in expected]
        assert [r.risks for r in board.page.object_list] == [r.risks for r in expected]
        assert board.figures.matching == len(kept)
    figures = board.figures
    assert figures.total == len(rows)
    assert figures.at_risk == sum(1 for r in rows if r.risks)
    assert figures.average == round(sum(r.coverage for r in rows) / len(rows))
    assert figures.distribution == [
        sum(1 for r in rows if min(r.coverage // 10, 9) == band) for band in range(10)
    ]
    summary = dashboard_selectors.criterion_summary(cohort, criteria, len(rows))
    for item in summary:
        column = Counter(r.states[criteria.index(item.criterion)] for r in rows)
        assert item.counts == {state: column.get(state, 0) for state in dashboards.CELL_STATES}
        assert item.lacking == sum(n for state, n in column.items() if state not in dashboards.COVERED)


def test_the_name_order_folds_case_as_python_does(cohort, assessor, monkeypatch):
    # SQLite's LOWER() leaves "É" and "Ø" alone; Python's casefold() does not.
    for username, last in [
        ("u1", "émile"),
        ("u2", "Émile"),
        ("u3", "Ørsted"),
        ("u4", "zeta"),
        ("u5", "Zeta"),
    ]:
        PortfolioFactory(
            cohort=cohort, learner=LearnerFactory(username=username, last_name=last, first_name="A")
        )
    now = timezone.now()
    _, rows = every_row(cohort, now)

    board = dashboard_selectors.cohort_dashboard(
        cohort, chosen={"sort": "name"}, page=1, rules=dashboards.RiskRules(), now=now
    )

    expected = sorted(rows, key=PYTHON_SORTS["name"][0])
    assert [r.portfolio.learner.username for r in board.page.object_list] == [
        r.portfolio.learner.username for r in expected
    ]


def test_a_page_builds_only_its_own_rows(client, tutor, cohort, assessor, monkeypatch):
    monkeypatch.setattr(dashboard_paging, "PAGE_SIZE", 2)
    for _ in range(7):
        PortfolioFactory(cohort=cohort, learner=LearnerFactory(), assessor=assessor)
    built = []
    original = dashboard_selectors.RowBuilder.__call__
    monkeypatch.setattr(
        dashboard_selectors.RowBuilder, "__call__", lambda self, p: built.append(p.pk) or original(self, p)
    )
    client.force_login(tutor)

    response = client.get(reverse("portfolio:cohort_dashboard", args=[cohort.pk]) + "?page=3&sort=-coverage")

    assert response.context["total"] == 7
    assert len(built) == 2


def test_the_exports_are_streamed(client, tutor, cohort, assessor):
    PortfolioFactory(cohort=cohort, learner=LearnerFactory(), assessor=assessor)
    client.force_login(tutor)

    for name in ("portfolio:cohort_export_csv", "portfolio:cohort_export_xlsx"):
        response = client.get(reverse(name, args=[cohort.pk]))
        assert response.streaming
        assert b"".join(response.streaming_content)


def test_an_empty_cohort_exports_an_empty_file(client, tutor, cohort):
    client.force_login(tutor)

    response = client.get(reverse("portfolio:cohort_export_csv", args=[cohort.pk]))

    assert b"".join(response.streaming_content) == b"\n"


@pytest.mark.parametrize("seed", range(20))
def test_progress_from_counts_agrees_with_progress_over_time(seed):
    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    start, today = date(2026, 1, 5), date(2026, 1, 5) + timedelta(days=rng.randrange(1, 400))
    criteria = rng.randrange(1, 60)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    span = int((today - start).days * 86400 + 20 * 86400)
    evidenced_at = [
        sorted(first + timedelta(seconds=rng.randrange(span)) for _ in range(rng.randrange(criteria + 1)))
        for _ in range(rng.randrange(1, 40))
    ]
    days = dashboards.progress_dates(start, today)
    cutoffs = dashboards.progress_cutoffs(days, tz)
    counts = Counter()
    for learner, times in enumerate(evidenced_at):
        for at in times:
            point = next((i for i, cutoff in enumerate(cutoffs) if at < cutoff), None)
            if point is not None:
                counts[learner, point] += 1

    points = dashboards.progress_from_counts(
        [(learner, point, n) for (learner, point), n in counts.items()],
        learners=len(evidenced_at),
        total_criteria=criteria,
        days=days,
        start=start,
        end=start + timedelta(days=300),
    )

    assert points == dashboards.progress_over_time(
        evidenced_at,
        total_criteria=criteria,
        start=start,
        end=start + timedelta(days=300),
        today=today,
        tz=tz,
    )


@pytest.mark.parametrize("with_start", [True, False])
def test_the_chart_reads_what_the_dated_tallies_say(cohort, assessor, other_assessor, with_start):
    if not with_start:
        cohort.start_date = None
        cohort.save()
    random_cohort(cohort, assessor, other_assessor, learners=8, seed=7)
    rng = random.Random(7)
    for mapping in CriterionMapping.objects.all():
        CriterionMapping.objects.filter(pk=mapping.pk).update(
            created_at=timezone.now() - timedelta(days=rng.randrange(40), seconds=rng.randrange(86400))
        )
    ids = list(cohort.portfolios.order_by("pk").values_list("pk", flat=True))
    criteria = {c.pk for c in cohort.frameworks.get().criteria.all()}
    tallies = coverage_tallies(ids, with_dates=True)
    evidenced_at = [
        sorted(at for pk, at in tallies[i].evidenced_since.items() if pk in criteria) if i in tallies else []
        for i in ids
    ]

    points, learners = dashboard_selectors.cohort_progress(cohort)

    assert learners == len(ids)
    assert points == dashboards.progress_over_time(
        evidenced_at,
        total_criteria=len(criteria),
        start=cohort.start_date,
        end=cohort.end_date,
        today=timezone.localdate(),
        tz=timezone.get_current_timezone(),
    )
    assert points  # something to draw
    assert statistics.mean(p.median for p in points) >= 0
