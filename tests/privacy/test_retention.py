"""The retention job (privacy.erasure.apply_retention) reads the table (privacy.retention): it
anonymises and deletes only what has passed its period, records it in the data protection
trail, and leaves every kept version and file whole for verify_restore."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from core import integrity
from core.models import (
    AuditEntry,
    CriterionDecision,
    Export,
    Portfolio,
    PortfolioVersion,
    User,
    VersionFile,
    VersionOutcome,
)
from core.subject_data import registered_personal_records
from evidence.models import Evidence, WitnessRequest
from privacy import erasure
from privacy.models import PrivacyEntry
from privacy.retention import ASSESSMENT_RECORD, CREDENTIAL, TRAIL, WORKING_COPY, rule_for
from privacy.selectors import learner_status
from tests.factories import CohortFactory, LearnerFactory, PortfolioFactory
from tests.privacy.conftest import end_cohort

pytestmark = pytest.mark.django_db


def _verify_restore() -> str:
    out = StringIO()
    call_command("verify_restore", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def ended(assessed, learner):
    """The assessed learner, their cohort ended today; their end date is the sign-off, today."""
    end_cohort(learner, timezone.localdate())
    return learner


def test_the_end_date_is_the_sign_off_and_an_ended_course_is_not_active(ended):
    status = learner_status(ended)
    assert status.certified_on == timezone.localdate()
    assert status.end_date == timezone.localdate()
    assert not learner_status(ended, today=timezone.localdate() + timedelta(days=1)).active


def test_nothing_is_touched_before_the_working_period_has_passed(ended):
    day_before = timezone.localdate() + WORKING_COPY.keep_for - timedelta(days=1)

    assert erasure.apply_retention(today=day_before)["learners"] == 0
    assert Evidence.objects.filter(portfolio__learner=ended).exists()
    assert not PrivacyEntry.objects.filter(action="retention").exists()


def test_after_a_year_the_working_copy_goes_the_account_is_anonymised_and_the_record_stays(
    ended, filled, django_capture_on_commit_callbacks
):
    stored = filled["file"].file.name
    pdf = Export.objects.get().file.name
    year_on = timezone.localdate() + WORKING_COPY.keep_for

    with django_capture_on_commit_callbacks(execute=True):
        assert erasure.apply_retention(today=year_on + timedelta(days=1))["learners"] == 1

    ended.refresh_from_db()
    assert ended.username == f"erased-{ended.pk}"
    assert (ended.first_name, ended.last_name, ended.email, ended.is_active) == ("", "", "", False)
    assert not ended.has_usable_password()
    assert not Evidence.objects.filter(portfolio__learner=ended).exists()
    assert not WitnessRequest.objects.filter(portfolio__learner=ended).exists()
    assert not Export.objects.exists()
    assert not default_storage.exists(pdf)
    # The assessment record is kept: versions, their files, decisions, the audit trail.
    assert PortfolioVersion.objects.filter(portfolio__learner=ended).exists()
    assert CriterionDecision.objects.filter(version__portfolio__learner=ended).exists()
    assert AuditEntry.objects.filter(portfolio__learner=ended).exists()
    assert VersionFile.objects.filter(name=stored).exists()
    assert default_storage.exists(stored)  # the evidence file is the version's copy: it stays


def test_digests_and_files_still_verify_after_anonymisation(ended, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erasure.apply_retention(today=timezone.localdate() + WORKING_COPY.keep_for + timedelta(days=1))

    report = integrity.verify_integrity()
    assert report.ok, report.differences
    assert report.versions == 1
    assert "Every version and stored file matches its digest." in _verify_restore()


def test_the_trail_records_what_the_job_did(ended):
    erasure.apply_retention(today=timezone.localdate() + WORKING_COPY.keep_for + timedelta(days=1))

    entry = PrivacyEntry.objects.get(action=PrivacyEntry.Action.RETENTION)
    assert entry.subject_id == ended.pk
    assert entry.actor is None
    assert entry.details["portfolio.user"] == {"action": "anonymised", "count": 1}
    assert entry.details["evidence.evidence"]["action"] == "deleted"
    assert "portfolio.portfolioversion" not in entry.details
    assert ended.first_name not in entry.summary

    # A second run finds nothing more to do and writes nothing.
    erasure.apply_retention(today=timezone.localdate() + WORKING_COPY.keep_for + timedelta(days=2))
    assert PrivacyEntry.objects.filter(action=PrivacyEntry.Action.RETENTION).count() == 1


def test_after_the_assessment_period_the_record_goes_too_and_what_is_left_verifies(
    ended, filled, django_capture_on_commit_callbacks
):
    stored = filled["file"].file.name
    with django_capture_on_commit_callbacks(execute=True):
        erasure.apply_retention(today=timezone.localdate() + ASSESSMENT_RECORD.keep_for + timedelta(days=1))

    assert not Portfolio.objects.filter(learner=ended).exists()
    assert not PortfolioVersion.objects.exists()
    assert not AuditEntry.objects.exists()
    assert not default_storage.exists(stored)
    assert User.objects.filter(pk=ended.pk, username=f"erased-{ended.pk}").exists()
    assert integrity.verify_integrity().ok


def test_the_job_deletes_only_what_has_passed(ended):
    day = timezone.localdate() + WORKING_COPY.keep_for + timedelta(days=1)
    # A learner whose course ended eight months after ours, and one still on theirs that day.
    late, current = LearnerFactory(username="late"), LearnerFactory(username="current")
    for person, end in (
        (late, timezone.localdate() + timedelta(days=240)),
        (current, day + timedelta(days=10)),
    ):
        PortfolioFactory(cohort=CohortFactory(start_date=date(2020, 1, 1), end_date=end), learner=person)
    Portfolio.objects.filter(learner__in=[late, current]).update(
        last_activity_at=timezone.now() - timedelta(days=400)
    )

    erasure.apply_retention(today=day)

    assert set(PrivacyEntry.objects.values_list("subject_id", flat=True)) == {ended.pk}
    assert set(
        User.objects.filter(username__in=["late", "current"], is_active=True).values_list(
            "username", flat=True
        )
    ) == {
        "late",
        "current",
    }
    assert Evidence.objects.filter(portfolio__learner=ended).count() == 0


def test_an_active_learner_is_never_touched_whatever_the_date(assessed, learner):
    # The cohort still runs on the day asked about (its end date moved on).
    end_cohort(learner, timezone.localdate() + timedelta(days=5000))
    erasure.apply_retention(today=timezone.localdate() + ASSESSMENT_RECORD.keep_for + timedelta(days=1))
    assert Evidence.objects.filter(portfolio__learner=learner).exists()


def test_the_beat_schedule_runs_the_job_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == "privacy.tasks.apply_retention"
    assert entry["schedule"].hour == {settings.PRIVACY_RETENTION_HOUR}


def test_the_command_says_what_is_due_and_changes_nothing_in_a_dry_run(ended, other_learner):
    # Everything happened thirteen months ago.
    long_ago = timezone.now() - timedelta(days=400)
    end_cohort(ended, long_ago.date())
    VersionOutcome.objects.update(decided_at=long_ago)
    Portfolio.objects.update(last_activity_at=long_ago)

    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert f"learner {ended.pk} (end date {long_ago:%d/%m/%Y}): " in out.getvalue()
    assert "evidence (" in out.getvalue()
    assert "2 learner(s) with something due; nothing was changed." in out.getvalue()
    ended.refresh_from_db()
    assert ended.is_active

    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "2 learner(s) processed, 0 failed" in out.getvalue()
    ended.refresh_from_db()
    assert not ended.is_active


def test_one_learner_failing_does_not_stop_the_rest(ended, other_learner, monkeypatch):
    real = erasure.apply_plan

    def fail_for_ours(plan, **kwargs):
        if plan.learner.pk == ended.pk:
            raise RuntimeError("storage down")
        return real(plan, **kwargs)

    monkeypatch.setattr(erasure, "apply_plan", fail_for_ours)
    counts = erasure.apply_retention(today=timezone.localdate() + WORKING_COPY.keep_for + timedelta(days=1))

    assert counts["failed"] == 1
    assert counts["learners"] == 1  # the other learner of the same cohort
    other_learner.refresh_from_db()
    assert not other_learner.is_active


def test_every_kind_of_record_goes_once_its_period_has_passed_and_what_is_left_verifies(
    everything, learner, django_capture_on_commit_callbacks
):
    end_cohort(learner, timezone.localdate())
    registry = registered_personal_records()

    with django_capture_on_commit_callbacks(execute=True):
        erasure.apply_retention(today=timezone.localdate() + WORKING_COPY.keep_for + timedelta(days=1))
    left = {label for label, records in registry.items() if records.rows_about(learner.pk).exists()}
    kept = {label for label in left if rule_for(label).policy in (ASSESSMENT_RECORD, CREDENTIAL, TRAIL)}
    assert left - kept == {"portfolio.user"}  # anonymised
    assert "audit.versiondataset" in kept
    report = integrity.verify_integrity()
    assert report.ok, report.differences

    with django_capture_on_commit_callbacks(execute=True):
        erasure.apply_retention(today=timezone.localdate() + ASSESSMENT_RECORD.keep_for + timedelta(days=1))
    left = {label for label, records in registry.items() if records.rows_about(learner.pk).exists()}
    assert left == {"portfolio.user", "privacy.privacyentry"}
    report = integrity.verify_integrity()
    assert report.ok, report.differences
    assert report.file_records == 0  # nothing of theirs left in storage
