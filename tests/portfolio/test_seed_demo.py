from __future__ import annotations

import pytest
from django.core.management import call_command

from core.models import Cohort, Framework, Membership, Portfolio, User

pytestmark = pytest.mark.django_db


def test_it_creates_the_fixed_demo_logins(capsys, settings):
    call_command("seed_demo", learners=4)

    out = capsys.readouterr().out
    for username in ("tutor", "assessor", "iqa", "learner", "learner2", "learner3", "learner4"):
        user = User.objects.get(username=username)
        assert user.check_password(settings.DEMO_PASSWORD)
        assert username in out
    assert settings.DEMO_PASSWORD in out
    cohort = Cohort.objects.get()
    assert set(cohort.frameworks.values_list("code", flat=True)) == {"CFACSD22", "CSSMS"}
    assert Membership.objects.filter(cohort=cohort).count() == 3
    assert Portfolio.objects.filter(cohort=cohort, assessor__username="assessor").count() == 4


def test_running_it_again_duplicates_nothing(capsys):
    call_command("seed_demo", learners=3)
    counts = (
        User.objects.count(),
        Portfolio.objects.count(),
        Membership.objects.count(),
        Framework.objects.count(),
    )

    call_command("seed_demo", learners=3)

    assert (
        User.objects.count(),
        Portfolio.objects.count(),
        Membership.objects.count(),
        Framework.objects.count(),
    ) == counts
    assert "already present" in capsys.readouterr().out


def test_it_makes_large_cohorts_for_benchmarks():
    call_command("seed_demo", learners=120)

    assert Portfolio.objects.count() == 120
    assert User.objects.filter(username="learner120", role="learner").exists()


def test_the_demo_password_can_be_set(settings):
    settings.DEMO_PASSWORD = "another-demo-secret"

    call_command("seed_demo", learners=1)

    assert User.objects.get(username="learner").check_password("another-demo-secret")


def test_it_refuses_a_cohort_without_learners():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo", learners=0)


def test_the_demo_has_a_history_for_the_progress_chart():
    from datetime import timedelta

    from django.utils import timezone

    from dashboards import selectors as dashboard_selectors
    from evidence.models import CriterionMapping, Evidence

    call_command("seed_demo", learners=3)
    cohort = Cohort.objects.get()
    amira = Portfolio.objects.get(learner__username="learner")
    made = list(amira.evidence.order_by("pk").values_list("created_at", flat=True))

    assert made == sorted(made)
    assert timezone.localtime(made[0]).date() > cohort.start_date
    assert made[-1] < cohort.created_at - timedelta(days=1)
    assert not CriterionMapping.objects.exclude(created_at__in=Evidence.objects.values("created_at")).exists()
    points, _learners = dashboard_selectors.cohort_progress(cohort)
    assert len({p.upper for p in points}) > 3  # the chart climbs week by week

    call_command("seed_demo", learners=3)
    assert list(amira.evidence.order_by("pk").values_list("created_at", flat=True)) == made
