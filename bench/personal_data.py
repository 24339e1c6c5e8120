"""Benchmark: the personal-data detector on the labelled texts and screenshots.

Run from the project root: ``.venv/bin/python bench/personal_data.py``.

Texts: the 60-plus labelled texts of tests/evidence/personal_data_labelled.py, each
finding compared by kind and exact text. Screenshots: the twenty conversations of
tests/evidence/personal_data_screens.py, rendered in Debian's Chromium (Playwright) into a
temporary folder, then read by the whole image pipeline (tesseract OCR, the detector, the
face cascade); a finding counts where one of its boxes covers at least half of the
expected item's box. Prints recall and precision per kind, the OCR time, and as its last
line one JSON object with every figure and whether the targets are met (text: every kind
recall ≥ 0.95 and precision ≥ 0.9; screenshots: names, e-mails and phones recall ≥ 0.9).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.evidence.personal_data_labelled import CASES, score_texts  # noqa: E402
from tests.evidence.personal_data_screens import render_screens, score_screens  # noqa: E402


def _table(title: str, figures: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(
        f"{'kind':>16} {'expected':>8} {'found':>6} {'missed':>6} {'false':>6} {'recall':>7} {'precision':>9}"
    )
    for kind, row in figures.items():
        print(
            f"{kind:>16} {row['tp'] + row['fn']:>8} {row['tp']:>6} {row['fn']:>6} {row['fp']:>6} "
            f"{row['recall']:>7.3f} {row['precision']:>9.3f}"
        )


def main() -> dict:
    started = time.perf_counter()
    text = score_texts()
    text_seconds = time.perf_counter() - started
    folder = Path(tempfile.mkdtemp(prefix="bench-personal-data-"))
    try:
        started = time.perf_counter()
        screens = render_screens(folder)
        render_seconds = time.perf_counter() - started
        images, ocr_seconds = score_screens(screens)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    _table(f"Texts ({len(CASES)}), {text_seconds:.2f} s", text)
    _table(
        f"Screenshots ({len(screens)}), rendered in {render_seconds:.1f} s, read in {ocr_seconds:.1f} s",
        images,
    )
    text_ok = all(row["recall"] >= 0.95 and row["precision"] >= 0.9 for row in text.values())
    images_ok = all(images[kind]["recall"] >= 0.9 for kind in ("name", "email", "phone"))
    return {
        "texts": len(CASES),
        "screenshots": len(screens),
        "text": {kind: {"recall": r["recall"], "precision": r["precision"]} for kind, r in text.items()},
        "images": {kind: {"recall": r["recall"], "precision": r["precision"]} for kind, r in images.items()},
        "ocr_seconds": round(ocr_seconds, 1),
        "ocr_seconds_per_screenshot": round(ocr_seconds / max(1, len(screens)), 2),
        "within_targets": {"text": text_ok, "screenshots": images_ok},
    }


if __name__ == "__main__":
    print(json.dumps(main()))
