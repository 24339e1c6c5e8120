"""Twenty labelled screenshots of customer conversations, drawn in headless Chromium.

Each screen is transcript-like HTML (a public reply thread, a private message, an e-mail
reply or a review reply; one in five in dark mode) with made-up people and numbers at
known places: every piece of personal data sits in a ``<span data-pii="kind">``, so after
rendering the expected findings and their boxes are read from the page itself. Nothing
here is a real person's: names are UK first names and surnames paired at random, phones
are Ofcom's drama numbers, e-mail domains are example.com.

Used by tests/evidence/test_personal_data_screens.py and bench/personal_data.py.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass
from pathlib import Path

FIRST = [
    "Sarah",
    "Tom",
    "Emma",
    "Gareth",
    "Hannah",
    "Owen",
    "Chloe",
    "Liam",
    "Fiona",
    "Karen",
    "Nathan",
    "Gemma",
    "Declan",
    "Joanne",
    "Megan",
    "Craig",
    "Rachel",
    "Stuart",
    "Holly",
    "Dean",
]
LAST = [
    "Jenkins",
    "Richardson",
    "Lloyd",
    "Hughes",
    "Walsh",
    "Mitchell",
    "Clarke",
    "Price",
    "Marsh",
    "Barnett",
    "Holloway",
    "Fowler",
    "Bentley",
    "Howard",
    "Parker",
    "Rhodes",
    "Payne",
    "Bailey",
    "Harper",
    "Burgess",
]
AGENTS = ["Priya", "Ben", "Lucy", "Adam", "Zoe"]
STREETS = [
    "Oak Lane",
    "Station Road",
    "Victoria Street",
    "Meadow Close",
    "Church Lane",
    "Willow Drive",
    "Elm Grove",
    "Park Avenue",
    "Mill Road",
    "Kings Way",
]
POSTCODES = ["LS6 2AB", "M14 5RT", "BS1 4DJ", "CF10 3NQ", "NE1 7RU", "B15 2TT", "S10 2HQ", "L17 8XY"]
LAYOUTS = ["public", "private", "email", "review"]

STYLE = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: %(size)spx; color: #111; background: #fff;
       margin: 0; padding: 24px; width: %(width)spx; line-height: 1.5; }
.msg { border: 1px solid #ccd; border-radius: 12px; padding: 12px 16px; margin: 0 0 16px; max-width: 92%%; }
.customer { background: #f2f4f8; }
.org { background: #e6f2ea; margin-left: auto; }
.who { font-weight: bold; margin-bottom: 4px; }
.time { color: #555; font-size: 0.85em; }
h1 { font-size: 1.2em; margin: 0 0 16px; }
body.dark { background: #15202b; color: #e7e9ea; }
body.dark .msg { border-color: #38444d; }
body.dark .customer { background: #1e2732; }
body.dark .org { background: #10352a; }
body.dark .time { color: #8b98a5; }
"""


@dataclass
class Screen:
    name: str
    html: str
    width: int
    scale: int


def _pii(kind: str, text: str) -> str:
    return f'<span data-pii="{kind}">{html.escape(text)}</span>'


def _screen(index: int, rng: random.Random) -> Screen:
    first, last = FIRST[index], LAST[index]
    full = _pii("name", f"{first} {last}")
    agent = AGENTS[index % len(AGENTS)]
    phone = f"07700 900{rng.randint(100, 999)}"
    email = f"{first.lower()}.{last.lower()}@example.com"
    address = f"{rng.randint(2, 98)} {STREETS[index % len(STREETS)]}"
    postcode = POSTCODES[index % len(POSTCODES)]
    order = f"FH-{rng.randint(100000, 999999)}"
    layout = LAYOUTS[index % len(LAYOUTS)]
    extra = ""
    if index % 3 == 0:
        born = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/19{rng.randint(60, 99)}"
        extra = f" My date of birth is {_pii('dob', born)}."
    elif index % 3 == 1:
        extra = f" It should go to {_pii('address', address)}, {_pii('postcode', postcode)}."
    customer = (
        f"My order {_pii('reference', order)} never arrived. Please call me on {_pii('phone', phone)} "
        f"or e-mail {_pii('email', email)}.{extra}"
    )
    reply = (
        f"Hi {_pii('name', first)}, we're so sorry. We've sent you a private message with the next steps. "
        f"Thanks, {_pii('name', agent)}"
    )
    if layout == "public":
        body = (
            f"<h1>Replies on X</h1><div class='msg customer'><div class='who'>{full}"
            f" <span class='time'>09:1{index % 10}</span></div>{customer}</div>"
            f"<div class='msg org'><div class='who'>Fernleaf Home</div>{reply}</div>"
        )
    elif layout == "private":
        body = (
            f"<h1>Private message with {full}</h1>"
            f"<div class='msg customer'>{customer}</div><div class='msg org'>{reply}</div>"
        )
    elif layout == "email":
        body = (
            f"<h1>Re: missing delivery</h1><p>From: {full} "
            f"&lt;{_pii('email', email)}&gt;</p><p>{customer}</p><hr><p>Dear {full},</p>"
            f"<p>Thank you for your patience. A new parcel is on its way today.</p><p>Kind regards,<br>"
            f"{_pii('name', agent)}</p>"
        ).replace(f"e-mail {_pii('email', email)}", "e-mail me back")
    else:
        body = (
            f"<h1>Review by {full} ★★☆☆☆</h1><div class='msg customer'>{customer}</div>"
            f"<div class='msg org'><div class='who'>Response from the owner</div>{reply}</div>"
        )
    size = 15 + index % 4
    width = 720 if index % 2 else 900
    style = STYLE % {"size": size, "width": width}
    head = f"<meta charset='utf-8'><style>{style}</style>"
    theme = "dark" if index % 5 == 4 else "light"  # one screen in five in an app's dark mode
    page = f"<!doctype html><html><head>{head}</head><body class='{theme}'>{body}</body></html>"
    return Screen(name=f"screen-{index + 1:02d}-{layout}", html=page, width=width + 48, scale=1 + index % 2)


def screens() -> list[Screen]:
    rng = random.Random(20261207)
    return [_screen(index, rng) for index in range(20)]


READ_BOXES = """() => [...document.querySelectorAll('[data-pii]')].map(el => {
  const boxes = [...el.getClientRects()].map(r => [r.x, r.y, r.width, r.height]);
  return {kind: el.dataset.pii, text: el.textContent, boxes};
})"""


def render_screens(directory: Path) -> list[dict]:
    """Each screen as a PNG in ``directory`` with its expected findings (kind, text, boxes in
    the PNG's pixels); already rendered screens are read back from ``labels.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    labels_file = directory / "labels.json"
    if labels_file.exists():
        return json.loads(labels_file.read_text())
    from playwright.sync_api import sync_playwright

    labelled = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            for screen in screens():
                page = browser.new_page(
                    viewport={"width": screen.width, "height": 200}, device_scale_factor=screen.scale
                )
                page.set_content(screen.html)
                expected = page.evaluate(READ_BOXES)
                for item in expected:
                    item["boxes"] = [[round(v * screen.scale) for v in box] for box in item["boxes"]]
                path = directory / f"{screen.name}.png"
                page.screenshot(path=str(path), full_page=True)
                page.close()
                labelled.append({"name": screen.name, "path": str(path), "expected": expected})
        finally:
            browser.close()
    labels_file.write_text(json.dumps(labelled, indent=1))
    return labelled


def _overlaps(a: list[int], b: list[int]) -> bool:
    """Whether two boxes share at least half of the smaller one."""
    width = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    height = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return False
    return width * height >= 0.5 * min(a[2] * a[3], b[2] * b[3])


def match_screen(expected: list[dict], found: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
    """(expected items found, expected items missed, findings that match nothing expected).

    A finding matches an expected item of its kind when one of its boxes overlaps one of the
    item's boxes: OCR may misread a character, but the place is what a redaction needs.
    """
    unmatched = list(found)
    hits, misses = [], []
    for item in expected:
        match = next(
            (
                f
                for f in unmatched
                if f["kind"] == item["kind"]
                and any(_overlaps(a, b) for a in f["boxes"] for b in item["boxes"])
            ),
            None,
        )
        if match is None:
            misses.append(item)
        else:
            hits.append(item)
            unmatched.remove(match)
    # A name the detector splits differently ("Sarah" and "Jenkins") still covers one place.
    extra = [
        f
        for f in unmatched
        if not any(
            f["kind"] == item["kind"] and any(_overlaps(a, b) for a in f["boxes"] for b in item["boxes"])
            for item in expected
        )
    ]
    return hits, misses, extra


def score_screens(labelled: list[dict]) -> tuple[dict[str, dict[str, float]], float]:
    """Per kind recall and precision of the whole image pipeline over the rendered screens
    (a finding counts where its box meets the expected one), and the seconds spent."""
    import time

    from evidence.image_scan import scan_image
    from tests.evidence.personal_data_labelled import tally

    rows = []
    started = time.perf_counter()
    for screen in labelled:
        result = scan_image(Path(screen["path"]).read_bytes())
        found = [
            {"kind": f.kind, "text": f.text, "boxes": [list(b) for b in f.boxes]} for f in result.findings
        ]
        hits, _misses, extra = match_screen(screen["expected"], found)
        token = {id(item): f"{screen['name']}#{n}" for n, item in enumerate(screen["expected"])}
        expected = [(item["kind"], token[id(item)]) for item in screen["expected"]]
        matched = [(item["kind"], token[id(item)]) for item in hits]
        rows.append((expected, matched + [(f["kind"], f"{screen['name']}:extra") for f in extra]))
    return tally(rows), time.perf_counter() - started
