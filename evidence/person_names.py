"""First names and surnames used in the UK, to tell a person's name from other capitalised
words. Read once at import from Faker's locale data (a pinned package, kept up to date by
its maintainers from the ONS's lists), never at each call.

Two sizes: the UK lists alone decide a bare "First Surname" pair anywhere in a text, where
a wider net would flag brands and places; the wider set (adding Irish, US and Indian
English names, which many UK customers carry) is used only right after a greeting or a
sign-off ("Hi …", "Thanks, …"), where a capitalised word is almost always a name.
"""

from __future__ import annotations

from faker.providers.person import en_GB, en_IE, en_IN, en_US

# Names that are also everyday words at the start of a sentence: "Hi, Hope you are well",
# "Thanks, Will do". Left out of the greeting check; still found with a surname after them.
AMBIGUOUS = frozenset(
    {
        "Hope",
        "Will",
        "May",
        "June",
        "Joy",
        "Summer",
        "Sunny",
        "Happy",
        "Art",
        "Rich",
        "Bill",
        "Love",
        "Honor",
        "Ever",
        "Sterling",
        "Royal",
        "Major",
        "Page",
        "Young",
        "Long",
        "Little",
        "Best",
        "Kind",
        "Many",
        "Speak",
        "Take",
        "Great",
        "Good",
        "Just",
        "See",
        "Chat",
        "Case",
    }
)


def _first_names(provider: type) -> set[str]:
    names: set[str] = set()
    for attribute in ("first_names", "first_names_male", "first_names_female"):
        value = getattr(provider, attribute, ())
        names.update(value.keys() if isinstance(value, dict) else value)
    return {n for n in names if n.isalpha() and n[0].isupper()}


def _last_names(provider: type) -> set[str]:
    value = getattr(provider, "last_names", ())
    names = value.keys() if isinstance(value, dict) else value
    return {n for n in names if n.replace("-", "").replace("'", "").isalpha() and n[0].isupper()}


UK_FIRST_NAMES = frozenset(_first_names(en_GB.Provider) - AMBIGUOUS)
UK_SURNAMES = frozenset(_last_names(en_GB.Provider))
WIDE_FIRST_NAMES = frozenset(
    (
        _first_names(en_GB.Provider)
        | _first_names(en_IE.Provider)
        | _first_names(en_US.Provider)
        | _first_names(en_IN.Provider)
    )
    - AMBIGUOUS
)
WIDE_SURNAMES = frozenset(
    _last_names(en_GB.Provider)
    | _last_names(en_IE.Provider)
    | _last_names(en_US.Provider)
    | _last_names(en_IN.Provider)
)
