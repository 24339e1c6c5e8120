"""Feedback threads and annotations as services: who takes part, what is refused, what is kept
(append-only), what the trail records and who is told."""

from __future__ import annotations

import pytest

from assessment import previews, thread_selectors
from assessment import services as assessment
from assessment import thread_services as threads
from assessment.models import Annotation, Thread, ThreadMessage
from core.models import AuditEntry, Notification
from tests.factories import CohortFactory, CriterionFactory, UserFactory
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _without_the_submission_notice(version):
    """The assessor was told of the submission: only the threads' notifications are checked."""
    Notification.objects.all().delete()


def _post(version, actor, body="Where is the weekend data?", **about):
    about = about or {"evidence_id": version.snapshot["parts"]["evidence"]["items"][1]["id"]}
    return threads.post_message(version=version, body=body, actor=actor, **about)


def test_the_assessor_starts_a_thread_on_a_criterion_and_the_learner_is_told(
    version, assessor, learner, criteria
):
    message = threads.post_message(
        version=version, criterion=criteria[1], body="Which week do the times cover?", actor=assessor
    )

    thread = Thread.objects.get()
    assert (thread.version, thread.criterion, thread.evidence_id) == (version, criteria[1], None)
    assert message.thread == thread
    assert message.author == assessor
    note = Notification.objects.get()
    assert note.recipient == learner
    assert criteria[1].code in note.subject
    assert "version 1" in note.subject
    assert note.body == "Which week do the times cover?"
    assert note.url.endswith(f"/versions/1/criteria/{criteria[1].pk}/thread/")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DISCUSSED)
    assert entry.version == version
    assert entry.actor == assessor
    assert "Which week do the times cover?" in entry.summary


def test_an_answer_goes_into_the_same_thread_and_tells_everyone_who_took_part(
    version, assessor, learner, iqa, criteria
):
    threads.post_message(version=version, criterion=criteria[1], body="Which week?", actor=assessor)
    threads.post_message(version=version, criterion=criteria[1], body="Is the sample enough?", actor=iqa)
    Notification.objects.all().delete()

    threads.post_message(
        version=version, criterion=criteria[1], body="The first week of March.", actor=learner
    )

    assert Thread.objects.count() == 1
    assert ThreadMessage.objects.count() == 3
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"assessor1", "iqa1"}


def test_an_evidence_thread_names_the_item_and_links_to_it_on_the_version_page(version, assessor, filled):
    _post(version, assessor, evidence_id=filled["file"].pk)

    assert Thread.objects.get().evidence_id == filled["file"].pk
    note = Notification.objects.get()
    assert "Weekend response screenshot" in note.subject
    assert note.url.endswith(f"/versions/1/#thread-evidence-{filled['file'].pk}")


@pytest.mark.parametrize("who", ["learner", "assessor", "iqa", "staff"])
def test_participants_may_post(version, who, request, criteria):
    actor = request.getfixturevalue(who)

    threads.post_message(version=version, criterion=criteria[0], body="A question.", actor=actor)

    assert ThreadMessage.objects.count() == 1


@pytest.mark.parametrize("who", ["tutor", "other_assessor", "other_learner"])
def test_others_may_not_post_and_nothing_is_kept(version, who, request, criteria):
    actor = request.getfixturevalue(who)

    with pytest.raises(assessment.AssessmentError, match="take part"):
        threads.post_message(version=version, criterion=criteria[0], body="A question.", actor=actor)

    assert not Thread.objects.exists()
    assert not AuditEntry.objects.filter(action="discussed").exists()


def test_a_quality_assurer_of_another_cohort_may_not_post(version, criteria, cohort):
    stranger = UserFactory(username="iqa9", role="iqa")
    CohortFactory().memberships.create(user=stranger, role="iqa")

    assert not threads.may_post(stranger, version.portfolio)


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write your message first."), ("   \n ", "Write your message first."), ("x" * 4001, "under 4000")],
)
def test_an_empty_or_overlong_message_is_refused_and_nothing_is_kept(
    version, assessor, criteria, body, message
):
    with pytest.raises(assessment.AssessmentError, match=message):
        threads.post_message(version=version, criterion=criteria[0], body=body, actor=assessor)

    assert not Thread.objects.exists()
    assert not Notification.objects.exists()


def test_an_item_not_in_the_snapshot_or_a_criterion_of_another_framework_is_refused(version, assessor):
    with pytest.raises(assessment.AssessmentError, match="not part of this version"):
        threads.post_message(version=version, evidence_id=999999, body="Hello", actor=assessor)
    with pytest.raises(assessment.AssessmentError, match="not part of this cohort"):
        threads.post_message(version=version, criterion=CriterionFactory(), body="Hello", actor=assessor)
    assert not Thread.objects.exists()


def test_messages_and_annotations_are_append_only(version, assessor, criteria, filled):
    message = threads.post_message(version=version, criterion=criteria[0], body="First.", actor=assessor)
    annotation = threads.annotate_evidence(
        version=version, evidence_id=filled["file"].pk, body="Cropped.", actor=assessor
    )

    for record in (message, message.thread, annotation):
        record.body = "Changed." if hasattr(record, "body") else None
        with pytest.raises(ValueError, match="append-only"):
            record.save()
        with pytest.raises(ValueError, match="append-only"):
            record.delete()
    message.refresh_from_db()
    assert message.body == "First."


def test_a_resubmitted_portfolio_keeps_the_earlier_threads_readable_from_the_new_version(
    version, assessor, learner, criteria
):
    threads.post_message(version=version, criterion=criteria[1], body="Show the weekends.", actor=assessor)
    decide(version, criteria[1], assessor, status="not_yet_met", feedback="Weekends missing.")
    assessment.return_version(version=version, comment="Nearly.", actor=assessor)
    second = assessment.submit_portfolio(portfolio=version.portfolio, declaration_signed=True, actor=learner)

    with pytest.raises(assessment.AssessmentError, match="continues there"):
        threads.post_message(version=version, criterion=criteria[1], body="Late reply.", actor=learner)
    panel = thread_selectors.discussion(second, learner).panel(
        thread_selectors.ThreadTarget(second, criterion=criteria[1])
    )

    assert panel.thread is None
    assert panel.may_post
    assert [(e.number, [m.body for m in e.messages]) for e in panel.earlier] == [(1, ["Show the weekends."])]
    old = thread_selectors.discussion(version, learner).panel(
        thread_selectors.ThreadTarget(version, criterion=criteria[1])
    )
    assert not old.may_post
    assert "Version 2 has been submitted" in old.closed_reason


def test_the_assessor_pins_an_annotation_to_a_point_of_an_image(version, assessor, learner, filled):
    annotation = threads.annotate_evidence(
        version=version,
        evidence_id=filled["file"].pk,
        body="The time stamp is cut off.",
        actor=assessor,
        x=0.25,
        y=0.5,
    )

    assert (annotation.x, annotation.y, annotation.page) == (0.25, 0.5, None)
    assert (annotation.across, annotation.down) == (25, 50)
    assert Notification.objects.get().recipient == learner
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ANNOTATED, version=version).exists()


@pytest.mark.parametrize(
    ("point", "message"),
    [
        ({"x": 0.2}, "both positions"),
        ({"x": 1.5, "y": 0.2}, "on the image"),
        ({"page": 2}, "Only a PDF"),
    ],
)
def test_a_point_off_the_image_or_a_page_of_an_image_is_refused(version, assessor, filled, point, message):
    with pytest.raises(assessment.AssessmentError, match=message):
        threads.annotate_evidence(
            version=version, evidence_id=filled["file"].pk, body="Here.", actor=assessor, **point
        )
    assert not Annotation.objects.exists()


def test_the_assessor_pins_an_annotation_to_a_page_of_a_pdf(pdf_version, assessor, learner):
    version, brief = pdf_version
    assert previews.render_pdf(version.files.get(evidence_id=brief.pk).pk) == "ready"

    annotation = threads.annotate_evidence(
        version=version, evidence_id=brief.pk, body="The rota is on this page.", actor=assessor, page=1
    )

    assert (annotation.page, annotation.x, annotation.y) == (1, None, None)
    assert Notification.objects.get(subject__contains="annotated").recipient == learner
    assert "(page 1)" in AuditEntry.objects.get(action=AuditEntry.Action.ANNOTATED).summary


def test_a_page_beyond_the_pdfs_pages_is_refused(pdf_version, assessor):
    version, brief = pdf_version
    previews.render_pdf(version.files.get(evidence_id=brief.pk).pk)

    for page, message in ((9999, r"The PDF has 1 page: there is no page 9999\."), (0, "numbered from 1")):
        with pytest.raises(assessment.AssessmentError, match=message):
            threads.annotate_evidence(
                version=version, evidence_id=brief.pk, body="Here.", actor=assessor, page=page
            )
    assert not Annotation.objects.exists()


def test_a_point_on_a_transcript_is_refused(version, assessor, filled):
    with pytest.raises(assessment.AssessmentError, match="Only an image"):
        threads.annotate_evidence(
            version=version, evidence_id=filled["transcript"].pk, body="Here.", actor=assessor, x=0.1, y=0.1
        )


@pytest.mark.parametrize("who", ["learner", "tutor", "other_assessor"])
def test_only_the_assessor_and_quality_assurance_annotate(version, filled, who, request):
    with pytest.raises(assessment.AssessmentError, match="annotate"):
        threads.annotate_evidence(
            version=version, evidence_id=filled["file"].pk, body="Mine.", actor=request.getfixturevalue(who)
        )
    assert not Annotation.objects.exists()


def test_quality_assurance_annotates_too(version, filled, iqa):
    threads.annotate_evidence(version=version, evidence_id=filled["file"].pk, body="Check this.", actor=iqa)

    assert Annotation.objects.get().author == iqa


def test_a_versions_discussion_costs_a_fixed_number_of_queries(
    version, assessor, learner, iqa, criteria, filled, django_assert_num_queries
):
    for criterion in criteria:
        for author in (assessor, learner, iqa):
            threads.post_message(version=version, criterion=criterion, body="A word.", actor=author)
    threads.annotate_evidence(version=version, evidence_id=filled["file"].pk, body="Note.", actor=assessor)
    threads.annotate_evidence(version=version, evidence_id=filled["file"].pk, body="More.", actor=iqa)

    # the threads of this and earlier versions; their messages with authors; the annotations
    # with authors; the latest version's number
    with django_assert_num_queries(4):
        found = thread_selectors.discussion(version, learner)
        panels = [found.panel(thread_selectors.ThreadTarget(version, criterion=c)) for c in criteria]
        [m.author.display_name for p in panels for m in p.messages]
    # and, for someone neither learner, assessor nor staff, whether they quality-assure the cohort
    with django_assert_num_queries(5):
        thread_selectors.discussion(version, iqa)
    assert sum(len(p.messages) for p in panels) == 3 * len(criteria)
