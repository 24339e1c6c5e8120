"""Finding customers' personal data in text a learner is about to save, and redacting it.

Pure functions over strings, so the rules can be tested without the web layer. The
patterns lean towards missing an odd case rather than flagging ordinary text: a
warning that fires on every date or price is soon ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str  # one of KINDS
    start: int
    end: int
    text: str

    @property
    def label(self) -> str:
        return KINDS[self.kind][0]

    @property
    def replacement(self) -> str:
        return KINDS[self.kind][1]


KINDS = {
    "email": ("e-mail address", "[e-mail removed]"),
    "card": ("payment card number", "[card number removed]"),
    "phone": ("phone number", "[phone number removed]"),
    "postcode": ("postcode", "[postcode removed]"),
    "reference": ("order or account number", "[reference removed]"),
    "handle": ("customer's handle", "[customer handle]"),
}

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# 13 to 19 digits, in groups split by single spaces or hyphens; the Luhn check decides.
CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
# UK numbers: +44 or 0, then 9–10 more digits, with the usual spaces, hyphens or brackets.
PHONE = re.compile(
    r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d(?:\)?\s?|-)?){8,9}\d(?![\d-])",
)
# The Royal Mail's rules: area letters never Q, V or X first (nor I, J, Z second);
# the inward code's letters never C, I, K, M, O or V (so "4PM" is never a postcode).
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?) ?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
# An order, account, booking or customer reference: the word, then an identifier with digits.
REFERENCE = re.compile(
    r"\b(?:order|account|acct|booking|customer|invoice|ref(?:erence)?|membership|case|ticket)"
    r"(?:\s+(?:no\.?|number|num|id|ref(?:erence)?))?\s*(?:[:#]\s*|is\s+|was\s+)?"
    r"(?P<id>(?=[A-Z0-9-]*\d{4})[A-Z]{0,4}-?\d[A-Z0-9-]{3,}\d|#\d{4,})",
    re.IGNORECASE,
)
HASH_REFERENCE = re.compile(r"(?<![\w&])#(?P<id>\d{5,})\b")
HANDLE = re.compile(r"(?<![\w.@/])@(?P<name>[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)\b")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def find_personal_data(text: str, *, allowed_handles: Iterable[str] = ()) -> list[Finding]:
    """Everything in ``text`` that looks like a customer's personal data, in reading order.

    ``allowed_handles`` are the organisation's own accounts (with or without the @),
    which are not personal data.
    """
    allowed = {h.strip().lstrip("@").lower() for h in allowed_handles if h.strip()}
    found: list[Finding] = []

    def add(kind: str, start: int, end: int) -> None:
        if any(start < f.end and f.start < end for f in found):
            return  # an earlier, more specific pattern already has this text
        found.append(Finding(kind=kind, start=start, end=end, text=text[start:end]))

    for match in EMAIL.finditer(text):
        add("email", match.start(), match.end())
    for match in CARD.finditer(text):
        if luhn_valid(re.sub(r"\D", "", match.group())):
            add("card", match.start(), match.end())
    for match in PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        national = digits[2:] if digits.startswith("44") else digits.removeprefix("0")
        if len(national) in (9, 10) and national[0] in "1237":
            add("phone", match.start(), match.end())
    for match in POSTCODE.finditer(text):
        add("postcode", match.start(), match.end())
    for pattern in (REFERENCE, HASH_REFERENCE):
        for match in pattern.finditer(text):
            add("reference", match.start("id"), match.end("id"))
    for match in HANDLE.finditer(text):
        if match.group("name").lower() not in allowed:
            add("handle", match.start(), match.end())
    return sorted(found, key=lambda f: f.start)


def redact(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with each finding replaced by a marker saying what was removed."""
    result = text
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        if result[finding.start : finding.end] == finding.text:
            result = result[: finding.start] + finding.replacement + result[finding.end :]
    return result


def redact_all(text: str, *, allowed_handles: Iterable[str] = ()) -> str:
    return redact(text, find_personal_data(text, allowed_handles=allowed_handles))
