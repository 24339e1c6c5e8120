"""A labelled set of short customer-service texts for the personal-data detector.

Every person, number and address here is made up: names are common UK first names and
surnames put together at random, phone numbers come from Ofcom's ranges kept for drama
(07700 900xxx, 0113 496 0xxx, 020 7946 0xxx), e-mail domains are example.com/.org, and
NI, licence and passport numbers are invented in the right shape. Each case lists what
the detector must find, as (kind, exact text); anything else it finds is a false alarm.
The first 69 were written alongside the detector; the second batch afterwards, and the
detector found all of it before any change (see docs/evidence.md).
Used by tests/evidence/test_personal_data_labelled.py and bench/personal_data.py.
"""

from __future__ import annotations

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # --- the issue's own reply ---------------------------------------------------------
    (
        "Hi Sarah Jenkins, sorry about the delay. We'll send a new one to 14 Oak Lane, Leeds LS6 2AB. "
        "For the finance check we have DOB 12/03/1985 and NI QQ 12 34 56 C. Call us on 0113 496 0471 "
        "or e-mail care@fernleaf.example.com quoting order FH-482913.",
        [
            ("name", "Sarah Jenkins"),
            ("address", "14 Oak Lane"),
            ("postcode", "LS6 2AB"),
            ("dob", "12/03/1985"),
            ("ni_number", "QQ 12 34 56 C"),
            ("phone", "0113 496 0471"),
            ("email", "care@fernleaf.example.com"),
            ("reference", "FH-482913"),
        ],
    ),
    # --- names: greetings and sign-offs -------------------------------------------------
    ("Dear Mrs Patel, thank you for your patience.", [("name", "Mrs Patel")]),
    ("Hi Tom, your parcel left our depot this morning.", [("name", "Tom")]),
    ("Hello Emma Richardson, we have refunded the delivery charge.", [("name", "Emma Richardson")]),
    ("Thanks, Gareth. I'll pass this to the team.", [("name", "Gareth")]),
    ("Kind regards,\nHannah Lloyd\nCustomer Care", [("name", "Hannah Lloyd")]),
    ("Hey Priya! Glad the sofa arrived safely.", [("name", "Priya")]),
    ("Many thanks, Declan", [("name", "Declan")]),
    ("Dear Mr O'Brien, we are sorry the fitter missed the slot.", [("name", "Mr O'Brien")]),
    ("Morning Chloe, the replacement cushion is on its way.", [("name", "Chloe")]),
    ("Cheers Liam, that sorted it.", [("name", "Liam")]),
    ("My name is Fiona Walsh and I ordered a bed frame last week.", [("name", "Fiona Walsh")]),
    ("Best wishes,\nOwen Hughes", [("name", "Owen Hughes")]),
    ("Customer: Gemma Clarke\nIssue: late delivery", [("name", "Gemma Clarke")]),
    ("Spoke to Karen Mitchell on the phone and she was lovely.", [("name", "Karen Mitchell")]),
    ("Hi Aisha, can you DM us the order number?", [("name", "Aisha")]),
    ("Thank you Mohammed, we've booked the collection.", [("name", "Mohammed")]),
    ("Hello Dr Singh, your prescription delivery slot is confirmed.", [("name", "Dr Singh")]),
    ("Yours sincerely,\nJoanne Marsh", [("name", "Joanne Marsh")]),
    ("Thanks again Ben, we'll look into it today.", []),  # "again" ends the greeting's reach
    # --- addresses ----------------------------------------------------------------------
    ("Please deliver to 27 Station Road instead.", [("address", "27 Station Road")]),
    ("I live at Flat 3, 9 Victoria Street, Bristol.", [("address", "Flat 3, 9 Victoria Street")]),
    ("The courier left it at 102 Meadow Close by mistake.", [("address", "102 Meadow Close")]),
    ("Collection from 5a Church Lane on Tuesday.", [("address", "5a Church Lane")]),
    (
        "New address: 48 Lower Park Avenue, Leeds LS8 1QR",
        [("address", "48 Lower Park Avenue"), ("postcode", "LS8 1QR")],
    ),
    (
        "It went to 31 Elm Grove rather than 13 Elm Grove.",
        [("address", "31 Elm Grove"), ("address", "13 Elm Grove")],
    ),
    ("My mum is at 7 Willow Drive, could you send it there?", [("address", "7 Willow Drive")]),
    ("Ship to 220 Kings Way please.", [("address", "220 Kings Way")]),
    # --- dates of birth -----------------------------------------------------------------
    ("DOB: 04/11/1979 for the account check.", [("dob", "04/11/1979")]),
    ("Date of birth 22 July 1990, postcode M14 5RT", [("dob", "22 July 1990"), ("postcode", "M14 5RT")]),
    ("I was born on 3rd March 1968 if you need it.", [("dob", "3rd March 1968")]),
    ("Her date of birth is 1992-08-17.", [("dob", "1992-08-17")]),
    ("D.O.B. 30-01-88", [("dob", "30-01-88")]),
    ("Birthday is March 9, 2001 for the discount club.", [("dob", "March 9, 2001")]),
    # --- National Insurance -------------------------------------------------------------
    ("My NI number is AB 12 34 56 C.", [("ni_number", "AB 12 34 56 C")]),
    ("National Insurance: JT123456A", [("ni_number", "JT123456A")]),
    ("NINO ce 40 11 27 b for the payroll query", [("ni_number", "ce 40 11 27 b")]),
    ("Reference from HMRC was PR 77 01 43 D", [("ni_number", "PR 77 01 43 D")]),
    # --- driving licences and passports -------------------------------------------------
    ("Licence number MORGA753116SM9IJ for the van hire.", [("driving_licence", "MORGA753116SM9IJ")]),
    ("Driving licence: JONES 861013 AB2CD 01", [("driving_licence", "JONES 861013 AB2CD 01")]),
    ("licence SMITH952225J99XY scanned", [("driving_licence", "SMITH952225J99XY")]),
    ("Passport number 925076473 for the ID check.", [("passport", "925076473")]),
    ("passport no: 541239870", [("passport", "541239870")]),
    ("My passport is 302948571 and expires next year.", [("passport", "302948571")]),
    # --- the kinds found before, in customers' words ------------------------------------
    ("Text me on 07700 900982 when it's out for delivery.", [("phone", "07700 900982")]),
    (
        "You can reach me at dan.k@example.org or +44 20 7946 0381.",
        [("email", "dan.k@example.org"), ("phone", "+44 20 7946 0381")],
    ),
    (
        "Thanks @amy_r88, DM us your booking ref BK-90211 please",
        [("handle", "@amy_r88"), ("reference", "BK-90211")],
    ),
    ("The card ending 4539 1488 0343 6467 was charged twice.", [("card", "4539 1488 0343 6467")]),
    (
        "Hi Nathan Price, we've e-mailed nathan.price@example.com a label.",
        [("name", "Nathan Price"), ("email", "nathan.price@example.com")],
    ),
    ("Mrs Okafor rang about invoice 77812-A twice.", [("name", "Mrs Okafor"), ("reference", "77812-A")]),
    # --- text that must stay clean ------------------------------------------------------
    ("Hi there, thanks for getting in touch with Fernleaf Home!", []),
    ("Hope you're well. Thanks Team for the quick fix.", []),
    ("Thanks, Fernleaf Home Customer Care", []),
    ("We answered 12 messages in the park event and 30 on Station day.", []),
    ("Delivery windows are 8am to 6pm, Monday to Saturday, from 01/12/2025.", []),
    ("Our NPS rose from 21 to 34 between March 2025 and June 2025.", []),
    ("Response times: 14 minutes median, 2 hours 10 minutes at the 95th percentile.", []),
    ("The Data Protection Act 2018 and UK GDPR apply to every reply.", []),
    ("Our store on the High Street opens at 9; the M62 closure delayed vans.", []),
    ("Freephone 0800 123 4567 is the company line.", []),
    ("Post your reply within 60 minutes; escalate to the team leader after 2 hours.", []),
    ("The spring sale starts 14 March 2026 and ends 28 March 2026.", []),
    ("Born in Leeds in 2009, the brand now has 40 stores.", []),
    ("We reached 48,000 followers and 3,200 reviews averaging 4.6.", []),
    ("Kind regards, the Fernleaf social team", []),
    ("Dear Customer, your feedback matters to us.", []),
    ("See section 3.4 and criteria P1, K14 and 2.5 of CFACSD22.", []),
    ("Batch GB 12 34 56 A failed the quality check.", []),
    ("The survey ran from 12/03/2025 to 19/03/2025 with 411 replies.", []),
    # --- a second batch, written after the detector and measured before any change to it
    ("NI number: SK 55 21 09 A, can you update payroll?", [("ni_number", "SK 55 21 09 A")]),
    ("my national insurance no is HE883412B", [("ni_number", "HE883412B")]),
    ("It's WL 10 20 30 C on my P60.", [("ni_number", "WL 10 20 30 C")]),
    ("NI: mc-12-34-90-d", [("ni_number", "mc-12-34-90-d")]),
    ("Driving licence no. PATEL805124RS8TU", [("driving_licence", "PATEL805124RS8TU")]),
    ("licence WRIGH 706219 KL9AB for the trailer", [("driving_licence", "WRIGH 706219 KL9AB")]),
    ("The hire desk has LEE99 901038 A99PQ 12 on file.", [("driving_licence", "LEE99 901038 A99PQ 12")]),
    ("Passport: 118204553, issued 2021.", [("passport", "118204553")]),
    ("passport number is 660031298", [("passport", "660031298")]),
    ("DOB 7/2/1994, can you check my age discount?", [("dob", "7/2/1994")]),
    ("date of birth: 15th of June 1977", [("dob", "15th of June 1977")]),
    ("born 02.09.2000", [("dob", "02.09.2000")]),
    ("Send it to 3 Beech Crescent, my neighbour's.", [("address", "3 Beech Crescent")]),
    ("We're at 61B Sycamore Road now.", [("address", "61B Sycamore Road")]),
    ("Flat 12, 40 Harbour View, Whitby", [("address", "Flat 12, 40 Harbour View")]),
    ("Hello Margaret, thanks for waiting.", [("name", "Margaret")]),
    ("Dear Ms Kowalski,", [("name", "Ms Kowalski")]),
    ("Regards,\nStuart Fleming", [("name", "Stuart Fleming")]),
    ("I spoke with Rebecca Hall yesterday about it.", [("name", "Rebecca Hall")]),
    ("Hi Jamal, your refund is processed.", [("name", "Jamal")]),
    # lookalikes that must stay clean
    ("Product code AB 12 34 56 Z is out of stock.", []),
    ("Model SMITH952225 discontinued in 2019.", []),
    ("We shipped 123456789 units last year.", []),
    ("Our 10 Downing Street parody post went viral.", [("address", "10 Downing Street")]),
    ("Hi everyone, the sale starts Monday.", []),
    ("Thanks so much for the lovely review!", []),
    ("Rated 5 stars on 12/03/2024 by a verified buyer.", []),
    ("Call 0800 123 4567 or visit the Leeds store.", []),
]


def tally(rows: list[tuple[list[tuple[str, str]], list[tuple[str, str]]]]) -> dict[str, dict[str, float]]:
    """Per kind: true positives, misses, false alarms, recall and precision, over
    (expected, found) pairs of (kind, text) lists. A kind never expected nor found is absent."""
    counts: dict[str, dict[str, float]] = {}
    for expected, found in rows:
        remaining = list(found)
        for item in expected:
            row = counts.setdefault(item[0], {"tp": 0, "fn": 0, "fp": 0})
            if item in remaining:
                remaining.remove(item)
                row["tp"] += 1
            else:
                row["fn"] += 1
        for kind, _ in remaining:
            counts.setdefault(kind, {"tp": 0, "fn": 0, "fp": 0})["fp"] += 1
    for row in counts.values():
        row["recall"] = round(row["tp"] / (row["tp"] + row["fn"]), 3) if row["tp"] + row["fn"] else 1.0
        row["precision"] = round(row["tp"] / (row["tp"] + row["fp"]), 3) if row["tp"] + row["fp"] else 1.0
    return dict(sorted(counts.items()))


def score_texts() -> dict[str, dict[str, float]]:
    from evidence.personal_data import find_personal_data

    return tally(
        [(expected, [(f.kind, f.text) for f in find_personal_data(text)]) for text, expected in CASES]
    )
