"""CSV and XLSX exports of the cohort dashboard: one row per learner, a column per criterion."""

from __future__ import annotations

import csv
import hashlib
import io

import pandas as pd
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.workbook import xlsx_stream
from tests.factories import PortfolioFactory
from tests.portfolio.dashboard_data import fill

pytestmark = pytest.mark.django_db


def read(response, kind):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if kind == "csv":
        return pd.read_csv(io.BytesIO(body), keep_default_na=False)
    return pd.read_excel(io.BytesIO(body), engine="openpyxl", keep_default_na=False)


@pytest.mark.parametrize(
    ("name", "kind"), [("portfolio:cohort_export_csv", "csv"), ("portfolio:cohort_export_xlsx", "xlsx")]
)
def test_the_export_holds_one_row_per_learner_and_a_column_per_criterion(
    client, tutor, cohort, assessor, name, kind
):
    portfolios = fill(cohort, assessor, 3)
    criteria = list(cohort.frameworks.get().criteria.order_by("order"))
    code = cohort.frameworks.get().code
    client.force_login(tutor)

    response = client.get(reverse(name, args=[cohort.pk]))

    assert response.status_code == 200
    assert f'filename="{cohort.code}-dashboard-' in response["Content-Disposition"]
    frame = read(response, kind)
    assert len(frame) == 3
    assert sorted(frame["Username"]) == sorted(p.learner.username for p in portfolios)
    for criterion in criteria:
        assert f"{code} {criterion.code}" in frame.columns
    assert set(frame[f"{code} {criteria[0].code}"]) == {"Met"}
    assert set(frame[f"{code} {criteria[1].code}"]) == {"Claimed"}
    assert set(frame[f"{code} {criteria[2].code}"]) == {"No evidence"}
    assert set(frame["Coverage %"]) == {33}
    assert set(frame["Submission"]) == {"Awaiting review"}
    assert set(frame["Returned"]) == {1}
    assert set(frame["Assessor"]) == {assessor.display_name}


@pytest.mark.parametrize("learners", [1, 20])
@pytest.mark.parametrize("name", ["portfolio:cohort_export_csv", "portfolio:cohort_export_xlsx"])
def test_an_export_costs_the_same_whatever_the_cohort_size(
    client, tutor, cohort, assessor, learners, name, django_assert_max_num_queries
):
    fill(cohort, assessor, learners)
    client.force_login(tutor)

    # session, user, cohort and roles (access), criteria, the learners' assessors, then, as
    # the body is read: the learners with their steps and submission (one stream) and their
    # criteria as bits (one stream beside it)
    with django_assert_max_num_queries(8):
        response = client.get(reverse(name, args=[cohort.pk]))
        assert b"".join(response.streaming_content)
    assert response.status_code == 200


def test_a_formula_in_a_learners_name_is_not_run_by_a_spreadsheet(client, tutor, cohort, assessor):
    [portfolio] = fill(cohort, assessor, 1)
    portfolio.learner.first_name = '=HYPERLINK("http://evil")'
    portfolio.learner.save()
    client.force_login(tutor)

    frame = read(client.get(reverse("portfolio:cohort_export_csv", args=[cohort.pk])), "csv")

    assert frame["Learner"][0].startswith("'=")


def test_markup_and_control_characters_in_a_name_are_written_as_text_in_the_workbook(
    client, tutor, cohort, assessor
):
    [portfolio] = fill(cohort, assessor, 1)
    portfolio.learner.first_name = '<b>&amp;</b> "Zoë"'
    portfolio.learner.last_name = "O'Neil\x07\x0b\x1f]]>"  # PostgreSQL holds no NUL
    portfolio.learner.save()
    client.force_login(tutor)

    frame = read(client.get(reverse("portfolio:cohort_export_xlsx", args=[cohort.pk])), "xlsx")

    # As typed, bar the control characters a workbook cannot hold.
    assert frame["Learner"][0] == '<b>&amp;</b> "Zoë" O\'Neil]]>'


def test_the_workbook_is_sent_before_its_last_row_is_read():
    read_rows = []

    def rows():
        for n in range(5000):
            read_rows.append(n)
            # Text that does not compress to nothing, as learners' names and states do not.
            yield [f"Learner {n} {hashlib.sha256(str(n).encode()).hexdigest()}", n, "Evidenced"]

    chunks = xlsx_stream(rows(), title="Learners", chunk_size=16 * 1024)
    first = next(chunks)

    assert first.startswith(b"PK")
    assert len(read_rows) < 5000
    body = first + b"".join(chunks)
    sheet = load_workbook(io.BytesIO(body), read_only=True)["Learners"]
    last = [list(row) for row in sheet.iter_rows(min_row=5000, values_only=True)]
    assert last == [[f"Learner 4999 {hashlib.sha256(b'4999').hexdigest()}", 4999, "Evidenced"]]


def test_a_learner_cannot_download_the_export(client, learner, cohort):
    client.force_login(learner)
    assert client.get(reverse("portfolio:cohort_export_xlsx", args=[cohort.pk])).status_code == 403


def _csv_rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_holds_what_the_filtered_dashboard_shows_and_says_so(client, tutor, cohort, assessor):
    assigned = PortfolioFactory(cohort=cohort, assessor=assessor)
    PortfolioFactory.create_batch(2, cohort=cohort, assessor=None)
    client.force_login(tutor)
    query = {"assessor": str(assessor.pk)}
    page = client.get(reverse("portfolio:cohort_dashboard", args=[cohort.pk]), query)
    export_url = reverse("portfolio:cohort_export_csv", args=[cohort.pk])

    assert f'href="{export_url}?assessor={assessor.pk}"' in page.content.decode()
    rows = _csv_rows(client.get(export_url, query))

    assert rows[0][0].startswith(
        f"Filtered as on the cohort dashboard (assessor: {assessor.display_name}): 1 of 3 learners"
    )
    assert rows[1][0] == "Learner"
    assert [row[1] for row in rows[2:]] == [assigned.learner.username]


def test_an_unfiltered_export_holds_every_learner_without_a_note(client, tutor, cohort):
    PortfolioFactory.create_batch(3, cohort=cohort)
    client.force_login(tutor)

    rows = _csv_rows(client.get(reverse("portfolio:cohort_export_csv", args=[cohort.pk])))

    assert rows[0][0] == "Learner"
    assert len(rows) == 1 + cohort.portfolios.count()


def test_a_filtered_workbook_says_so_in_its_first_row(client, tutor, cohort):
    PortfolioFactory.create_batch(2, cohort=cohort)
    client.force_login(tutor)

    response = client.get(reverse("portfolio:cohort_export_xlsx", args=[cohort.pk]), {"assessor": "none"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value.startswith("Filtered as on the cohort dashboard (no assessor): 2 of 2 learners")
    assert "filtered" in response["Content-Disposition"]
