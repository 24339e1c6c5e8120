"""The internal quality assurer samples decisions and the assessor answers actions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessment import services as assessment
from core.models import AuditEntry, Notification, QualitySample
from tests.factories import IqaFactory
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(version, assessor, criteria):
    for criterion in criteria:
        decide(version, criterion, assessor, feedback="Clear evidence.")
    assessment.sign_off_version(version=version, comment="", actor=assessor)
    return version


def test_a_share_per_assessor_samples_at_least_one_decision_each(signed, iqa):
    candidates = list(signed.decisions.all())

    samples = assessment.sample_share(candidates=candidates, percent=34, actor=iqa, seed=1)

    assert len(samples) == 1
    assert AuditEntry.objects.filter(action="sampled").count() == 1


def test_the_iqa_samples_chosen_decisions_and_records_an_action_the_assessor_answers(
    client, signed, iqa, assessor
):
    decision = signed.decisions.first()
    client.force_login(iqa)
    client.post(reverse("portfolio:qa_sampling"), {"mode": "chosen", "decision": [decision.pk]})
    sample = QualitySample.objects.get()
    client.post(
        reverse("portfolio:qa_finding", args=[sample.pk]),
        {"finding": "action", "comment": "Say which message shows the escalation."},
    )

    client.force_login(assessor)
    page = client.get(reverse("portfolio:qa_actions")).content.decode()
    client.post(reverse("portfolio:qa_answer", args=[sample.pk]), {"response": "Feedback expanded."})

    sample.refresh_from_db()
    assert "Say which message shows the escalation." in page
    assert (sample.finding, sample.response) == ("action", "Feedback expanded.")
    assert list(AuditEntry.objects.filter(action__startswith="qa").values_list("action", flat=True)) == [
        "qa_finding",
        "qa_response",
    ]


def test_a_finding_is_recorded_once_and_an_action_needs_a_comment(signed, iqa):
    sample = assessment.sample_decisions(decisions=[signed.decisions.first()], actor=iqa)[0]
    with pytest.raises(assessment.AssessmentError, match="Describe the action"):
        assessment.record_finding(sample=sample, finding="action", comment="", actor=iqa)
    assessment.record_finding(sample=sample, finding="agreed", comment="", actor=iqa)
    with pytest.raises(assessment.AssessmentError, match="already been recorded"):
        assessment.record_finding(sample=sample, finding="action", comment="Redo", actor=iqa)


def test_a_quality_assurer_of_another_cohort_cannot_sample(signed):
    stranger = IqaFactory(username="iqa-elsewhere")
    with pytest.raises(assessment.AssessmentError):
        assessment.sample_decisions(decisions=[signed.decisions.first()], actor=stranger)
    assert not QualitySample.objects.exists()


def test_the_sampling_page_costs_a_fixed_number_of_queries(
    client, signed, iqa, django_assert_max_num_queries
):
    client.force_login(iqa)
    # session + user, cohorts and assessors to filter by, count and page of candidates, samples
    with django_assert_max_num_queries(7):
        response = client.get(reverse("portfolio:qa_sampling"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 3


@pytest.mark.parametrize(
    ("finding", "comment", "subject"),
    [
        ("action", "Say which message shows the escalation.", "Quality assurance asks you to act on {place}"),
        ("agreed", "", "Quality assurance agrees with your decision on {place}"),
    ],
)
def test_the_finding_is_told_to_the_assessor_naming_the_learner_and_version(
    signed, iqa, assessor, learner, finding, comment, subject
):
    decision = signed.decisions.order_by("criterion__order").first()
    sample = assessment.sample_decisions(decisions=[decision], actor=iqa)[0]

    assessment.record_finding(sample=sample, finding=finding, comment=comment, actor=iqa)

    note = Notification.objects.filter(recipient=assessor).latest("pk")
    place = f"{decision.criterion.code} for {learner.display_name}, version 1"
    assert note.subject == subject.format(place=place)
    assert note.body == comment


def test_the_assessors_answer_is_told_to_the_quality_assurer_naming_the_learner(
    signed, iqa, assessor, learner
):
    decision = signed.decisions.order_by("criterion__order").first()
    sample = assessment.sample_decisions(decisions=[decision], actor=iqa)[0]
    assessment.record_finding(sample=sample, finding="action", comment="Cite the transcript.", actor=iqa)

    assessment.answer_action(sample=sample, response="Feedback now cites it.", actor=assessor)

    note = Notification.objects.get(recipient=iqa)
    assert note.subject == (
        f"{assessor.display_name} answered your action on {decision.criterion.code} "
        f"for {learner.display_name}, version 1"
    )


def test_a_subject_naming_a_very_long_name_still_fits(signed, iqa, assessor, learner):
    learner.last_name = "Montgomery-" * 13  # 143 characters
    learner.save()
    sample = assessment.sample_decisions(decisions=[signed.decisions.first()], actor=iqa)[0]

    assessment.record_finding(sample=sample, finding="agreed", comment="", actor=iqa)

    subject = Notification.objects.filter(recipient=assessor).latest("pk").subject
    assert len(subject) <= Notification._meta.get_field("subject").max_length
    assert subject.startswith("Quality assurance agrees with your decision on ")
    assert subject.endswith("…")
