"""The thread pages and fragments, posting with and without htmx, annotating, and what the
version page shows; hostile input stores nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import previews
from assessment import services as assessment
from assessment import thread_services as threads
from assessment.models import Annotation, Thread, ThreadMessage
from tests.factories import CriterionFactory
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _criterion_url(version, criterion):
    return reverse("portfolio:criterion_thread", args=[version.portfolio_id, version.number, criterion.pk])


def _evidence_url(version, evidence_id):
    return reverse("portfolio:evidence_thread", args=[version.portfolio_id, version.number, evidence_id])


def _annotate_url(version, evidence_id):
    return reverse("portfolio:annotate_evidence", args=[version.portfolio_id, version.number, evidence_id])


def _version_url(version):
    return reverse("portfolio:version_detail", args=[version.portfolio_id, version.number])


def test_htmx_gets_the_criterion_thread_alone(client, version, assessor, criteria):
    threads.post_message(version=version, criterion=criteria[1], body="Which week?", actor=assessor)
    client.force_login(assessor)

    response = client.get(_criterion_url(version, criteria[1]) + "?heading=4", **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section class="thread"')
    assert "<html" not in page
    assert f'<h4 class="h6 mb-2" id="thread-criterion-{criteria[1].pk}-title">' in page
    assert "Which week?" in page
    assert 'hx-post="' in page


def test_without_htmx_the_thread_is_a_page(client, version, learner, criteria):
    client.force_login(learner)

    response = client.get(_criterion_url(version, criteria[1]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert criteria[1].text in page
    assert "No message on version 1 yet." in page


def test_posting_with_htmx_swaps_in_the_new_message(client, version, assessor, learner, criteria):
    client.force_login(assessor)

    response = client.post(_criterion_url(version, criteria[1]), {"body": "Which <b>week</b>?"}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Which &lt;b&gt;week&lt;/b&gt;?" in page  # escaped
    assert "Your message was sent." in page
    assert "</textarea>" in page  # an empty form to write the next one
    assert ThreadMessage.objects.get().author == assessor
    assert learner.notifications.filter(subject__contains=criteria[1].code).exists()


def test_posting_without_htmx_redirects_back_to_the_thread(client, version, learner, criteria, filled):
    client.force_login(learner)

    on_criterion = client.post(_criterion_url(version, criteria[1]), {"body": "The first week."})
    on_item = client.post(_evidence_url(version, filled["file"].pk), {"body": "It is cropped."})

    assert on_criterion.status_code == 302
    assert on_criterion.url == _criterion_url(version, criteria[1])
    assert on_item.url == f"{_version_url(version)}#thread-evidence-{filled['file'].pk}"
    assert ThreadMessage.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "reason"), [("  ", "Write your message first."), ("x" * 4001, "under 4000")]
)
def test_an_empty_or_overlong_message_is_refused_beside_the_form(
    client, version, assessor, criteria, body, reason
):
    client.force_login(assessor)

    plain = client.post(_criterion_url(version, criteria[1]), {"body": body})
    swapped = client.post(_criterion_url(version, criteria[1]), {"body": body}, **HTMX)

    assert plain.status_code == 400
    assert "<html" in plain.content.decode()
    assert swapped.status_code == 200  # htmx swaps only successful answers
    for response in (plain, swapped):
        page = response.content.decode()
        assert reason in page
        assert "Your message was not sent." in page
        assert 'aria-invalid="true"' in page
    assert not Thread.objects.exists()


def test_the_typed_message_is_kept_when_refused(client, version, assessor, criteria):
    client.force_login(assessor)

    response = client.post(_criterion_url(version, criteria[1]), {"body": "y" * 4001}, **HTMX)

    assert f">{'y' * 4001}</textarea>" in response.content.decode()


def test_an_item_not_in_the_snapshot_is_404(client, version, assessor, filled):
    client.force_login(assessor)
    section = filled["section"].pk  # a section is not an evidence item to discuss

    for url in (
        _evidence_url(version, 999999),
        _evidence_url(version, section),
        _annotate_url(version, 999999),
    ):
        assert client.post(url, {"body": "Hello", "x": "", "y": ""}).status_code == 404
    assert client.get(_evidence_url(version, 999999)).status_code == 404
    assert not Thread.objects.exists()
    assert not Annotation.objects.exists()


def test_a_criterion_of_another_framework_is_404(client, version, assessor):
    client.force_login(assessor)

    response = client.post(_criterion_url(version, CriterionFactory()), {"body": "Hello"})

    assert response.status_code == 404
    assert not Thread.objects.exists()


def test_someone_elses_version_is_404(client, version, other_learner, other_assessor, criteria):
    for outsider in (other_learner, other_assessor):
        client.force_login(outsider)
        assert client.get(_criterion_url(version, criteria[0])).status_code == 404
        assert client.post(_criterion_url(version, criteria[0]), {"body": "Hi"}).status_code == 404
    assert not Thread.objects.exists()


def test_a_tutor_reads_but_may_not_post(client, version, tutor, assessor, criteria):
    threads.post_message(version=version, criterion=criteria[0], body="Which week?", actor=assessor)
    client.force_login(tutor)

    page = client.get(_criterion_url(version, criteria[0]), **HTMX).content.decode()
    response = client.post(_criterion_url(version, criteria[0]), {"body": "Me too"})

    assert "Which week?" in page
    assert "<form" not in page
    assert response.status_code == 403
    assert ThreadMessage.objects.count() == 1


def test_a_learner_trying_to_annotate_is_refused(client, version, learner, filled):
    client.force_login(learner)

    response = client.post(_annotate_url(version, filled["file"].pk), {"body": "My own note"})

    assert response.status_code == 403
    assert not Annotation.objects.exists()


def test_the_assessor_annotates_an_image_point_with_htmx(client, version, assessor, learner, filled):
    client.force_login(assessor)

    response = client.post(
        _annotate_url(version, filled["file"].pk),
        {"body": "Time stamp cut off.", "x": "25", "y": "50"},
        **HTMX,
    )

    page = response.content.decode()
    annotation = Annotation.objects.get()
    assert (annotation.x, annotation.y) == (0.25, 0.5)
    assert (
        'class="btn btn-sm btn-warning rounded-circle position-absolute translate-middle annotation-marker"'
        in page
    )
    assert f'data-entry="annotation-{annotation.pk}"' in page
    assert 'aria-label="Annotation 1: Time stamp cut off."' in page
    assert "marker 1 on the image, 25% across, 50% down" in page
    assert learner.notifications.filter(subject__contains="annotated").exists()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"body": "", "x": "", "y": ""}, "Write your annotation first."),
        ({"body": "Here", "x": "120", "y": "3"}, "from 0 to 100"),
        ({"body": "Here", "x": "nan", "y": "3"}, "from 0 to 100"),
        ({"body": "Here", "x": "abc", "y": "3"}, "from 0 to 100"),
        ({"body": "Here", "x": "5", "y": ""}, "both positions"),
        ({"body": "Here", "page": "2"}, "Only a PDF"),
        ({"body": "Here", "page": "-1"}, "whole number from 1"),
        ({"body": "z" * 2001}, "under 2000"),
    ],
)
def test_a_bad_annotation_is_refused_and_nothing_is_kept(client, version, assessor, filled, data, reason):
    client.force_login(assessor)

    plain = client.post(_annotate_url(version, filled["file"].pk), data)
    swapped = client.post(_annotate_url(version, filled["file"].pk), data, **HTMX)

    assert plain.status_code == 400
    assert swapped.status_code == 200
    for response in (plain, swapped):
        assert reason in response.content.decode()
        assert "The annotation was not saved." in response.content.decode()
    assert not Annotation.objects.exists()


def test_a_page_annotation_on_a_pdf_is_stored_and_shown(client, pdf_version, assessor):
    version, brief = pdf_version
    previews.render_pdf(version.files.get(evidence_id=brief.pk).pk)  # the worker counts its pages
    client.force_login(assessor)

    saved = client.post(_annotate_url(version, brief.pk), {"body": "The rota is here.", "page": "1"}, **HTMX)
    beyond = client.post(_annotate_url(version, brief.pk), {"body": "And here.", "page": "9999"}, **HTMX)

    assert Annotation.objects.get().page == 1
    assert "The rota is here." in saved.content.decode()
    assert "· page 1" in saved.content.decode()
    refused = beyond.content.decode()
    assert "The PDF has 1 page: there is no page 9999. The annotation was not saved." in refused
    assert f'id="annotate-{brief.pk}-page" value="9999" aria-invalid="true"' in refused
    assert "· page 1" in client.get(_version_url(version)).content.decode()


def test_annotating_without_htmx_redirects_to_the_item_on_the_version_page(client, version, assessor, filled):
    client.force_login(assessor)

    response = client.post(_annotate_url(version, filled["file"].pk), {"body": "Cropped."})

    assert response.url == f"{_version_url(version)}#annotations-{filled['file'].pk}"


def test_the_version_page_shows_each_items_discussion_and_annotations_to_the_learner(
    client, version, assessor, learner, filled
):
    threads.post_message(
        version=version, evidence_id=filled["file"].pk, body="Is this a weekday?", actor=assessor
    )
    threads.annotate_evidence(
        version=version, evidence_id=filled["file"].pk, body="Clock hidden.", actor=assessor, x=0.1, y=0.9
    )
    client.force_login(learner)

    page = client.get(_version_url(version)).content.decode()

    assert "Discuss (1 message)" in page
    assert "Is this a weekday?" in page
    assert f'id="thread-evidence-{filled["file"].pk}"' in page
    assert f'id="thread-evidence-{filled["transcript"].pk}"' in page
    assert "Clock hidden." in page
    assert "annotation-marker" in page
    assert "Annotate this item" not in page  # the learner reads annotations
    assert "js/threads" in page


def test_the_version_page_lists_the_conversations_about_criteria(
    client, version, assessor, learner, criteria
):
    threads.post_message(
        version=version, criterion=criteria[2], body="Explain the escalation.", actor=assessor
    )
    client.force_login(learner)

    page = client.get(_version_url(version)).content.decode()

    assert "Conversations about criteria" in page
    assert _criterion_url(version, criteria[2]) in page


def test_after_resubmission_the_new_version_shows_the_earlier_conversation(
    client, version, assessor, learner, criteria, filled
):
    threads.post_message(version=version, evidence_id=filled["file"].pk, body="Crop it less.", actor=assessor)
    decide(version, criteria[1], assessor, status="not_yet_met", feedback="Weekends.")
    assessment.return_version(version=version, comment="Nearly.", actor=assessor)
    assessment.submit_portfolio(portfolio=version.portfolio, declaration_signed=True, actor=learner)
    client.force_login(learner)

    second = client.get(reverse("portfolio:version_detail", args=[version.portfolio_id, 2])).content.decode()
    first = client.get(_version_url(version)).content.decode()
    late = client.post(_evidence_url(version, filled["file"].pk), {"body": "Late."})

    assert "Earlier conversation on version 1 (1 message)" in second
    assert "Crop it less." in second
    assert "Version 2 has been submitted since: the conversation continues there." in first
    assert late.status_code == 400
    assert ThreadMessage.objects.count() == 1


def test_the_version_page_costs_the_same_queries_with_many_threads(
    client, version, assessor, learner, iqa, criteria, filled, django_assert_num_queries
):
    threads.post_message(version=version, criterion=criteria[0], body="A word.", actor=assessor)
    client.force_login(learner)
    client.get(_version_url(version))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(_version_url(version))
    for criterion in criteria[:5]:
        for author in (assessor, learner, iqa):
            threads.post_message(version=version, criterion=criterion, body="A word.", actor=author)
    for item_id in (filled["file"].pk, filled["transcript"].pk):
        for author in (assessor, learner):
            threads.post_message(version=version, evidence_id=item_id, body="About this item.", actor=author)
        threads.annotate_evidence(version=version, evidence_id=item_id, body="Note.", actor=assessor)

    # The version page's own queries, and the discussion's: this version's and the earlier
    # versions' threads, their messages with authors, the annotations with authors, the latest
    # version's number. None of them repeats per thread, message, item or annotation.
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(_version_url(version))

    assert response.content.decode().count("A word.") == 0  # criterion threads are linked, not drawn
    assert response.content.decode().count("About this item.") == 4


def test_the_criterion_fragment_costs_the_same_queries_with_many_messages(
    client, version, assessor, learner, iqa, criteria, django_assert_num_queries
):
    threads.post_message(version=version, criterion=criteria[1], body="One.", actor=assessor)
    client.force_login(assessor)
    client.get(_criterion_url(version, criteria[1]), **HTMX)
    with CaptureQueriesContext(connection) as one:
        client.get(_criterion_url(version, criteria[1]), **HTMX)
    for author in (learner, iqa, assessor) * 10:
        threads.post_message(version=version, criterion=criteria[1], body="More.", actor=author)

    # session and user; portfolio; version; criterion; the discussion (threads, messages with
    # authors, annotations, latest version number)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(_criterion_url(version, criteria[1]), **HTMX)

    assert response.content.decode().count("More.") == 30
