"""How allauth names a person in its messages (ACCOUNT_USER_DISPLAY)."""

from __future__ import annotations

import pytest
from allauth.account.utils import user_display

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_names_a_person_by_their_full_name():
    user = UserFactory(username="lti-3f2a9c0d1e4b5a6f", first_name="Ada", last_name="Lovelace")
    assert user_display(user) == "Ada Lovelace"


def test_it_falls_back_to_the_email_address_then_the_username():
    nameless = UserFactory(
        username="lti-3f2a9c0d1e4b5a6f", first_name="", last_name="", email="ada@college.example"
    )
    assert user_display(nameless) == "ada@college.example"
    bare = UserFactory(username="lti-0000000000000000", first_name="", last_name="", email="")
    assert user_display(bare) == "lti-0000000000000000"
