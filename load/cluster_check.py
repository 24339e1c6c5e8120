"""make cluster-check: one learner's journey through the running cluster, as a browser does.

Through HAProxy's TLS front (https://localhost:8443): log in (the session and CSRF cookies come
back Secure), upload a photo as evidence, export the PDF on a Celery worker and download it
through the checked view; then check that the photo and the PDF are objects in the S3 bucket,
and that both web instances served requests (HAProxy's statistics). Prints a JSON summary as
its last line; exits non-zero if any step fails.

Run it after ``make cluster``; it adds one evidence item and one export to the demo learner.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
import urllib.request
from typing import Any

import boto3
from PIL import Image
from playwright.sync_api import expect, sync_playwright

BASE = f"https://localhost:{os.environ.get('CLUSTER_HTTPS_PORT', '8443')}"
STATS = f"http://127.0.0.1:{os.environ.get('CLUSTER_STATS_PORT', '8209')}/;csv"
PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (20, 110, 130)).save(out, "PNG")
    return out.getvalue()


def _served_by_backend() -> dict[str, int]:
    """Requests each web instance has answered, from HAProxy's statistics page."""
    with urllib.request.urlopen(STATS, timeout=5) as response:
        rows = csv.DictReader(io.StringIO(response.read().decode().lstrip("# ")))
        return {row["svname"]: int(row["stot"] or 0) for row in rows if row["pxname"] == "web"}


def _bucket_keys() -> set[str]:
    s3 = boto3.client(
        "s3",
        endpoint_url=os.environ["S3_ENDPOINT_URL"],
        region_name=os.environ["S3_REGION"],
        aws_access_key_id=os.environ["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["S3_SECRET_ACCESS_KEY"],
    )
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=os.environ["S3_BUCKET"]):
        keys |= {item["Key"] for item in page.get("Contents", [])}
    return keys


def main() -> int:
    summary: dict[str, Any] = {"base": BASE}
    started = time.monotonic()
    before = _bucket_keys()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(base_url=BASE, ignore_https_errors=True)
        page = context.new_page()
        page.set_default_timeout(30_000)

        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("learner")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("link", name="My portfolio").first).to_be_visible()
        cookies = {c["name"]: c for c in context.cookies()}
        summary["secure_cookies"] = all(cookies[name]["secure"] for name in ("sessionid", "csrftoken"))
        page.get_by_role("link", name="My portfolio").first.click()
        portfolio_url = page.url.split("?")[0]
        portfolio_pk = portfolio_url.rstrip("/").split("/")[-1]

        page.goto(f"/portfolios/{portfolio_pk}/evidence/add/file/")
        page.get_by_label("File").set_input_files(
            {"name": "cluster.png", "mimeType": "image/png", "buffer": _photo()}
        )
        title = f"Cluster check {time.strftime('%H:%M:%S')}"
        page.get_by_label("Title").fill(title)
        page.get_by_role("button", name="Add evidence").click()
        expect(page.get_by_text(f"“{title}” added.")).to_be_visible()
        summary["uploaded"] = title

        page.goto(f"/portfolios/{portfolio_pk}/exports/")
        page.get_by_role("button", name="Export as PDF").first.click()
        expect(page.get_by_role("heading", name="The PDF is ready")).to_be_visible(timeout=240_000)
        with page.expect_download() as info:
            page.get_by_role("link", name="Download the PDF").click()
        with open(info.value.path(), "rb") as handle:
            head = handle.read(5)
        summary["pdf_downloaded"] = head == b"%PDF-"
        browser.close()

    added = _bucket_keys() - before
    summary["new_objects"] = sorted(added)
    summary["photo_in_s3"] = any(key.endswith(".png") for key in added)
    summary["pdf_in_s3"] = any(key.endswith(".pdf") for key in added)
    served = _served_by_backend()
    summary["served_by"] = served
    summary["both_web_instances_served"] = all(served.get(name, 0) > 0 for name in ("web1", "web2"))
    summary["seconds"] = round(time.monotonic() - started, 1)
    checks = ["secure_cookies", "pdf_downloaded", "photo_in_s3", "pdf_in_s3", "both_web_instances_served"]
    summary["ok"] = all(summary[name] for name in checks)
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
