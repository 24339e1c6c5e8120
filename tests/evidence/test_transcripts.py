from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from evidence.transcripts import describe_duration, response_times

START = datetime(2026, 3, 7, 9, 0)


@dataclass
class Msg:
    author: str
    minutes: int

    @property
    def sent_at(self) -> datetime:
        return START + timedelta(minutes=self.minutes)


def test_each_reply_is_timed_from_the_earliest_unanswered_customer_message():
    messages = [Msg("customer", 0), Msg("customer", 30), Msg("organisation", 45), Msg("customer", 50)]
    messages.append(Msg("organisation", 60 * 26))

    times = response_times(messages)

    assert [row.response_time for row in times.messages] == [
        None,
        None,
        timedelta(minutes=45),
        None,
        timedelta(minutes=60 * 26 - 50),
    ]
    assert times.first_response == timedelta(minutes=45)
    assert times.longest_wait == timedelta(minutes=60 * 26 - 50)
    assert times.duration == timedelta(minutes=60 * 26)


def test_an_unprompted_post_by_the_organisation_has_no_response_time():
    times = response_times([Msg("organisation", 0), Msg("customer", 5)])

    assert times.messages[0].response_time is None
    assert times.first_response is None


def test_an_empty_transcript_has_no_times():
    times = response_times([])

    assert times.messages == []
    assert times.first_response is None
    assert times.duration is None


def test_durations_read_as_people_say_them():
    assert describe_duration(None) == "—"
    assert describe_duration(timedelta(seconds=20)) == "under a minute"
    assert describe_duration(timedelta(minutes=4)) == "4 min"
    assert describe_duration(timedelta(minutes=125)) == "2 h 5 min"
    assert describe_duration(timedelta(days=1, hours=3, minutes=10)) == "1 day 3 h"
