"""Every page of data protection, by every role and an outsider: the learner's pages answer
only their learner (404 to anyone else, staff included), the erasure page only staff."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from privacy import archive as archives

pytestmark = pytest.mark.django_db

PEOPLE = ("learner", "other_learner", "assessor", "tutor", "iqa", "staff", "outsider")
OK_FOR = {
    "my_data": {"learner": 200, "other_learner": 200},
    "archive_request": {"learner": 302, "other_learner": 302},
    "archive_status": {"learner": 200},
    "archive_download": {"learner": 200},
    "erasure": {"staff": 200},
}
METHOD = {"archive_request": "post"}


def _kwargs(name, archive, learner):
    return {
        "archive_status": {"pk": archive.pk},
        "archive_download": {"pk": archive.pk},
        "erasure": {"user_pk": learner.pk},
    }.get(name, {})


@pytest.mark.parametrize("name", sorted(OK_FOR))
@pytest.mark.parametrize("who", PEOPLE)
def test_each_page_answers_only_those_it_is_for(
    client, request, django_capture_on_commit_callbacks, name, who, learner
):
    with django_capture_on_commit_callbacks(execute=True):
        archive = archives.request_archive(learner=learner, actor=learner)
    client.force_login(request.getfixturevalue(who))
    response = getattr(client, METHOD.get(name, "get"))(
        reverse(f"privacy:{name}", kwargs=_kwargs(name, archive, learner))
    )
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code == OK_FOR[name].get(who, 404)


def test_the_matrix_covers_every_url():
    names = {name for name in get_resolver("privacy.urls").reverse_dict if isinstance(name, str)}
    assert names == set(OK_FOR)
