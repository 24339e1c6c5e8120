"""Files for the demo drawn in code (no downloads): screenshots, a chart, a PDF, a CSV, a workbook."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from openpyxl import Workbook
from PIL import Image, ImageDraw, ImageFont

BRAND = (11, 85, 99)
GREY = (233, 236, 239)


# --- Files drawn in code ------------------------------------------------------------------


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _canvas(title: str, width: int = 900, height: int = 520) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 56), fill=BRAND)
    draw.text((20, 16), title, fill="white", font=_font(22))
    return image, draw


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def bar_chart_png(title: str, bars: list[tuple[str, float]], unit: str) -> bytes:
    image, draw = _canvas(title)
    top = max(value for _, value in bars) or 1
    for index, (label, value) in enumerate(bars):
        x = 60 + index * (780 // len(bars))
        height = int(360 * value / top)
        draw.rectangle((x, 470 - height, x + 60, 470), fill=BRAND if value < top else (224, 122, 31))
        draw.text((x, 478), label, fill="black", font=_font(16))
        draw.text((x, 450 - height), f"{value:g} {unit}", fill="black", font=_font(15))
    return _png(image)


def post_png(title: str, lines: list[tuple[str, str]]) -> bytes:
    """A mock-up of a social media thread: who wrote what, one box each."""
    image, draw = _canvas(title, height=110 + 92 * len(lines))
    y = 76
    for author, text in lines:
        ours = author.startswith("@Fernleaf")
        x0, x1 = (300, 880) if ours else (20, 600)
        draw.rounded_rectangle((x0, y, x1, y + 78), radius=16, fill=BRAND if ours else GREY)
        colour = "white" if ours else "black"
        draw.text((x0 + 14, y + 8), author, fill=colour, font=_font(15))
        draw.text((x0 + 14, y + 32), text, fill=colour, font=_font(17))
        y += 92
    return _png(image)


def note_pdf(title: str, lines: list[str]) -> bytes:
    image, draw = _canvas(title, width=1240, height=1754)
    for index, line in enumerate(lines):
        draw.text((80, 120 + index * 44), line, fill="black", font=_font(26))
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def volumes_csv(first_monday: date) -> bytes:
    """Weekly figures: the first two baseline weeks, then the first follow-up week (three
    weeks on, when the weekend rota started)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["week_starting", "platform", "contacts", "median_first_response_minutes", "resolved"])
    weeks = [first_monday + timedelta(days=7 * n) for n in (0, 1, 3)]
    rows = [
        (weeks[0], "X", 212, 238, 171), (weeks[0], "Facebook", 164, 182, 140),
        (weeks[0], "Instagram", 96, 75, 90), (weeks[1], "X", 231, 251, 180),
        (weeks[1], "Facebook", 158, 176, 137), (weeks[1], "Instagram", 104, 70, 99),
        (weeks[2], "X", 205, 64, 188), (weeks[2], "Facebook", 149, 58, 141),
        (weeks[2], "Instagram", 99, 41, 96), (weeks[2], "WhatsApp", 57, 12, 55),
    ]  # fmt: skip
    writer.writerows((week.isoformat(), *rest) for week, *rest in rows)
    return buffer.getvalue().encode()


def rota_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Weekend rota"
    sheet.append(["Day", "Shift", "Advisers on social", "Platforms", "Escalation contact"])
    for row in [
        ("Saturday", "08:00–14:00", 2, "X, Facebook", "Duty team leader"),
        ("Saturday", "14:00–20:00", 2, "X, Facebook, Instagram", "Duty team leader"),
        ("Sunday", "09:00–17:00", 2, "All", "Head of customer service (on call)"),
    ]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
