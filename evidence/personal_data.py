"""Finding customers' personal data in text a learner is about to save, and redacting it.

Pure functions over strings, so the rules can be tested without the web layer. The
patterns lean towards missing an odd case rather than flagging ordinary text: a
warning that fires on every date or price is soon ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from evidence.person_names import UK_FIRST_NAMES, UK_SURNAMES, WIDE_FIRST_NAMES, WIDE_SURNAMES


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
    "name": ("person's name", "[name removed]"),
    "address": ("street address", "[address removed]"),
    "dob": ("date of birth", "[date of birth removed]"),
    "ni_number": ("National Insurance number", "[NI number removed]"),
    "driving_licence": ("driving licence number", "[licence number removed]"),
    "passport": ("passport number", "[passport number removed]"),
    "face": ("face", "[face removed]"),  # found in images only
}
TEXT_KINDS = tuple(kind for kind in KINDS if kind != "face")

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
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?)\s?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
# An order, account, booking or customer reference: the word, then an identifier with digits.
REFERENCE = re.compile(
    r"\b(?:order|account|acct|booking|customer|invoice|ref(?:erence)?|membership|case|ticket)"
    r"(?:\s+(?:no\.?|number|num|id|ref(?:erence)?))?\s*(?:[:#]\s*|is\s+|was\s+)?"
    r"(?P<id>(?=[A-Z0-9-]*\d{4})[A-Z]{0,4}-?\d[A-Z0-9-]{3,}\d(?:-[A-Z]\b)?|#\d{4,})",
    re.IGNORECASE,
)
HASH_REFERENCE = re.compile(r"(?<![\w&])#(?P<id>\d{5,})\b")
# National Insurance numbers (HMRC's rules): first letter never D, F, I, Q, U or V; second
# never D, F, I, O, Q, U or V; BG, GB, KN, NK, NT, TN and ZZ never issued; suffix A–D.
# HMRC's own specimen prefix QQ is caught too: a reader takes it for a real number.
NI_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])(?!(?:BG|GB|KN|NK|NT|TN|ZZ)\b)"
    r"(?:QQ|[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])[ -]?\d{2}[ -]?\d{2}[ -]?\d{2}[ -]?[A-D](?![A-Za-z0-9])",
    re.IGNORECASE,
)
# GB driving licence (DVLA): 5 of the surname (9-padded), decade digit, month (+50 for
# women), day, year digit, 2 initials (9-padded), a digit, 2 check letters, and an
# optional 2-digit issue number; the month and day are checked.
DRIVING_LICENCE = re.compile(
    r"(?<![A-Z0-9])(?P<surname>[A-Z][A-Z9]{4}) ?(?P<dob>\d(?:[0156]\d)(?:[0-3]\d)\d) ?"
    r"(?P<rest>[A-Z][A-Z9]\d[A-Z]{2})(?: ?\d{2})?(?![A-Z0-9])"
)
# A UK passport number is nine digits: too common a shape alone, so only next to the word.
PASSPORT = re.compile(
    r"\bpassport(?:\s+(?:no\.?|number|num|#))?\s*(?:[:#]\s*|is\s+)?(?P<id>\d{9})\b", re.IGNORECASE
)
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = (
    r"(?P<date>\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS},?\s+\d{{4}}"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
# A date is only a date of birth beside words that say so.
DATE_OF_BIRTH = re.compile(
    r"\b(?:D\.?O\.?B\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?|birthday(?:\s+is)?)"
    r"(?:\s+(?:is|was))?\s*[:=-]?\s*" + _DATE,
    re.IGNORECASE,
)
_ROAD_TYPES = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Crescent|Cres|Court|Ct|Place|Pl|"
    "Gardens|Gdns|Grove|Terrace|Walk|Hill|Park|Row|Square|Sq|Mews|Parade|Rise|Green|Vale|View|"
    "Approach|Boulevard|Wharf|Yard|Croft|Meadows?|Fold|Gate|Circus|Embankment|Broadway"
)
# A house number, one to three capitalised words, and a road type: "14 Oak Lane",
# "Flat 2, 7a St John's Road". Capitals required: "12 people in the park" is not one.
ADDRESS = re.compile(
    r"(?<![\w£$.,/:-])(?:(?:Flat|Apartment|Apt|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+"
    r"(?:(?:St\.?\s+)?[A-Z][a-z'’-]+\s+){1,3}(?:" + _ROAD_TYPES + r")\b"
)
_WORD = r"(?:[A-Z]['’])?[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?"
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?"
# A greeting or sign-off, then the words that follow it (checked against the name lists).
GREETING = re.compile(
    r"\b(?:(?P<salutation>Dear|Hi|Hiya|Hello|Hey|Morning)|Afternoon|Evening|Thanks|Thank\s+you|Cheers|Regards|"
    r"Kind\s+regards|Best\s+regards|Warm\s+regards|Best\s+wishes|Many\s+thanks|Sincerely|"
    r"Yours\s+sincerely|Yours\s+faithfully|Take\s+care|Speak\s+soon|my\s+name\s+is|"
    r"[Nn]ame:|[Cc]ustomer:|[Ss]igned:?)[ \t]*[,!:.–—-]?\s*"
    rf"(?P<name>(?:{_TITLE}\s+)?{_WORD}(?:[ \t]+{_WORD}){{0,2}})(?P<after>[,!.]|\s*$)?",
    re.MULTILINE,
)
# After "Hi", "Dear"… a capitalised word then a comma or the line's end is a name even when
# the lists do not know it ("Hi Aisha,"), unless it is one of these.
NOT_NAMES = frozenset(
    {
        "There",
        "All",
        "Everyone",
        "Everybody",
        "Team",
        "Folks",
        "Guys",
        "Again",
        "Both",
        "You",
        "Friend",
        "Friends",
        "Mate",
        "Sir",
        "Madam",
        "Customer",
        "Customers",
        "Pal",
        "Lovely",
        "Thanks",
        "Sorry",
        "Yes",
        "No",
        "Ok",
        "Okay",
        "Hello",
        "Hi",
        "Morning",
    }
)
TITLED_NAME = re.compile(rf"\b{_TITLE}[ \t]+{_WORD}(?:[ \t]+{_WORD})?")
NAME_PAIR = re.compile(rf"\b(?P<first>{_WORD})[ \t]+(?P<last>{_WORD})\b")
# Words that follow a name in a greeting without being part of it.
NOT_SURNAMES = frozenset(
    {
        "Thanks",
        "Thank",
        "Hope",
        "We",
        "I",
        "The",
        "Your",
        "Our",
        "Please",
        "Sorry",
        "Just",
        "Can",
        "Could",
        "Would",
        "Many",
        "Best",
        "Kind",
        "Regards",
        "Team",
        "From",
        "At",
        "On",
        "Customer",
        "Service",
        "Services",
        "Support",
        "Care",
    }
)
TITLES = {"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof"}
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


def _valid_licence(match: re.Match[str]) -> bool:
    dob = match.group("dob")
    month, day = int(dob[1:3]), int(dob[3:5])
    return (1 <= month <= 12 or 51 <= month <= 62) and 1 <= day <= 31


def _valid_date(text: str) -> bool:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return 1 <= numbers[1] <= 12 and 1 <= numbers[2] <= 31
    if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", text):
        return 1 <= numbers[0] <= 31 and 1 <= numbers[1] <= 12
    return True  # a month's name: the pattern already holds it to a day and a year


def _greeting_name(match: re.Match[str]) -> str:
    """The part of the words after a greeting that is a person's name, or ""."""
    name = match.group("name")
    words = name.split()
    if words[0] in NOT_NAMES:
        return ""
    if match.group("salutation") and match.group("after") is not None and words[0] not in TITLES:
        return name
    if words[0].rstrip(".") in TITLES:
        return name if len(words) > 1 else ""
    if words[0] not in WIDE_FIRST_NAMES and words[0] not in WIDE_SURNAMES:
        return ""
    if words[0] not in WIDE_FIRST_NAMES and len(words) == 1:
        return ""  # "Thanks, Parker" alone is too often a brand or a place
    kept = [words[0]]
    for word in words[1:]:
        if word in NOT_SURNAMES or (word not in WIDE_SURNAMES and word in WIDE_FIRST_NAMES):
            break
        kept.append(word)
    return " ".join(kept)


def _names(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in GREETING.finditer(text):
        if found := _greeting_name(match):
            spans.append((match.start("name"), match.start("name") + len(found)))
    for match in TITLED_NAME.finditer(text):
        spans.append((match.start(), match.end()))
    for match in NAME_PAIR.finditer(text):
        if match.group("first") in UK_FIRST_NAMES and match.group("last") in UK_SURNAMES:
            spans.append((match.start(), match.end()))
    return spans


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
    for match in NI_NUMBER.finditer(text):
        add("ni_number", match.start(), match.end())
    for match in DRIVING_LICENCE.finditer(text):
        if _valid_licence(match):
            add("driving_licence", match.start(), match.end())
    for match in PASSPORT.finditer(text):
        add("passport", match.start("id"), match.end("id"))
    for match in DATE_OF_BIRTH.finditer(text):
        if _valid_date(match.group("date")):
            add("dob", match.start("date"), match.end("date"))
    for match in PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        national = digits[2:] if digits.startswith("44") else digits.removeprefix("0")
        if len(national) in (9, 10) and national[0] in "1237":
            add("phone", match.start(), match.end())
    for match in POSTCODE.finditer(text):
        add("postcode", match.start(), match.end())
    for match in ADDRESS.finditer(text):
        add("address", match.start(), match.end())
    for pattern in (REFERENCE, HASH_REFERENCE):
        for match in pattern.finditer(text):
            add("reference", match.start("id"), match.end("id"))
    for match in HANDLE.finditer(text):
        if match.group("name").lower() not in allowed:
            add("handle", match.start(), match.end())
    for start, end in sorted(_names(text)):
        add("name", start, end)
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


def normalised(kind: str, text: str) -> str:
    """The value a finding stands for, whatever its spacing or case: what a "not personal"
    mark remembers (as a digest), so the same number found again is still not personal."""
    return f"{kind}:{re.sub(r'[^0-9a-z@]', '', text.lower())}"
