"""In a real browser: a row's fields show what was typed in them, and tick boxes can be seen."""

from __future__ import annotations

import pytest

from audit.models import ServiceProcess
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _contrast(foreground: tuple[int, ...], background: tuple[int, ...]) -> float:
    def luminance(rgb: tuple[int, ...]) -> float:
        channels = [c / 255 for c in rgb[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(part) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3])


def test_a_process_row_shows_its_whole_name_and_channels_on_a_desktop(page, learner):
    portfolio = learner.portfolios.get()
    ServiceProcess.objects.create(
        portfolio=portfolio,
        name="Damage and guarantee claims",
        how_it_runs="Photos are requested by e-mail; a supervisor approves the claim.",
        channels="SMS, phone, WhatsApp group, Facebook",
        problems="Public complaints on X before a claim is opened.",
    )
    log_in(page, learner.username, TEST_PASSWORD)
    page.goto(f"/portfolios/{portfolio.pk}/audit/organisation/")

    for name in ("rows-0-name", "rows-0-channels"):
        field = page.locator(f'[name="{name}"]')
        assert field.evaluate("f => f.scrollWidth <= f.clientWidth"), f"{name} cuts its text"


def test_tick_boxes_stand_out_from_the_page(page, learner):
    portfolio = learner.portfolios.get()
    ServiceProcess.objects.create(portfolio=portfolio, name="Returns", how_it_runs="By e-mail.")
    log_in(page, learner.username, TEST_PASSWORD)
    page.goto(f"/portfolios/{portfolio.pk}/audit/organisation/")

    box = page.locator('[name="rows-0-DELETE"]')
    border = _rgb(box.evaluate("b => getComputedStyle(b).borderTopColor"))
    background = _rgb(box.evaluate("b => getComputedStyle(b).backgroundColor"))

    assert _contrast(border, background) >= 3  # WCAG 1.4.11, non-text contrast
