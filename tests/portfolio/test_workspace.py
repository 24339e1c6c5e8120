"""The marking workspace: who may open it and who may decide in it, the criteria grouped with
their states and filters, a group marked met in one action, the outcome once all are decided,
and a number of queries that does not grow with criteria or evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment import services as assessment
from assessment import workspace as ws
from core.models import CriterionDecision, Framework, VersionOutcome
from evidence import witness
from evidence.records import update_observation
from tests.evidence.factories import EvidenceFactory, MappingFactory, make_observation, observation_data
from tests.factories import CriterionFactory, CriterionGroupFactory, FrameworkFactory
from tests.portfolio.conftest import decide

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(version, name="workspace", *extra):
    return reverse(f"portfolio:{name}", args=[version.portfolio_id, version.number, *extra])


def _standard_and_unit(cohort, performance=3, knowledge=2, unit=2):
    """A standard with performance (P) and knowledge (K) groups, and a unit: the demo's shape."""
    standard = FrameworkFactory(code="NOS", kind=Framework.Kind.STANDARD)
    p = CriterionGroupFactory(framework=standard, code="A", kind="performance", order=1)
    k = CriterionGroupFactory(framework=standard, code="K", kind="knowledge", order=2)
    for i in range(1, performance + 1):
        CriterionFactory(group=p, code=f"P{i}", order=i)
    for i in range(1, knowledge + 1):
        CriterionFactory(group=k, code=f"K{i}", order=i)
    unit_fw = FrameworkFactory(code="UNIT", kind=Framework.Kind.UNIT, title="The unit")
    outcome = CriterionGroupFactory(framework=unit_fw, code="1", kind="outcome", order=1)
    for i in range(1, unit + 1):
        CriterionFactory(group=outcome, code=f"1.{i}", order=i)
    cohort.frameworks.set([standard, unit_fw])
    return list(standard.criteria.order_by("group__order", "order")) + list(
        unit_fw.criteria.order_by("order")
    )


@pytest.fixture
def marked(cohort, learner):
    """A waiting version over a standard (3 P, 2 K) and a unit (2), with evidence mapped."""
    criteria = _standard_and_unit(cohort)
    portfolio = learner.portfolios.get()
    reflection = EvidenceFactory(portfolio=portfolio, title="Weekend backlog")
    claim = EvidenceFactory(portfolio=portfolio, title="A claim")
    MappingFactory(evidence=reflection, criterion=criteria[0], note="Explains the backlog.")
    MappingFactory(evidence=claim, criterion=criteria[1], note="")  # claimed, no note
    version = assessment.submit_portfolio(portfolio=portfolio, declaration_signed=True, actor=learner)
    return version, criteria


# --- Who may open it, who may decide -------------------------------------------------------------


def test_the_assessor_gets_the_forms(client, assessor, marked):
    version, _criteria = marked
    client.force_login(assessor)

    page = client.get(_url(version)).content.decode()

    assert 'id="ws-decision"' in page
    assert "Mark all of this group met" in page
    assert "0 of 7 decided" in page


@pytest.mark.parametrize("who", ["tutor", "iqa", "learner"])
def test_others_who_may_read_the_portfolio_open_it_read_only(client, request, who, marked):
    version, criteria = marked
    client.force_login(request.getfixturevalue(who))

    page = client.get(_url(version)).content.decode()
    panel = client.get(_url(version, "workspace_panel", criteria[1].pk), **HTMX)

    assert 'id="ws-readonly"' in page
    assert 'id="ws-decision"' not in page
    assert "Mark all of this group met" not in page
    assert panel.status_code == 200
    assert 'id="ws-decision"' not in panel.content.decode()


def test_others_cannot_decide_or_mark_a_group(client, tutor, marked):
    version, criteria = marked
    client.force_login(tutor)

    one = client.post(_url(version, "decide", criteria[0].pk), {"status": "met"}, **HTMX)
    group = client.post(_url(version, "decide_group"), {"group": "NOS-performance"}, **HTMX)

    assert one.status_code == 403
    assert group.status_code == 403
    assert not CriterionDecision.objects.exists()


def test_someone_who_may_not_read_the_portfolio_gets_404(client, outsider, marked):
    version, criteria = marked
    client.force_login(outsider)

    assert client.get(_url(version)).status_code == 404
    assert client.get(_url(version, "workspace_panel", criteria[0].pk), **HTMX).status_code == 404


def test_a_signed_off_version_opens_read_only_for_its_assessor(client, assessor, marked):
    version, criteria = marked
    for criterion in criteria:
        decide(version, criterion, assessor)
    assessment.sign_off_version(version=version, comment="", actor=assessor)
    client.force_login(assessor)

    page = client.get(_url(version)).content.decode()

    assert "Read only: this version has been signed off." in page
    assert 'id="ws-decision"' not in page


# --- The list: groups, states, filters -----------------------------------------------------------


def test_criteria_are_grouped_p_k_and_unit_with_states_and_counts(client, assessor, marked):
    version, criteria = marked
    decide(version, criteria[0], assessor)
    decide(version, criteria[3], assessor, status="not_yet_met", feedback="Say how.")

    space = ws.build(version)

    assert [g.title for g in space.groups] == [
        "NOS performance criteria",
        "NOS knowledge and understanding",
        "UNIT unit: The unit",
    ]
    assert [len(g.rows) for g in space.groups] == [3, 2, 2]
    assert [r.state for r in space.groups[0].rows] == ["met", "undecided", "undecided"]
    assert space.groups[1].counts["not_yet_met"] == 1
    assert (space.decided, space.total) == (2, 7)
    client.force_login(assessor)
    page = client.get(_url(version)).content.decode()
    assert "2 of 7 decided" in page
    assert 'class="ws-chip ws-chip--not_yet_met">Not yet met</span>' in page


def test_the_filters_keep_undecided_not_yet_met_and_claimed_only(client, assessor, marked):
    version, criteria = marked
    decide(version, criteria[0], assessor)
    decide(version, criteria[2], assessor, status="not_yet_met", feedback="Say how.")

    def shown(wanted):
        return [r.criterion.code for g in ws.build(version, wanted=wanted).groups for r in g.shown]

    assert shown("undecided") == ["P2", "K1", "K2", "1.1", "1.2"]
    assert shown("not_yet_met") == ["P3"]
    assert shown("claimed_only") == ["P2"]  # its one mapping has no note
    assert shown("changed") == []  # a first version: nothing to compare with
    client.force_login(assessor)
    page = client.get(_url(version), {"filter": "claimed_only"}).content.decode()
    assert f'id="ws-item-{criteria[1].pk}"' in page
    assert f'id="ws-item-{criteria[0].pk}"' not in page


def test_changed_since_the_last_version_marks_criteria_whose_evidence_changed(
    client, assessor, learner, marked
):
    version, criteria = marked
    decide(version, criteria[0], assessor, status="not_yet_met", feedback="Add the weekend data.")
    assessment.return_version(version=version, comment="", actor=assessor)
    reflection = version.portfolio.evidence.get(title="Weekend backlog")
    reflection.body = "Now with the weekend data."
    reflection.save()
    MappingFactory(evidence=reflection, criterion=criteria[4], note="Also the K2 point.")

    second = assessment.submit_portfolio(portfolio=version.portfolio, declaration_signed=True, actor=learner)

    space = ws.build(second, wanted="changed")
    assert [r.criterion.code for g in space.groups for r in g.shown] == ["P1", "K2"]
    client.force_login(assessor)
    panel = client.get(_url(second, "workspace_panel", criteria[0].pk), **HTMX).content.decode()
    assert "Changed since version 1" in panel
    assert "Version 1:</strong> not yet met — Add the weekend data." in panel


def _next_version(version, assessor, learner, change=lambda: None):
    """The version returned (one criterion not yet met), ``change`` made, the next submitted."""
    criterion = version.portfolio.cohort.frameworks.order_by("code").first().criteria.first()
    decide(version, criterion, assessor, status="not_yet_met", feedback="More, please.")
    assessment.return_version(version=version, comment="", actor=assessor)
    change()
    return assessment.submit_portfolio(portfolio=version.portfolio, declaration_signed=True, actor=learner)


def _changed(version):
    return [r.criterion.code for g in ws.build(version, wanted="changed").groups for r in g.shown]


def test_a_version_with_nothing_changed_marks_no_criterion(assessor, learner, marked):
    version, criteria = marked
    make_observation(version.portfolio, criteria[2:3])
    second = _next_version(version, assessor, learner)

    assert _changed(second) == ["P3"]  # the record is new in version 2
    assert _changed(_next_version(second, assessor, learner)) == []


def test_a_changed_assessor_record_alone_marks_its_criteria(assessor, learner, marked):
    version, criteria = marked
    observation = make_observation(version.portfolio, criteria[2:3])
    second = _next_version(version, assessor, learner)

    def change():  # the title, date and notes stay: only the record's own content differs
        data = observation_data(criteria[2:3], activity="Amira pitched the plan, then took questions.")
        update_observation(evidence=observation, data=data, actor=assessor)

    assert _changed(_next_version(second, assessor, learner, change)) == ["P3"]


def test_a_changed_witness_testimony_alone_marks_its_criteria(assessor, learner, marked):
    version, criteria = marked
    request = witness.request_witness(
        portfolio=version.portfolio,
        actor=learner,
        name="Jo Patel",
        job_title="Contact Manager",
        relationship="Line manager",
        organisation="Fernleaf Home",
        email="jo@fernleaf.example",
        activity="The weekend rota pilot",
        criteria=[criteria[3]],
    )
    witness.submit_testimony(
        witness_request=request,
        testimony="I watched Amira brief the advisers on the weekend rota.",
        seen_from=timezone.localdate() - timedelta(days=10),
        seen_to=None,
        name="Jo Patel",
        job_title="Contact Manager",
        organisation="Fernleaf Home",
        relationship="Line manager",
        signature="Jo Patel",
    )
    second = _next_version(version, assessor, learner)

    def change():  # the testimony's body and mapping stay; only its check is new
        request.refresh_from_db()
        witness.record_witness_check(
            witness_request=request,
            actor=assessor,
            method="phone",
            checked_on=timezone.localdate(),
            note="Rang her on the switchboard.",
        )

    assert _changed(_next_version(second, assessor, learner, change)) == ["K1"]


# --- The panel ------------------------------------------------------------------------------------


def test_the_panel_shows_the_text_the_notes_and_the_crosswalk(client, assessor, marked):
    version, criteria = marked
    criteria[0].crosswalk_out.create(target=criteria[5], rationale="Same process analysis.")
    client.force_login(assessor)

    panel = client.get(_url(version, "workspace_panel", criteria[0].pk), **HTMX).content.decode()
    claimed = client.get(_url(version, "workspace_panel", criteria[1].pk), **HTMX).content.decode()

    assert criteria[0].text in panel
    assert "Explains the backlog." in panel
    assert "Weekend backlog" in panel
    assert "UNIT 1.1" in panel
    assert "Same process analysis." in panel
    assert "Claimed, no note" in claimed
    # The criterion's feedback thread comes with it (fetched on its own, assessment.thread_views).
    assert _url(version, "criterion_thread", criteria[0].pk) in panel


def test_the_panel_fetches_each_items_annotations_and_thread(client, assessor, version, criteria, filled):
    client.force_login(assessor)
    item, section_item = filled["file"].pk, filled["section"].pk
    args = [version.portfolio_id, version.number]
    thread = reverse("portfolio:evidence_thread", args=[*args, item])
    annotate = reverse("portfolio:annotate_evidence", args=[*args, item])

    panel = client.get(_url(version, "workspace_panel", criteria[1].pk), **HTMX).content.decode()
    section = client.get(_url(version, "workspace_panel", criteria[0].pk), **HTMX).content.decode()
    fragment = client.get(f"{thread}?with=annotations", **HTMX).content.decode()

    # Fetched on load by htmx; without script, a link to the item's thread page.
    assert f'hx-get="{thread}?with=annotations" hx-trigger="load"' in panel
    assert f'href="{thread}">Annotations and discussion of Weekend response screenshot</a>' in panel
    # A section of the portfolio is discussed through its criteria, as on the version page.
    assert reverse("portfolio:evidence_thread", args=[*args, section_item]) not in section
    assert "<html" not in fragment
    assert f'<form method="post" action="{annotate}"' in fragment
    assert 'name="x"' in fragment  # an image: a point can be pinned
    assert f'<section class="thread" id="thread-evidence-{item}"' in fragment
    assert f'hx-post="{thread}?heading=5"' in fragment


def test_the_learner_reads_an_items_annotations_without_the_form(client, assessor, learner, version, filled):
    item = filled["file"].pk
    client.force_login(assessor)
    client.post(
        reverse("portfolio:annotate_evidence", args=[version.portfolio_id, version.number, item]),
        {"body": "The time stamp is cut off."},
    )
    client.force_login(learner)
    thread = reverse("portfolio:evidence_thread", args=[version.portfolio_id, version.number, item])

    fragment = client.get(f"{thread}?with=annotations", **HTMX).content.decode()

    assert "The time stamp is cut off." in fragment
    assert "Annotate this item" not in fragment


def test_a_plain_request_for_a_panel_gets_the_whole_workspace(client, assessor, marked):
    version, criteria = marked
    client.force_login(assessor)

    page = client.get(_url(version, "workspace_panel", criteria[2].pk)).content.decode()

    assert "<!doctype html>" in page
    assert f'data-pk="{criteria[2].pk}"' in page


# --- A group at once ------------------------------------------------------------------------------


def test_a_group_is_marked_met_in_one_action_with_one_feedback(client, assessor, marked):
    version, criteria = marked
    first = decide(version, criteria[0], assessor, status="not_yet_met", feedback="Thin.")
    client.force_login(assessor)

    response = client.post(
        _url(version, "decide_group"),
        {
            "group": "NOS-performance",
            "feedback": "All three shown in the audit.",
            f"based_on-{criteria[0].pk}": first.pk,
        },
        **HTMX,
    )

    assert response.status_code == 200
    assert "3 criteria of NOS performance criteria marked met." in response.content.decode()
    standing = CriterionDecision.objects.filter(superseded_by__isnull=True)
    assert {d.criterion.code: (d.status, d.feedback) for d in standing} == {
        "P1": ("met", "All three shown in the audit."),
        "P2": ("met", "All three shown in the audit."),
        "P3": ("met", "All three shown in the audit."),
    }
    assert "3 of 7 decided" in response.content.decode()


def test_a_conflict_in_a_group_saves_none_of_it(client, assessor, other_assessor, marked):
    version, criteria = marked
    client.force_login(assessor)
    decide(version, criteria[2], assessor, status="not_yet_met", feedback="Meanwhile.")  # not seen

    response = client.post(
        _url(version, "decide_group"), {"group": "NOS-performance", "feedback": ""}, **HTMX
    )

    assert response.status_code == 409
    assert "none of the group was marked" in response.content.decode()
    assert list(CriterionDecision.objects.values_list("criterion__code", flat=True)) == ["P3"]


# --- The outcome -----------------------------------------------------------------------------------


def test_return_and_sign_off_are_offered_once_every_criterion_is_decided(client, assessor, marked):
    version, criteria = marked
    client.force_login(assessor)
    for criterion in criteria[:-1]:
        decide(version, criterion, assessor)
    assert 'name="outcome"' not in client.get(_url(version)).content.decode()

    decide(version, criteria[-1], assessor, status="not_yet_met", feedback="Missing.")
    page = client.get(_url(version)).content.decode()
    assert 'value="return"' in page
    response = client.post(_url(version, "close_version"), {"outcome": "return", "comment": "Nearly."})

    assert response.status_code == 302
    assert VersionOutcome.objects.get().kind == "returned"


def test_a_refused_outcome_goes_back_to_the_workspace(client, assessor, marked):
    version, _criteria = marked
    client.force_login(assessor)

    response = client.post(_url(version, "close_version"), {"outcome": "sign_off"})

    assert response["Location"] == _url(version)


# --- Queries ----------------------------------------------------------------------------------------


def _sized(cohort, learner, size):
    criteria = _standard_and_unit(cohort, performance=size, knowledge=size, unit=size)
    portfolio = learner.portfolios.get()
    for index in range(size * 2):
        item = EvidenceFactory(portfolio=portfolio, title=f"Item {index}")
        for criterion in criteria[index % 3 :: 3]:
            MappingFactory(evidence=item, criterion=criterion, note="Shows it.")
    version = assessment.submit_portfolio(
        portfolio=portfolio, declaration_signed=True, actor=portfolio.learner
    )
    return version, criteria


@pytest.mark.parametrize("size", [3, 15])
def test_the_workspace_and_a_panel_read_a_fixed_number_of_queries(
    client, assessor, cohort, learner, size, django_assert_max_num_queries
):
    version, criteria = _sized(cohort, learner, size)
    for criterion in criteria[::2]:
        decide(version, criterion, assessor)
    client.force_login(assessor)

    # Session, user, portfolio, version, a later version?, criteria, decisions, crosswalk, files.
    with django_assert_max_num_queries(9):
        assert client.get(_url(version)).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(_url(version, "workspace_panel", criteria[1].pk), **HTMX).status_code == 200
    # The decision's 22, and one more: is the cohort an LTI course whose gradebook hears of it?
    with django_assert_max_num_queries(23):
        response = client.post(_url(version, "decide", criteria[1].pk), {"status": "met"}, **HTMX)
        assert response.status_code == 200


def test_the_panel_shows_a_photo_inline_and_a_transcript_as_the_conversation(
    client, assessor, version, criteria
):
    client.force_login(assessor)

    photo = client.get(_url(version, "workspace_panel", criteria[1].pk), **HTMX).content.decode()
    chat = client.get(_url(version, "workspace_panel", criteria[2].pk), **HTMX).content.decode()

    stored = version.files.get()
    assert f'<img src="{_url(version, "version_file", stored.pk)}" alt="screenshot.png"' in photo
    assert 'aria-label="Enlarge screenshot.png"' in photo
    assert '<li class="chat-msg chat-msg--customer">' in chat
    assert "My sofa arrived damaged." in chat
    assert '<li class="chat-msg chat-msg--organisation">' in chat
