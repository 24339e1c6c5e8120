"""Request ids in the response and in every log line of the request and of the tasks it queued;
JSON log lines; the /metrics endpoint and who may read it; Sentry only with a DSN."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
import sentry_sdk
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families
from sentry_sdk.envelope import Envelope
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.transport import Transport

from config import sentry
from config.celery import app
from core import observability, outbox
from core.models import Export, OutboxMessage
from core.observability import JSON_FIELDS, JsonFormatter, RequestIdFilter
from reports import pdf, tasks
from reports import services as exports
from reports.tasks import render_export
from tests.celery_support import rebind

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_URL", "")
TOKEN = "scrape-token-for-the-tests"


class JsonLines(io.StringIO):
    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.getvalue().splitlines() if line.strip()]

    def messages_with(self, text: str) -> list[dict]:
        return [record for record in self.records() if text in record["message"]]


@contextmanager
def _json_lines() -> Iterator[JsonLines]:
    """The configured console handler (its filter, LOGGING's), writing JSON lines to a buffer."""
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, RequestIdFilter) for f in h.filters)
    )
    assert isinstance(handler, logging.StreamHandler)
    lines = JsonLines()
    # Swapped directly, not with setStream(): that flushes the old stream first, which may be a
    # capture an earlier test's pytest machinery has already closed.
    with handler.lock:  # type: ignore[union-attr]
        old_stream, handler.stream = handler.stream, lines
    old_formatter = handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield lines
    finally:
        with handler.lock:  # type: ignore[union-attr]
            handler.stream = old_stream
        handler.setFormatter(old_formatter)


@pytest.fixture
def log_lines():
    with _json_lines() as lines:
        yield lines


def _export(client, learner, django_capture_on_commit_callbacks):
    client.force_login(learner)
    portfolio = learner.portfolios.get()
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("portfolio:export_request", args=[portfolio.pk]), {"version": ""})


# --- The request id ----------------------------------------------------------------------------


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_it_ignores_an_incoming_id_without_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    response = client.get("/healthz", headers={"X-Request-ID": "proxy-id-0123456789"})

    assert response["X-Request-ID"] != "proxy-id-0123456789"


def test_it_takes_the_trusted_proxys_id(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    response = client.get("/healthz", headers={"X-Request-ID": "7f0c2a9e-5d1b-4c3e-9a8f-0123456789ab"})

    assert response["X-Request-ID"] == "7f0c2a9e-5d1b-4c3e-9a8f-0123456789ab"


@pytest.mark.parametrize(
    "forged",
    [
        "a" * 65,  # too long
        "x" * 5000,
        "short",  # too short to be unique
        "abc def ghi jkl",
        'abcdefgh"}, "level": "CRITICAL',  # JSON injection
        "abcdefgh\\u000aFAKE LOG LINE",
        "<script>alert(1)</script>",
        "-leading-dash-id",
    ],
)
def test_it_replaces_a_forged_or_oversized_id(client, settings, forged):
    settings.TRUSTED_PROXY_COUNT = 1

    response = client.get("/healthz", headers={"X-Request-ID": forged})

    assert response["X-Request-ID"] != forged
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db(transaction=True)
def test_the_request_id_is_in_the_log_lines_of_the_request_and_of_the_task_it_queued(
    client, learner, log_lines, django_capture_on_commit_callbacks
):
    response = _export(client, learner, django_capture_on_commit_callbacks)

    request_id = response["X-Request-ID"]
    export = Export.objects.get()
    assert export.status == "done"
    # Written by the request (the service), then by the task it queued through the outbox,
    # which ran in-process once the request committed.
    (requested,) = log_lines.messages_with(f"export {export.pk} of portfolio")
    (done,) = log_lines.messages_with(f"export {export.pk} done")
    assert requested["request_id"] == request_id
    assert requested["task_id"] == "-"
    assert done["request_id"] == request_id
    assert done["task_id"] == export.token
    assert OutboxMessage.objects.get(task_id=export.token).request_id == request_id


def test_a_message_handed_over_later_keeps_the_id_of_the_request_that_queued_it(
    learner, log_lines, django_capture_on_commit_callbacks
):
    """The sweeper hands over what the broker refused; the task's lines still name the request."""
    portfolio = learner.portfolios.get()
    export = Export.objects.create(portfolio=portfolio, requested_by=learner, content_key="k" * 64)
    with observability.bound_request_id("queued-by-request-42"):
        message = outbox.enqueue("reports.tasks.render_export", args=[export.pk], task_id=export.token)
    assert message.request_id == "queued-by-request-42"

    with observability.bound_request_id("the-sweepers-own-id"):
        assert outbox.dispatch(message.pk)

    (done,) = log_lines.messages_with(f"export {export.pk} done")
    assert done["request_id"] == "queued-by-request-42"
    assert observability.current_request_id() == ""  # nothing left behind


def test_a_queued_task_message_carries_the_id_in_its_headers():
    headers: dict[str, object] = {}
    with observability.bound_request_id("abcdef0123456789"):
        observability.add_request_id_to_message(headers)

    assert headers == {"request_id": "abcdef0123456789"}


def test_outside_a_request_lines_say_dash(log_lines):
    logging.getLogger("portfolio.test").warning("no request here")

    (line,) = log_lines.messages_with("no request here")
    assert (line["request_id"], line["task_id"]) == ("-", "-")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_under_the_id_of_the_request_that_queued_the_task(
    client, learner, log_lines, settings
):
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set REDIS_URL so that a real worker runs.")
        pytest.skip("REDIS_URL is not set: no broker to run a real worker against.")
    app.conf.update(task_always_eager=False, broker_url=REDIS_URL, result_backend=REDIS_URL)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        # The worker sets Django up again as it starts, which configures logging afresh: the
        # handler is looked for once it runs.
        with (
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
            _json_lines() as log_lines,
        ):
            client.force_login(learner)
            portfolio = learner.portfolios.get()
            response = client.post(reverse("portfolio:export_request", args=[portfolio.pk]), {"version": ""})
            export = Export.objects.get()
            assert app.AsyncResult(export.token).get(timeout=60) == "done"
    finally:
        app.conf.task_always_eager = True
        rebind()

    (done,) = log_lines.messages_with(f"export {export.pk} done")
    assert done["request_id"] == response["X-Request-ID"]
    assert done["task_id"] == export.token


def test_a_worker_started_with_a_log_file_writes_its_lines_there_with_the_ids(tmp_path):
    """``celery worker --logfile`` (scripts/cluster): Celery leaves logging to Django's
    configuration, which then writes to that file instead of standard error."""
    root = logging.getLogger()
    before = list(root.handlers)
    path = tmp_path / "worker.log"
    try:
        observability.log_to_file(str(path))
        with observability.bound_request_id("abcdef0123456789"):
            logging.getLogger("portfolio.test").warning("into the file")
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
        for handler in before:
            if handler not in root.handlers:
                root.addHandler(handler)

    assert "[abcdef0123456789] into the file" in path.read_text()


# --- JSON lines --------------------------------------------------------------------------------


def test_a_json_line_parses_with_the_expected_keys():
    record = logging.LogRecord("core.test", logging.WARNING, __file__, 1, "export %s failed", (7,), None)
    with observability.bound_request_id("abcdef0123456789"):
        RequestIdFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert set(JSON_FIELDS) <= set(line)
    assert line["message"] == "export 7 failed"
    assert (line["level"], line["logger"], line["request_id"]) == ("WARNING", "core.test", "abcdef0123456789")


def test_a_json_line_leaves_out_the_task_arguments_celery_attaches():
    """Celery's "Task … received" line carries the arguments as ``data``; the password-reset
    task's argument is an e-mail address, which the plain format never printed."""
    record = logging.LogRecord(
        "celery.worker.strategy", logging.INFO, __file__, 1, "Task %s received", ("t",), None
    )
    record.data = {"name": "core.tasks.send_password_reset_email", "args": "('someone@example.org',)"}
    record.export_id = 7
    RequestIdFilter().filter(record)

    line = json.loads(JsonFormatter().format(record))

    assert "someone@example.org" not in json.dumps(line)
    assert "data" not in line
    assert line["export_id"] == 7


def test_a_json_line_with_a_traceback_stays_one_line():
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        record = logging.LogRecord("core.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    RequestIdFilter().filter(record)

    text = JsonFormatter().format(record)

    assert "\n" not in text
    assert "ValueError" in json.loads(text)["exc_info"]


# --- /metrics ---------------------------------------------------------------------------------


def _samples(response) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def _scrape(client):
    return client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})


@pytest.fixture
def scrape_token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_ADDRESSES = []


def test_metrics_are_closed_unless_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_ADDRESSES = []

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"]
)
def test_metrics_refuse_without_the_token(client, scrape_token, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 403
    assert b"portfolio_" not in response.content


def test_metrics_serve_with_the_token(client, scrape_token):
    response = _scrape(client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_metrics_refuse_an_address_not_allowed(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_ADDRESSES = ["10.0.0.0/8", "192.0.2.7"]

    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_behind_a_proxy_the_allowed_address_is_the_client_not_the_proxy(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_ADDRESSES = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 1

    outside = client.get("/metrics", REMOTE_ADDR="10.0.0.1", headers={"X-Forwarded-For": "203.0.113.5"})
    inside = client.get("/metrics", REMOTE_ADDR="10.0.0.1", headers={"X-Forwarded-For": "10.9.9.9"})

    assert outside.status_code == 404
    assert inside.status_code == 200


def test_with_both_set_a_scrape_needs_both(client, settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_ADDRESSES = ["10.0.0.0/8"]
    authorised = {"Authorization": f"Bearer {TOKEN}"}

    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", headers=authorised).status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5", headers=authorised).status_code == 200


def test_metrics_refuse_a_post(client, scrape_token):
    response = client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 405


def test_request_latency_is_by_view_name_not_by_path(client, scrape_token, learner):
    client.force_login(learner)
    portfolio = learner.portfolios.get()
    client.get("/healthz")
    client.get(reverse("portfolio:export_request", args=[portfolio.pk]))  # GET: refused, 405
    client.get("/no/such/page/123")

    samples = _samples(_scrape(client))

    health = (
        "portfolio_request_duration_seconds_count",
        (("method", "GET"), ("status", "2xx"), ("view", "healthz")),
    )
    assert samples[health] >= 1
    views = {
        dict(labels)["view"] for name, labels in samples if name == "portfolio_request_duration_seconds_count"
    }
    assert "portfolio:export_request" in views
    assert "<unresolved>" in views
    assert not any(str(portfolio.pk) in view or "/" in view for view in views - {"<unresolved>"})


@pytest.mark.django_db(transaction=True)
def test_an_export_shows_in_the_export_counters_and_durations(
    client, learner, scrape_token, django_capture_on_commit_callbacks
):
    def runs(samples, outcome):
        return samples.get(("portfolio_export_runs_total", (("outcome", outcome),)), 0)

    before = _samples(_scrape(client))
    _export(client, learner, django_capture_on_commit_callbacks)

    after = _samples(_scrape(client))

    assert runs(after, "done") == runs(before, "done") + 1
    duration = ("portfolio_export_duration_seconds_count", (("outcome", "done"),))
    assert after[duration] == before.get(duration, 0) + 1
    assert after[("portfolio_exports", (("status", "done"),))] == 1
    assert after[("portfolio_exports", (("status", "failed"),))] == 0
    task = (
        "portfolio_task_duration_seconds_count",
        (("outcome", "success"), ("task", "reports.tasks.render_export")),
    )
    assert after[task] >= 1


def test_a_failed_export_run_is_counted(scrape_token, client, learner, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(exports, "perform_export", broken)
    before = _samples(_scrape(client)).get(("portfolio_export_runs_total", (("outcome", "error"),)), 0)

    with pytest.raises(RuntimeError):
        render_export.apply(args=[1], throw=True)

    after = _samples(_scrape(client))[("portfolio_export_runs_total", (("outcome", "error"),))]
    assert after == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_retried_export_counts_the_retry_and_the_run_that_finished(
    client, learner, scrape_token, monkeypatch, log_lines, django_capture_on_commit_callbacks
):
    """In-process a retry is run at once inside the first run: each run is counted, and the
    retry's lines keep the request's id."""
    monkeypatch.setattr(tasks, "_backoff", lambda retries: 0)
    failures = [OSError("storage unavailable")]
    real = pdf.render_portfolio_pdf

    def flaky(**kwargs):
        if failures:
            raise failures.pop()
        return real(**kwargs)

    monkeypatch.setattr(pdf, "render_portfolio_pdf", flaky)
    before = _samples(_scrape(client))

    response = _export(client, learner, django_capture_on_commit_callbacks)

    after = _samples(_scrape(client))
    for outcome in ("retry", "done"):
        key = ("portfolio_export_runs_total", (("outcome", outcome),))
        assert after.get(key, 0) == before.get(key, 0) + 1, outcome
    (retrying,) = log_lines.messages_with("attempt 1 failed")
    (done,) = log_lines.messages_with("done:")
    assert retrying["request_id"] == done["request_id"] == response["X-Request-ID"]


def test_the_outbox_pending_rows_are_shown(client, scrape_token):
    OutboxMessage.objects.create(task="core.tasks.sweep_outbox")
    OutboxMessage.objects.create(task="core.tasks.sweep_outbox")

    samples = _samples(_scrape(client))

    assert samples[("portfolio_outbox_messages", (("state", "pending"),))] == 2
    assert samples[("portfolio_outbox_messages", (("state", "given_up"),))] == 0


def test_without_redis_there_is_no_queue_length(client, scrape_token, settings):
    settings.REDIS_URL = ""

    assert not any(name == "portfolio_queue_length" for name, _ in _samples(_scrape(client)))


def test_an_unreachable_redis_leaves_the_queue_length_out_not_the_scrape(client, scrape_token, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there

    response = _scrape(client)

    assert response.status_code == 200
    assert not any(name == "portfolio_queue_length" for name, _ in _samples(response))


def test_with_redis_the_queue_length_is_read(client, scrape_token, settings):
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    settings.REDIS_URL = REDIS_URL
    queue = app.conf.task_default_queue
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        waiting = connection.llen(queue)

        samples = _samples(_scrape(client))
    finally:
        connection.close()

    assert samples[("portfolio_queue_length", (("queue", queue),))] == waiting


# --- Sentry --------------------------------------------------------------------------------------


def test_sentry_is_off_without_a_dsn(monkeypatch):
    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))

    assert sentry.init_sentry(dsn="", environment="production") is False
    assert calls == []
    assert not sentry_sdk.get_client().is_active()


def test_sentry_starts_with_a_dsn_without_personal_data_or_bodies(monkeypatch):
    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))

    assert sentry.init_sentry(dsn="https://key@sentry.example.org/1", environment="staging") is True

    (options,) = calls
    assert options["dsn"] == "https://key@sentry.example.org/1"
    assert "send_default_pii" not in options  # deprecated in this SDK: data_collection says it
    assert options["data_collection"]["user_info"] is False
    assert options["data_collection"]["http_bodies"] == []
    assert options["data_collection"]["queues"] is False
    assert options["max_request_body_size"] == "never"
    assert options["traces_sample_rate"] == 0.0
    kinds = {type(integration) for integration in options["integrations"]}
    assert {DjangoIntegration, CeleryIntegration} <= kinds


def test_a_sentry_event_is_tagged_with_the_request_id():
    with observability.bound_request_id("abcdef0123456789"):
        event = sentry.sentry_options(dsn="x", environment="t", traces_sample_rate=0)["before_send"]({}, {})

    assert event["tags"]["request_id"] == "abcdef0123456789"


class CapturingTransport(Transport):
    """Keeps what the SDK would send, and sends nothing."""

    def __init__(self, options: dict | None = None) -> None:
        super().__init__(options)
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)


@pytest.mark.urls("tests.portfolio.sentry_urls")
def test_an_error_reaches_sentry_without_the_body_the_cookies_or_the_user(client, learner):
    transport = CapturingTransport()
    options = sentry.sentry_options(
        dsn="https://key@sentry.example.org/1", environment="test", traces_sample_rate=0
    )
    sentry_sdk.init(**options, transport=transport)
    client.force_login(learner)
    client.raise_request_exception = False
    try:
        response = client.post(
            "/fails", {"password": "secret-in-the-body"}, headers={"X-Forwarded-For": "203.0.113.9"}
        )
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)  # off again for the tests that follow

    assert response.status_code == 500
    events = [envelope.get_event() for envelope in transport.envelopes if envelope.get_event()]
    assert events
    sent = json.dumps(events, default=str)
    assert "the page failed" in sent
    assert "/fails" in sent  # the Django integration did attach the request
    assert "secret-in-the-body" not in sent
    assert learner.username not in sent
    assert learner.email not in sent
    assert "sessionid" not in sent
    assert "203.0.113.9" not in sent
    assert any(event.get("tags", {}).get("request_id") == response["X-Request-ID"] for event in events)
    assert not sentry_sdk.get_client().is_active()
