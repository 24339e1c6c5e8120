"""Which way round a file writes its dates: found when it is read, confirmed (or asked) when
its columns are mapped, used when it is checked, and shown in the preview as it will be read."""

from __future__ import annotations

import pyarrow as pa
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit import importing, selectors, services
from audit.importing.dates import AMBIGUOUS, DAY_FIRST, MIXED, MONTH_FIRST, date_order_in

pytestmark = pytest.mark.django_db

HEADER = "Channel,Created at,Replied at\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def table(*cells: str) -> pa.Table:
    return pa.table({"Created": list(cells), "Note": ["x"] * len(cells)})


@pytest.mark.parametrize(
    ("cells", "order", "example"),
    [
        (["04/09/2026 14:05", "25/03/2026 09:00"], DAY_FIRST, "25/03/2026 09:00"),
        (["04/09/2026 14:05", "03/25/2026 09:00"], MONTH_FIRST, "03/25/2026 09:00"),
        (["04/09/2026 14:05", "05/10/2026 09:00"], AMBIGUOUS, "04/09/2026 14:05"),
        (["25/03/2026 09:00", "03/25/2026 09:00"], MIXED, "25/03/2026 09:00"),
        (["2026-03-25 09:00", "2026-04-09 14:05"], "", ""),  # ISO: nothing to choose
        (["4-9-26", "13.1.2026"], DAY_FIRST, "13.1.2026"),
    ],
)
def test_the_order_is_found_from_proof_in_the_cells(cells, order, example):
    found = date_order_in(table(*cells))

    assert (found.order, found.example) == (order, example)


def test_a_large_file_is_read_for_proof_in_one_pass():
    cells = ["04/09/2026 14:05"] * 200_000 + ["30/09/2026 08:00"]

    found = date_order_in(table(*cells))

    assert found.order == DAY_FIRST
    assert found.example == "30/09/2026 08:00"


@pytest.mark.parametrize(
    "chunks",
    [
        [["04/09/2026 14:05", "05/10/2026 09:00"], [None, "25/03/2026 09:00", "04/09/2026 14:05"]],
        [["03/25/2026 09:00", None], ["x", "25/03/2026 09:00"], ["13.1.2026"]],
        [["Facebook", "X"], [None, "Instagram"]],
        [["04/09/2026 14:05"], ["05/10/2026 09:00", "04/09/2026 14:05"]],
    ],
)
def test_a_dictionary_encoded_column_is_read_as_its_cells_are(chunks):
    """The reader gives columns of few values dictionary-encoded, a dictionary per block of
    the file: their distinct values are looked at, and the example is still the first cell
    in the file that proves the order."""
    plain = pa.chunked_array([pa.array(chunk, pa.string()) for chunk in chunks])
    encoded = pa.chunked_array([pa.array(chunk, pa.string()).dictionary_encode() for chunk in chunks])

    found = date_order_in(pa.table({"Created": encoded}))

    assert found == date_order_in(pa.table({"Created": plain}))


@pytest.fixture
def portfolio(learner):
    return learner.portfolios.get()


def upload(portfolio, learner, content: bytes):
    return services.upload_service_data(
        portfolio=portfolio, upload=SimpleUploadedFile("export.csv", content, "text/csv"), actor=learner
    )


def mapping(**formats: str) -> dict[str, str]:
    data = {"col_platform": "Channel", "col_received_at": "Created at", "col_first_response_at": "Replied at"}
    data |= {"fmt_duration_unit": "minutes", "fmt_satisfaction_scale": "five", "fmt_fcr_source": "boolean"}
    return data | {f"fmt_{name}": value for name, value in formats.items()}


def map_url(portfolio, service_import):
    return reverse("audit:data_map", args=[portfolio.pk, service_import.pk])


def test_the_mapping_page_shows_sample_values_of_each_column(client, learner, portfolio):
    service_import = upload(portfolio, learner, csv("Facebook,25/03/2026 09:00,25/03/2026 09:30"))
    client.force_login(learner)

    html = client.get(map_url(portfolio, service_import)).content.decode()

    assert "Your file's columns, with a few of their values" in html
    assert '<code class="me-2 text-body">25/03/2026 09:00</code>' in html
    assert "“25/03/2026 09:00” in “Created at” can only be day first" in html


def test_an_ambiguous_file_asks_and_keeps_nothing_until_answered(client, learner, portfolio):
    service_import = upload(portfolio, learner, csv("Facebook,04/09/2026 14:05,04/09/2026 14:35"))
    client.force_login(learner)
    html = client.get(map_url(portfolio, service_import)).content.decode()
    assert "Every date in this file could be read either way" in html
    assert 'value="day_first" checked' not in html  # asked, not guessed

    response = client.post(map_url(portfolio, service_import), mapping())

    assert response.status_code == 400
    assert "Choose how the dates are written: this file cannot tell." in response.content.decode()
    service_import.refresh_from_db()
    assert service_import.status == service_import.Status.UPLOADED


def test_a_month_first_answer_reads_the_dates_month_first(client, learner, portfolio):
    service_import = upload(portfolio, learner, csv("Facebook,04/09/2026 14:05,04/09/2026 14:35"))
    client.force_login(learner)

    response = client.post(map_url(portfolio, service_import), mapping(date_order=MONTH_FIRST))

    assert response.url == reverse("audit:data_preview", args=[portfolio.pk, service_import.pk])
    preview = client.get(response.url).content.decode()
    assert "9 Apr 2026 14:05" in preview  # the preview shows dates as they will be read
    client.post(reverse("audit:data_import", args=[portfolio.pk, service_import.pk]))
    service_import.refresh_from_db()
    frame = selectors.interactions_frame(service_import)
    assert str(frame["received_at"].iloc[0].tz_convert("Europe/London")) == "2026-04-09 14:05:00+01:00"
    assert frame["first_response_minutes"].iloc[0] == 30


def test_the_uk_order_is_kept_and_shown_in_the_preview(client, learner, portfolio):
    service_import = upload(portfolio, learner, csv("Facebook,04/09/2026 14:05,25/09/2026 09:00"))
    client.force_login(learner)

    response = client.post(map_url(portfolio, service_import), mapping())

    preview = client.get(response.url).content.decode()
    assert "4 Sep 2026 14:05" in preview
    assert "04/09/2026" not in preview


def test_an_answer_the_file_disproves_is_refused(client, learner, portfolio):
    service_import = upload(portfolio, learner, csv("Facebook,25/03/2026 09:00,25/03/2026 09:30"))
    client.force_login(learner)

    response = client.post(map_url(portfolio, service_import), mapping(date_order=MONTH_FIRST))

    assert response.status_code == 400
    assert "which can only be day first (a month is never above 12)" in response.content.decode()
    service_import.refresh_from_db()
    assert service_import.status == service_import.Status.UPLOADED


def test_a_mixed_file_names_a_cell_of_each_order_and_lists_the_other_rows(client, learner, portfolio):
    service_import = upload(
        portfolio, learner, csv("Facebook,25/03/2026 09:00,25/03/2026 09:30", "Facebook,03/26/2026 09:00,")
    )
    client.force_login(learner)
    html = client.get(map_url(portfolio, service_import)).content.decode()
    assert "“25/03/2026 09:00” can only be day first and “03/26/2026 09:00” only month first" in html

    response = client.post(map_url(portfolio, service_import), mapping(date_order=DAY_FIRST))

    preview = client.get(response.url).content.decode()
    assert "“03/26/2026 09:00” is not a date and time" in preview


def test_a_file_without_slashed_dates_needs_no_answer(learner, portfolio):
    service_import = upload(portfolio, learner, csv("Facebook,2026-09-04 14:05,2026-09-04 14:35"))

    assert service_import.date_order == {}
    assert importing.DateOrder.of(service_import.date_order).must_ask is False
