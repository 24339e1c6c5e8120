"""No page says "1 risks" or "3 processs": counts and their nouns agree on every page.

Every page of every role in the demo (the pages the accessibility scan visits, with the
fragments htmx loads into them, ``tests.test_template_source.every_page``) is read as a person
reads it, plus the pages the demo's other learners see of their own submissions and a rich
submitted version, and two kinds of hand-made plural are looked for.

The rules, chosen so that what they flag is always wrong and what they let through is English:

1. **A count of one before a plural noun**: "1" standing alone (not "P1", "11", "0.1", "1.5"
   or "−1") followed by a word that is plural: ending in "s" but not in "ss", "us" or "is"
   (singular nouns: "1 process", "1 status", "1 analysis"), and not one of the few verbs a
   count can be the subject of ("1 needs action"); or an irregular plural ("1 criteria").
   "1 of 3" and "1 minute" pass; "1 minutes" does not.
2. **A plural made by adding "s" to a noun that takes "es" or "ies"**: a word ending in "sss"
   ("processs") or in a consonant and "ys" ("communitys"), or in "chs", "shs" or "xs"
   ("approachs", "boxs"). A few names and words that really end so are allowed.

The page's text is read element by element: a table cell, a list item or a paragraph is never
run together with the next, so "1" in one cell and "Reviews" in the next is not a phrase.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from assessment import services as assessment
from audit.steps import STEPS as AUDIT_STEPS
from core.models import Portfolio
from strategy.completeness import monitoring_status, risks_status
from tests.demo_pages import demo_urls
from tests.strategy.factories import ReviewCycleFactory, RiskFactory
from tests.test_template_source import EVERY_PAGE, VOID_ELEMENTS, every_page

# Elements inside a sentence; any other element starts or ends a separate piece of text.
INLINE_ELEMENTS = {"a", "abbr", "b", "code", "em", "i", "kbd", "mark", "q", "s", "small", "span"} | {
    "strong",
    "sub",
    "sup",
    "time",
    "u",
}
COUNT_OF_ONE = re.compile(r"(?<![\w.,£$€−-])1\s+([A-Za-z][A-Za-z'-]*)")
SINGULAR_ENDINGS = ("ss", "us", "is")
IRREGULAR_PLURALS = {"criteria", "people", "children", "men", "women", "analyses", "statuses"}
# Verbs whose subject a count can be ("1 needs action", "of which 1 remains").
VERBS = {"has", "was", "does", "goes", "needs", "remains", "means", "shows", "gets", "passes", "fails"}
BAD_PLURAL = re.compile(r"\b[A-Za-z]*(?:sss|[b-df-hj-np-tv-xz]ys|chs|shs|xs)\b", re.IGNORECASE)
# Words that end so and are right as they are (names a demo or a learner may use).
REAL_WORDS = {"rhys", "sys", "lynx", "jinx", "onyx", "sphinx", "tux", "xs"}


class _Pieces(HTMLParser):
    """The text a person reads, in pieces broken at every element that is not inline; scripts,
    styles and a chart's figure (JSON held as the text of a hidden element) left out."""

    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = [""]
        self._figures: set[str] = set()
        self._open: list[bool] = []  # for each open element: is its text data, not prose?

    def _break(self, tag: str) -> None:
        if tag not in INLINE_ELEMENTS and self.pieces[-1]:
            self.pieces.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if named.get("data-plotly-figure"):
            self._figures.add(named["data-plotly-figure"] or "")
        self._break(tag)
        if tag not in VOID_ELEMENTS:
            self._open.append(tag in {"script", "style", "template"} or named.get("id") in self._figures)

    def handle_endtag(self, tag: str) -> None:
        self._break(tag)
        if tag not in VOID_ELEMENTS and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if not any(self._open):
            self.pieces[-1] += data


def wrong_plurals(html: str) -> list[str]:
    """The phrases of the page that break the rules above."""
    reader = _Pieces()
    reader.feed(html)
    found = []
    for piece in reader.pieces:
        text = " ".join(piece.split())
        for match in COUNT_OF_ONE.finditer(text):
            word = match.group(1).lower()
            plural = word in IRREGULAR_PLURALS or (
                word.endswith("s") and not word.endswith(SINGULAR_ENDINGS) and word not in VERBS
            )
            if plural:
                found.append(match.group(0))
        found += [word for word in BAD_PLURAL.findall(text) if word.lower() not in REAL_WORDS]
    return found


@pytest.mark.parametrize(
    ("html", "found"),
    [
        ("<p>Fernleaf Home: 5 processs, 5 complete.</p>", ["processs"]),
        ("<p>3 communitys</p>", ["communitys"]),
        ("<p>6 risks, 1 scored high</p>", []),
        ("<li>1 risks</li><li>1 objectives, 1 passing</li>", ["1 risks", "1 objectives"]),
        ("<p>Mappings saved: 1 criteria.</p>", ["1 criteria"]),
        ("<p>1 <strong>minutes</strong> late</p>", ["1 minutes"]),
        ("<p>1 of 3 decided; 1 process, 1 analysis, 1 status; P1 items; 11 items; 0.1 seconds</p>", []),
        ("<p>1 needs action; 1.5 hours; −1 points; Rhys's reply</p>", []),
        ("<td>1</td><td>Reviews</td>", []),
        ('<script>var a = "1 bits processs";</script><p>fine</p>', []),
    ],
)
def test_the_rules_flag_hand_made_plurals_and_nothing_else(html, found):
    assert wrong_plurals(html) == found


@pytest.mark.parametrize(("count", "phrase"), [(1, "1 process"), (3, "3 processes")])
def test_an_audit_steps_rows_are_counted_with_their_own_plural(count, phrase):
    organisation = next(step for step in AUDIT_STEPS if step.slug == "organisation")
    communities = next(step for step in AUDIT_STEPS if step.slug == "communities")

    assert organisation.rows_phrase(count) == phrase
    assert communities.rows_phrase(2) == "2 communities"
    assert organisation.rows_still_needing(1).startswith("1 process still needs ")


def test_a_strategy_steps_summary_agrees_with_its_count():
    one_risk = [RiskFactory.build(likelihood=5, impact=5)]

    assert risks_status(one_risk).summary.startswith("1 risk, 1 scored high")
    assert monitoring_status([ReviewCycleFactory.build()]).summary == "1 Plan-Do-Check-Act cycle recorded."


def _more_pages(client) -> list[tuple[str, str]]:
    """The learners' own pages the scan does not visit: each submitted learner's portfolio and
    submissions, and the rich learner's portfolio submitted, as the assessor reads it."""
    pages = []
    for username in ("learner2", "learner3", "learner4"):
        portfolio = Portfolio.objects.get(learner__username=username)
        pages += [
            (username, f"/portfolios/{portfolio.pk}/"),
            (username, f"/portfolios/{portfolio.pk}/versions/"),
        ]
    rich = Portfolio.objects.get(learner__username="learner")
    version = assessment.submit_portfolio(portfolio=rich, declaration_signed=True, actor=rich.learner)
    pages += [
        ("assessor", f"/portfolios/{rich.pk}/versions/{version.number}/"),
        ("learner", f"/portfolios/{rich.pk}/versions/"),
    ]
    return pages


@pytest.mark.django_db
def test_no_page_of_any_role_makes_a_plural_by_hand(client, django_user_model):
    urls = demo_urls()
    wrong: dict[str, list[str]] = {}
    for label, page in every_page(client, django_user_model, urls, EVERY_PAGE):
        is_page = page.status_code == 200 and "html" in page.get("Content-Type", "")
        if is_page and (found := wrong_plurals(page.content.decode())):
            wrong[label] = found
    users = get_user_model().objects
    for username, url in _more_pages(client):
        client.force_login(users.get(username=username))
        page = client.get(url)
        assert page.status_code == 200, url
        if found := wrong_plurals(page.content.decode()):
            wrong[f"{username} {url}"] = found

    assert wrong == {}
