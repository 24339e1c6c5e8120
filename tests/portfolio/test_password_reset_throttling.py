"""Password resets: one answer for everyone, sent in the background, and no inbox floods."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import tasks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RESET = "/accounts/password_reset/"


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def amira(db):
    return UserFactory(username="amira", email="amira@example.org")


def without_nonces(response) -> str:
    """The page as text, less the CSP nonce and CSRF token that differ on every response."""
    text = re.sub(r'nonce="[^"]*"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", text)


def ask(email: str, address: str = "192.0.2.1"):
    return Client().post(RESET, {"email": email}, REMOTE_ADDR=address)


def flood(capture, email: str, times: int, address=lambda n: "192.0.2.1"):
    responses = []
    with capture(execute=True):
        for n in range(times):
            responses.append(ask(email, address(n)))
    return responses


def test_twelve_requests_in_a_second_send_one_account_three_mails(
    frozen, amira, mailoutbox, django_capture_on_commit_callbacks
):
    responses = flood(django_capture_on_commit_callbacks, amira.email, 12, address=lambda n: f"203.0.113.{n}")

    assert len(mailoutbox) == 3
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, reverse("password_reset_done"))}


def test_the_account_limit_opens_again_after_the_window(
    frozen, amira, mailoutbox, django_capture_on_commit_callbacks
):
    flood(django_capture_on_commit_callbacks, amira.email, 5, address=lambda n: f"203.0.113.{n}")
    frozen.shift(timedelta(minutes=61))

    flood(django_capture_on_commit_callbacks, amira.email, 1, address=lambda n: "203.0.113.99")

    assert len(mailoutbox) == 4


def test_one_address_asking_for_many_accounts_is_stopped_at_twenty(
    frozen, mailoutbox, django_capture_on_commit_callbacks
):
    people = [UserFactory(username=f"person{n}", email=f"person{n}@example.org") for n in range(25)]
    with django_capture_on_commit_callbacks(execute=True):
        responses = [ask(person.email, "198.51.100.7") for person in people]
        other = ask(people[-1].email, "198.51.100.8")

    assert len(mailoutbox) == 21  # twenty from the first address, one from the second
    assert [m.to for m in mailoutbox[:20]] == [[p.email] for p in people[:20]]
    assert mailoutbox[-1].to == [people[-1].email]
    assert {r.status_code for r in [*responses, other]} == {302}


def test_the_page_answers_the_same_for_an_unknown_address(
    frozen, amira, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = Client().post(RESET, {"email": amira.email}, follow=True)
        unknown = Client().post(RESET, {"email": "nobody@example.org"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain
    assert without_nonces(known) == without_nonces(unknown)
    assert len(mailoutbox) == 1


def test_the_request_does_the_same_work_and_never_looks_up_the_account(frozen, amira, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.send_password_reset_email, "delay", queued.append)
    work = {}
    for email in (amira.email, "nobody@example.org"):
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(RESET, {"email": email}, REMOTE_ADDR=f"192.0.2.{len(work)}")
        assert response.status_code == 302
        work[email] = [q["sql"].split(" ")[0] for q in queries.captured_queries]
        assert not any("portfolio_user" in q["sql"] for q in queries.captured_queries)

    assert work[amira.email] == work["nobody@example.org"]


def test_the_mail_is_queued_on_commit_not_sent_in_the_request(
    amira, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ask(amira.email)

    assert mailoutbox == []
    assert len(callbacks) == 1


def test_a_failed_send_is_not_counted_against_the_account(frozen, amira, mailoutbox, monkeypatch):
    from core import password_reset

    def broken(user):
        raise OSError("mail server down")

    monkeypatch.setattr(password_reset, "send_reset_link", broken)
    for _ in range(3):
        with pytest.raises(OSError, match="mail server down"):
            password_reset.send_password_reset_links(email=amira.email)
    monkeypatch.undo()

    assert password_reset.send_password_reset_links(email=amira.email) == 1
    assert len(mailoutbox) == 1
