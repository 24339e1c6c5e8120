from __future__ import annotations

import pytest

from evidence.personal_data import find_personal_data, luhn_valid, redact, redact_all


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Please e-mail me at jane.doe@example.co.uk today", "email", "jane.doe@example.co.uk"),
        ("Ring me on 07700 900123", "phone", "07700 900123"),
        ("or +44 7700 900123 after six", "phone", "+44 7700 900123"),
        ("the office is (0113) 496 0000", "phone", "(0113) 496 0000"),
        ("call 020-7946-0958", "phone", "020-7946-0958"),
        ("deliver to LS1 4AP please", "postcode", "LS1 4AP"),
        ("my postcode is sw1a 1aa", "postcode", "sw1a 1aa"),
        ("thanks @jane_smith99 for the photo", "handle", "@jane_smith99"),
        ("my order number is FH-482913", "reference", "FH-482913"),
        ("account 12345678 is mine", "reference", "12345678"),
        ("booking ref: DL20931 for Friday", "reference", "DL20931"),
        ("see #883920", "reference", "883920"),
        ("card 4539 1488 0343 6467 was charged", "card", "4539 1488 0343 6467"),
        ("card 4111-1111-1111-1111 was charged", "card", "4111-1111-1111-1111"),
    ],
)
def test_it_finds_each_kind_of_personal_data(text, kind, found):
    findings = find_personal_data(text)

    assert [(f.kind, f.text) for f in findings] == [(kind, found)]


@pytest.mark.parametrize(
    "text",
    [
        "We reached 48,000 followers on Facebook in 2025 and 62,000 on Instagram.",
        "Response times fell from 14:30 to 09:15 between 2025-11-03 and 03/12/2025.",
        "A sofa costs £1,299.99 and delivery £49; 30 days to return, 5-year frame guarantee.",
        "The meeting is at 4pm on the M1 4PM slot, then 3am checks.",
        "Criteria P1, K14, 2.5 and 3.5 of CFACSD22 are covered; ISO 9001 too.",
        "Consumer Rights Act 2015, Data Protection Act 2018 and Equality Act 2010 apply.",
        "In order to account for 20% of complaints we booked 12 staff.",
        "Freephone 0800 123 4567 is the company line.",
        "The test number 1234 5678 9012 3456 fails the Luhn check.",
        "Our reply to @FernleafHome's followers was quick.",
        "Contact centre of 24 advisers in Leeds, NPS +32, CSAT 4.1/5.",
        "Version 2.0.1 shipped; see section 3.4; 100% within SLA of 60 minutes.",
    ],
)
def test_it_leaves_ordinary_text_alone(text):
    assert find_personal_data(text, allowed_handles=["@FernleafHome"]) == []


def test_the_organisations_own_handle_is_not_flagged_but_a_customers_is():
    findings = find_personal_data("@FernleafHome replied to @sam_jones", allowed_handles=["FernleafHome"])

    assert [f.text for f in findings] == ["@sam_jones"]


def test_an_email_is_not_also_reported_as_a_handle():
    assert [f.kind for f in find_personal_data("write to amira@fernleaf.example")] == ["email"]


def test_it_redacts_one_finding_and_keeps_the_rest():
    text = "Email jo@example.org or call 07700 900123"
    email, phone = find_personal_data(text)

    assert redact(text, [phone]) == "Email jo@example.org or call [phone number removed]"
    assert redact(text, [email]) == "Email [e-mail removed] or call 07700 900123"


def test_it_redacts_everything_at_once():
    text = "Jo (@jo_b, jo@example.org, LS6 2AB) paid with 4539 1488 0343 6467 for order FH-100234."

    assert redact_all(text) == (
        "Jo ([customer handle], [e-mail removed], [postcode removed]) paid with "
        "[card number removed] for order [reference removed]."
    )
    assert find_personal_data(redact_all(text)) == []


def test_luhn():
    assert luhn_valid("4539148803436467")
    assert not luhn_valid("1234567890123456")
