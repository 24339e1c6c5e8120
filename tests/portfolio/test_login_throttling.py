"""Log-in throttling against hostile patterns: what is blocked, and what is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, RequestFactory

from core.formatting import describe_wait
from core.models import AuthEvent
from core.throttling import client_address, username_delay
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAT = "10.20.30.40"


def attempt(username: str, password: str, address: str, client: Client | None = None):
    return (client or Client()).post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(username: str, address: str):
    response = attempt(username, "wrong-password", address)
    assert response.status_code == 200, "a counted failure shows the form again"
    return response


def succeeds(username: str, address: str) -> bool:
    return attempt(username, TEST_PASSWORD, address).status_code == 302


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


# --- One username from one address -------------------------------------------------------------


def test_it_pauses_a_username_at_one_address_after_five_failures_for_15_minutes(frozen, tutor):
    for _ in range(5):
        fail(tutor.username, NAT)

    response = attempt(tutor.username, TEST_PASSWORD, NAT)  # even the right password

    assert response.status_code == 429
    text = response.content.decode()
    assert "paused for 15 minutes" in text
    assert "PT15M" not in text
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_paused_pair_opens_again_after_the_window_even_if_hammered(frozen, tutor):
    for _ in range(5):
        fail(tutor.username, NAT)
    frozen.shift(timedelta(minutes=10))
    for _ in range(20):  # refused attempts check no password and are not counted
        assert attempt(tutor.username, "wrong-password", NAT).status_code == 429
    assert "paused for 5 minutes" in attempt(tutor.username, TEST_PASSWORD, NAT).content.decode()

    frozen.shift(timedelta(minutes=5, seconds=1))

    assert succeeds(tutor.username, NAT)


def test_usernames_are_counted_whatever_their_case(frozen, tutor):
    for name in ("TUTOR1", "Tutor1", "tutor1 ", "tUtor1", "tutor1"):
        fail(name, NAT)

    assert attempt("tutor1", TEST_PASSWORD, NAT).status_code == 429


def test_the_pause_is_kept_in_the_database_not_in_one_process(frozen, tutor):
    for _ in range(5):
        fail(tutor.username, NAT)
    cache.clear()

    assert attempt(tutor.username, TEST_PASSWORD, NAT, client=Client()).status_code == 429
    assert AuthEvent.objects.filter(kind="login_failed", username="tutor1", address=NAT).count() == 5


def test_a_success_forgives_that_pairs_earlier_failures(frozen, tutor):
    for _ in range(4):
        fail(tutor.username, NAT)
    assert succeeds(tutor.username, NAT)

    for _ in range(4):
        fail(tutor.username, NAT)

    assert succeeds(tutor.username, NAT)


# --- A classroom behind one NAT ---------------------------------------------------------------


def test_one_person_failing_behind_a_classroom_nat_does_not_lock_out_classmates(frozen, tutor):
    classmates = [UserFactory(username=f"classmate{n}") for n in range(30)]
    for _ in range(5):
        fail(tutor.username, NAT)
    assert attempt(tutor.username, TEST_PASSWORD, NAT).status_code == 429

    assert all(succeeds(classmate.username, NAT) for classmate in classmates)
    # The paused account itself can still be used from anywhere else.
    assert succeeds(tutor.username, "192.0.2.50")


def test_a_classrooms_honest_typos_across_many_accounts_do_not_pause_the_network(frozen, tutor):
    classmates = [UserFactory(username=f"classmate{n}") for n in range(24)]
    for classmate in classmates:  # everyone mistypes twice: 48 failures from one address
        fail(classmate.username, NAT)
        fail(classmate.username, NAT)

    assert succeeds(tutor.username, NAT)
    assert all(succeeds(classmate.username, NAT) for classmate in classmates)


def test_an_address_spraying_many_usernames_is_paused_at_fifty_failures(frozen, tutor):
    for n in range(49):
        fail(f"guess{n}", NAT)
    assert succeeds(tutor.username, NAT), "49 failures across usernames leave the address open"

    fail("guess49", NAT)

    response = attempt(tutor.username, TEST_PASSWORD, NAT)
    assert response.status_code == 429
    assert "from this network is paused for 15 minutes" in response.content.decode()
    assert succeeds(tutor.username, "192.0.2.50"), "other addresses are not affected"
    frozen.shift(timedelta(minutes=15, seconds=1))
    assert succeeds(tutor.username, NAT)


# --- One named user attacked from many addresses -------------------------------------------------


def test_an_attacker_on_many_addresses_slows_a_named_user_but_never_locks_them_out(frozen, tutor):
    assert succeeds(tutor.username, "192.0.2.10")  # the owner's usual desk becomes known
    for n in range(10):  # ten free failures, each from a fresh address
        fail(tutor.username, f"203.0.113.{n}")

    refused = attempt(tutor.username, "guess", "198.51.100.1")
    assert refused.status_code == 429
    assert "Try again in 1 second" in refused.content.decode()
    assert refused["Retry-After"] == "1"
    # The owner at their usual address is not slowed at all.
    assert succeeds(tutor.username, "192.0.2.10")

    waits = []
    for n in range(20):
        refused = attempt(tutor.username, "guess", f"198.51.100.{100 + n}")
        waits.append(int(refused["Retry-After"]))
        frozen.shift(timedelta(seconds=waits[-1]))
        fail(tutor.username, f"198.51.100.{100 + n}")
    assert waits[:9] == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert set(waits[9:]) == {300}, "the delay stops growing at five minutes"

    # The owner on a new address (a phone) waits at most the current delay, then gets in.
    refused = attempt(tutor.username, TEST_PASSWORD, "192.0.2.99")
    assert refused.status_code == 429
    assert "Try again in 5 minutes" in refused.content.decode()
    frozen.shift(timedelta(seconds=300))
    assert succeeds(tutor.username, "192.0.2.99")


def test_the_username_delay_is_a_pure_doubling_with_a_cap(settings):
    settings.LOGIN_USERNAME_FREE_FAILURES = 10
    settings.LOGIN_USERNAME_MAX_DELAY_SECONDS = 300

    assert [username_delay(n).total_seconds() for n in (0, 9, 10, 11, 12, 18, 19, 500)] == [
        0,
        0,
        1,
        2,
        4,
        256,
        300,
        300,
    ]


def test_the_admin_log_in_is_throttled_too(frozen, tutor):
    for _ in range(5):
        Client().post("/admin/login/", {"username": tutor.username, "password": "nope"}, REMOTE_ADDR=NAT)

    response = Client().post(
        "/admin/login/", {"username": tutor.username, "password": TEST_PASSWORD}, REMOTE_ADDR=NAT
    )

    assert response.status_code == 429


# --- The client address --------------------------------------------------------------------------


def request_from(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_address(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    forged = request_from("10.0.0.2", "1.2.3.4, 198.51.100.1")

    assert client_address(forged) == "198.51.100.1"
    assert client_address(request_from("10.0.0.2")) == "10.0.0.2"


def test_ipv6_addresses_count_as_their_64_network(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    one = client_address(request_from("2001:db8:1:2::1"))
    other = client_address(request_from("2001:db8:1:2:ffff::9"))

    assert one == other == "2001:db8:1:2::/64"
    assert client_address(request_from("::ffff:198.51.100.7")) == "198.51.100.7"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (900, "15 minutes"),
        (899.2, "15 minutes"),
        (60, "1 minute"),
        (61, "2 minutes"),
        (40, "40 seconds"),
        (1, "1 second"),
        (0.2, "1 second"),
        (3900, "1 hour 5 minutes"),
        (7200, "2 hours"),
    ],
)
def test_waits_are_written_as_people_say_them(seconds, words):
    assert describe_wait(timedelta(seconds=seconds)) == words


def test_staff_lift_a_pause_by_deleting_the_failures_in_the_admin(frozen, tutor, admin_client):
    for _ in range(5):
        fail(tutor.username, NAT)
    listing = admin_client.get("/admin/portfolio/authevent/?q=tutor1")
    assert listing.status_code == 200
    assert admin_client.get("/admin/portfolio/authevent/add/").status_code == 403

    ids = list(AuthEvent.objects.filter(username="tutor1").values_list("pk", flat=True))
    admin_client.post(
        "/admin/portfolio/authevent/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )

    assert succeeds(tutor.username, NAT)
