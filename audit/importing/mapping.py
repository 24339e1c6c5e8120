"""The canonical columns of an interaction, how help-desk exports name them (presets), and
the words the checks understand; a first mapping guessed from a file's headers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.importing.dates import DATE_ORDER_CHOICES, DAY_FIRST


@dataclass(frozen=True)
class CanonicalColumn:
    key: str
    label: str
    required: bool
    help: str


CANONICAL_COLUMNS: list[CanonicalColumn] = [
    CanonicalColumn(
        "platform", "Platform", True, "Where the customer wrote: Facebook, Instagram, X, TikTok…"
    ),
    CanonicalColumn("received_at", "Received", True, "Date and time the customer's message arrived."),
    CanonicalColumn("first_response_at", "First response at", False, "Date and time of the first reply."),
    CanonicalColumn(
        "first_response_time", "First response time", False, "Time to the first reply, as a duration."
    ),
    CanonicalColumn("resolved_at", "Resolved at", False, "Date and time the matter was resolved."),
    CanonicalColumn("resolution_time", "Resolution time", False, "Time to resolution, as a duration."),
    CanonicalColumn(
        "resolved_first_contact",
        "Resolved on first contact",
        False,
        "Yes/no, or the number of replies it took (one reply = first contact).",
    ),
    CanonicalColumn("satisfaction_score", "Satisfaction score", False, "Rating 1–5, or Good/Bad."),
    CanonicalColumn("nps_score", "NPS score", False, "Likelihood to recommend, 0–10."),
    CanonicalColumn("sentiment", "Sentiment", False, "Positive, neutral or negative."),
]
CANONICAL_KEYS = [column.key for column in CANONICAL_COLUMNS]
CANONICAL_LABELS = {column.key: column.label for column in CANONICAL_COLUMNS}

# How values are written, per canonical column that has more than one convention.
FORMAT_CHOICES: dict[str, list[tuple[str, str]]] = {
    "duration_unit": [
        ("minutes", "Minutes (e.g. 42 or 42.5)"),
        ("hours", "Hours (e.g. 1.5)"),
        ("hms", "Hours as HH:MM:SS or decimal hours (Freshdesk)"),
    ],
    "satisfaction_scale": [
        ("five", "1 to 5"),
        ("good_bad", "Good / Bad (Zendesk): Good counts as 5, Bad as 1"),
        ("freshdesk", "Freshdesk survey words (Extremely happy … Extremely unhappy)"),
    ],
    "fcr_source": [
        ("boolean", "Yes / No"),
        ("replies", "Number of replies (one reply and resolved = first contact)"),
    ],
    # Dates written with slashes (see audit.importing.dates: found in the file, confirmed by the person).
    "date_order": DATE_ORDER_CHOICES,
}
DEFAULT_FORMATS = {
    "duration_unit": "minutes",
    "satisfaction_scale": "five",
    "fcr_source": "boolean",
    "date_order": DAY_FIRST,
}


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    columns: dict[str, str]
    formats: dict[str, str]
    note: str


PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in [
        Preset(
            "canonical",
            "Our own columns",
            {key: key for key in CANONICAL_KEYS},
            dict(DEFAULT_FORMATS),
            "Files written with the canonical column names, e.g. our template.",
        ),
        Preset(
            "zendesk",
            "Zendesk ticket export",
            {
                "platform": "Via",
                "received_at": "Created at",
                "first_response_time": "First reply time in minutes",
                "resolution_time": "Full resolution time in minutes",
                "resolved_first_contact": "Replies",
                "satisfaction_score": "Satisfaction Score",
            },
            {"duration_unit": "minutes", "satisfaction_scale": "good_bad", "fcr_source": "replies"},
            "Zendesk's CSV export: calendar minutes, satisfaction Good/Bad (Offered and Unoffered mean "
            "no rating), channel in “Via”.",
        ),
        Preset(
            "freshdesk",
            "Freshdesk ticket export",
            {
                "platform": "Source",
                "received_at": "Created time",
                "first_response_at": "Initial response time",
                "resolved_at": "Resolved time",
                "resolved_first_contact": "Agent interactions",
                "satisfaction_score": "Survey results",
            },
            {"duration_unit": "hms", "satisfaction_scale": "freshdesk", "fcr_source": "replies"},
            "Freshdesk's ticket export. Its “First response time (in hrs)” counts business hours only, "
            "so the preset measures from the timestamps instead, in calendar time; “Resolution status” "
            "is SLA compliance, not first contact resolution, so agent interactions are used.",
        ),
    ]
}

PLATFORM_ALIASES: dict[str, str] = {
    "facebook": "facebook",
    "fb": "facebook",
    "facebook messenger": "facebook",
    "messenger": "facebook",
    "facebook post": "facebook",
    "instagram": "instagram",
    "ig": "instagram",
    "instagram direct": "instagram",
    "instagram dm": "instagram",
    "x": "x",
    "twitter": "x",
    "x (twitter)": "x",
    "twitter dm": "x",
    "tiktok": "tiktok",
    "tik tok": "tiktok",
    "whatsapp": "whatsapp",
    "whatsapp business": "whatsapp",
    "trustpilot": "trustpilot",
    "linkedin": "linkedin",
    "youtube": "youtube",
    "chat": "webchat",
    "web chat": "webchat",
    "webchat": "webchat",
    "live chat": "webchat",
    "messaging": "webchat",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "outbound email": "email",
    "web": "web",
    "web form": "web",
    "web_form": "web",
    "portal": "web",
    "feedback widget": "web",
    "api": "web",
    "phone": "phone",
    "telephone": "phone",
    "voice": "phone",
    "other": "other",
}

SATISFACTION_WORDS = {
    "good_bad": {"good": 5, "bad": 1, "offered": None, "unoffered": None},
    "freshdesk": {
        "extremely happy": 5,
        "very happy": 5,
        "awesome": 5,
        "happy": 4,
        "neutral": 3,
        "just okay": 3,
        "unhappy": 2,
        "extremely unhappy": 1,
        "very unhappy": 1,
        "not good": 1,
    },
}
BOOLEAN_WORDS = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
SENTIMENT_WORDS = {
    "positive": "positive",
    "pos": "positive",
    "neutral": "neutral",
    "neu": "neutral",
    "mixed": "neutral",
    "negative": "negative",
    "neg": "negative",
}


# --- Mapping --------------------------------------------------------------------------


def guess_mapping(headers: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """A first mapping and formats: a preset whose key columns are all present, else matching names."""
    present = set(headers)
    for preset in PRESETS.values():
        if all(preset.columns.get(key) in present for key in ("platform", "received_at")):
            return {key: source for key, source in preset.columns.items() if source in present}, dict(
                preset.formats
            )
    simple = {re.sub(r"[^a-z]", "", header.lower()): header for header in headers}
    guessed = {}
    for key in CANONICAL_KEYS:
        for candidate in (key, CANONICAL_LABELS[key]):
            match = simple.get(re.sub(r"[^a-z]", "", candidate.lower()))
            if match:
                guessed[key] = match
                break
    return guessed, dict(DEFAULT_FORMATS)
