"""The load test's journeys, one user class per role, against the demo data of ``make cluster``.

- Learners (most users) read their pages, save a guided step as it stands, and now and then
  upload a photo and map it to a criterion.
- Assessors open the review queue and the marking workspace of the version waiting for them,
  move between criteria and record decisions in place (the htmx requests the page makes).
- Tutors open the cohort dashboard and its progress chart, and export the cohort as CSV.
- One exporter asks for the learner's PDF once a minute and follows it to the download.

Every form is read from the page and posted back as the browser would (with its CSRF token), so
the journeys follow the product rather than hard-coded fields. Run by ``load/run.py`` (``make
load``), which bounds the users and the time and writes the JSON summary.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import struct
import time
import zlib
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, between, constant_pacing, events, task

PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")
CONFLICTS: dict[str, int] = {}
LEARNERS = ["learner", "learner2", "learner3", "learner4", "learner5", "learner6"]


class Forms(HTMLParser):
    """The page's forms: each one's action, method and fields (name, value) as a browser sends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self.links: list[str] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "id": a.get("id", ""),
                "fields": [],
            }
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input" and a.get("name") and not a.get("disabled"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("file", "submit", "button", "image"):
                return
            self._form["fields"].append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form["fields"].append((a["name"], ""))
        elif tag == "select" and a.get("name"):
            self._select, self._select_value = a["name"], None
        elif tag == "option" and self._select is not None and (self._select_value is None or "selected" in a):
            self._select_value = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self._form is not None:
            name, text = self._form["fields"][-1]
            self._form["fields"][-1] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form["fields"].append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "form":
            self._form = None


def parse(html: str) -> Forms:
    forms = Forms()
    forms.feed(html)
    return forms


def page_form(html: str, url: str, posts_to: str = "") -> dict[str, Any] | None:
    """The page's own POST form: the one that posts to the page itself, or to ``posts_to``
    (never the menu's log-out)."""
    targets = {posts_to} if posts_to else {"", url.split("?")[0], url}
    for form in parse(html).forms:
        if form["method"] == "post" and form["action"] in targets and "logout" not in form["action"]:
            return form
    return None


def _png() -> bytes:
    """A small photo-sized PNG made without Pillow (the load driver has only locust)."""
    width, height = 320, 240
    raw = b"".join(b"\x00" + bytes((20, 110 + (y % 60), 130)) * width for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


PHOTO = _png()


class PortfolioUser(HttpUser):
    abstract = True
    username = "learner"

    def on_start(self) -> None:
        self.client.verify = False  # the cluster's certificate is self-signed
        page = self.client.get("/accounts/login/", name="login page")
        form = page_form(page.text, "/accounts/login/")
        fields = dict(form["fields"] if form else []) | {"username": self.username, "password": PASSWORD}
        with self.client.post(
            "/accounts/login/",
            data=fields,
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="log in",
            catch_response=True,
            allow_redirects=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure("log-in refused")

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def post_form(self, page_url: str, name: str, changes: dict | None = None, posts_to: str = "") -> None:
        """Read the page, take its own POST form (or the one posting to ``posts_to``) and send
        it back as it stands, with ``changes``."""
        page = self.client.get(page_url, name=name)
        form = page_form(page.text, page_url, posts_to)
        if form is None:
            return
        fields = list(form["fields"])
        if changes:
            fields = [(k, v) for k, v in fields if k not in changes] + list(changes.items())
        with self.client.post(
            form["action"] or page_url,
            data=fields,
            headers={"Referer": self.host + page_url},
            name=f"{name} (save)",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                # Two of the load's users are the same learner: the later save of the same
                # version is refused, as the product should; counted, not an error.
                CONFLICTS[name] = CONFLICTS.get(name, 0) + 1
                response.success()


class Learner(PortfolioUser):
    weight = 6
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username = random.choice(LEARNERS[:5])
        super().on_start()
        home = self.client.get("/", name="home")
        match = re.search(r"/portfolios/(\d+)/", home.text)
        self.portfolio = match.group(1) if match else "1"

    @task(6)
    def read_pages(self) -> None:
        p = self.portfolio
        self.client.get(f"/portfolios/{p}/", name="portfolio")
        self.client.get(f"/portfolios/{p}/evidence/", name="evidence list")
        self.client.get(f"/portfolios/{p}/strategy/objectives/", name="strategy step")
        self.client.get(f"/portfolios/{p}/readiness/", name="readiness")

    @task(2)
    def read_kpis(self) -> None:
        self.client.get(f"/portfolios/{self.portfolio}/audit/kpis/", name="KPIs")

    @task(2)
    def save_step(self) -> None:
        self.post_form(f"/portfolios/{self.portfolio}/audit/organisation/", name="audit step")

    @task(1)
    def upload_and_map(self) -> None:
        p = self.portfolio
        page = self.client.get(f"/portfolios/{p}/evidence/add/file/", name="add a file")
        form = page_form(page.text, f"/portfolios/{p}/evidence/add/file/")
        if form is None:
            return
        fields = dict(form["fields"]) | {"title": f"Load test photo {time.time():.0f}"}
        with self.client.post(
            f"/portfolios/{p}/evidence/add/file/",
            data=fields,
            files={"upload": ("load.png", io.BytesIO(PHOTO), "image/png")},
            headers={"Referer": f"{self.host}/portfolios/{p}/evidence/add/file/"},
            name="add a file (upload)",
            catch_response=True,
        ) as response:
            # A photo goes to its page (checked for personal data), other files to their mappings.
            match = re.search(r"/evidence/(\d+)/", response.url)
            if not match:
                response.failure("the upload was not accepted")
                return
        mappings = f"/portfolios/{p}/evidence/{match.group(1)}/mappings/"
        page = self.client.get(mappings, name="map evidence")
        box = re.search(r'name="(c-\d+-on)"', page.text)
        if box:
            criterion = box.group(1).split("-")[1]
            self.post_form(
                mappings,
                name="map evidence",
                changes={box.group(1): "on", f"c-{criterion}-note": "Shows the reply time."},
            )


class Assessor(PortfolioUser):
    weight = 2
    wait_time = between(1, 3)
    username = "assessor"

    def on_start(self) -> None:
        super().on_start()
        queue = self.client.get("/assessment/queue/", name="review queue")
        match = re.search(r"/portfolios/(\d+)/versions/(\d+)/workspace/", queue.text)
        self.workspace = match.group(0) if match else ""

    @task(3)
    def open_workspace(self) -> None:
        self.client.get("/assessor/", name="assessor home")
        if self.workspace:
            self.client.get(self.workspace, name="workspace")

    @task(4)
    def decide(self) -> None:
        if not self.workspace:
            return
        page = self.client.get(self.workspace, name="workspace")
        panels = sorted(set(re.findall(r'hx-get="([^"]*/workspace/criteria/\d+/[^"]*)"', page.text)))
        if not panels:
            return
        panel_url = random.choice(panels).replace("&amp;", "&")
        panel = self.client.get(panel_url, headers={"HX-Request": "true"}, name="workspace panel")
        form = next((f for f in parse(panel.text).forms if f["id"] == "ws-decision"), None)
        if form is None:
            return
        fields = [(k, v) for k, v in form["fields"] if k != "status"] + [("status", "met")]
        with self.client.post(
            form["action"],
            data=fields,
            headers={"HX-Request": "true", "X-CSRFToken": self.csrf(), "Referer": self.host + self.workspace},
            name="record a decision",
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                # Two of the load's users are the same assessor deciding the same criterion:
                # the conflict check refuses the later, as it should.
                CONFLICTS["record a decision"] = CONFLICTS.get("record a decision", 0) + 1
                response.success()


class Tutor(PortfolioUser):
    weight = 1
    wait_time = between(2, 5)
    username = "tutor"

    def on_start(self) -> None:
        super().on_start()
        home = self.client.get("/", name="home")
        match = re.search(r"/cohorts/(\d+)/", home.text)
        self.cohort = match.group(1) if match else "1"

    @task(4)
    def dashboard(self) -> None:
        self.client.get(f"/cohorts/{self.cohort}/dashboard/", name="cohort dashboard")
        self.client.get(f"/cohorts/{self.cohort}/dashboard/progress/", name="progress chart")

    @task(1)
    def export(self) -> None:
        self.client.get(f"/cohorts/{self.cohort}/dashboard/export.csv", name="cohort export")


class Exporter(PortfolioUser):
    """A PDF export every minute, followed to the download."""

    weight = 1
    fixed_count = 1
    wait_time = constant_pacing(60)
    username = "learner"

    @task
    def export_pdf(self) -> None:
        home = self.client.get("/", name="home")
        match = re.search(r"/portfolios/(\d+)/", home.text)
        portfolio = match.group(1) if match else "1"
        self.post_form(
            f"/portfolios/{portfolio}/exports/",
            name="PDF exports",
            posts_to=f"/portfolios/{portfolio}/exports/new/",
        )
        deadline = time.monotonic() + 50
        while time.monotonic() < deadline:
            listing = self.client.get(f"/portfolios/{portfolio}/exports/", name="PDF exports")
            link = re.search(r'href="(/portfolios/\d+/exports/\d+/download/[^"]*)"', listing.text)
            if link:
                self.client.get(link.group(1), name="PDF download")
                return
            time.sleep(2)


# Response times after the warm-up (every user started and logged in), per page: the steady
# state the target is judged on. The whole run, log-ins included, is in locust's own figures.
STEADY: dict[str, list[float]] = {}
STEADY_FAILURES: dict[str, int] = {}
_STARTED = time.monotonic()
WARM_UP = float(os.environ.get("LOAD_WARM_UP", "0"))  # seconds left out (load/run.py sets it)


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--summary", default="var/load/summary.json", help="where the JSON summary goes")


@events.test_start.add_listener
def _started(environment: Any, **_kwargs: Any) -> None:
    global _STARTED
    _STARTED = time.monotonic()


@events.request.add_listener
def _steady(request_type: str, name: str, response_time: float, exception: Any, **_kwargs: Any) -> None:
    if time.monotonic() - _STARTED < WARM_UP:
        return
    key = f"{request_type} {name}"
    STEADY.setdefault(key, []).append(response_time)
    if exception is not None:
        STEADY_FAILURES[key] = STEADY_FAILURES.get(key, 0) + 1


@events.quitting.add_listener
def _write_conflicts(environment: Any, **_kwargs: Any) -> None:
    """The refused conflicting saves, beside the summary (load/run.py reads them)."""
    path = environment.parsed_options.summary.replace("summary.json", "conflicts.json")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as handle:
        json.dump(CONFLICTS, handle)
    steady = environment.parsed_options.summary.replace("summary.json", "steady.json")
    with open(steady, "w") as handle:
        json.dump({"times": STEADY, "failures": STEADY_FAILURES}, handle)
