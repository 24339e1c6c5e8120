"""manage.py export_portfolio: the same export service from the command line, with clear errors."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from core.models import Export, Notification
from reports import pdf
from reports import services as exports
from tests.factories import CohortFactory, PortfolioFactory
from tests.portfolio.factories import ExportFactory

pytestmark = pytest.mark.django_db


def _run(*args):
    out = io.StringIO()
    call_command("export_portfolio", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_working_copy(learner, portfolio, tmp_path):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "amira.pdf"

    output = _run("--learner", learner.username, "--out", str(target))

    body = target.read_bytes()
    assert body.startswith(b"%PDF-")
    pages = len(PdfReader(io.BytesIO(body)).pages)
    export = Export.objects.get()
    assert (export.version, export.requested_by, export.status, export.page_count) == (
        None,
        None,
        "done",
        pages,
    )
    assert output.startswith(f"Wrote {target}: {pages} pages, ")
    assert not Notification.objects.exists()  # nobody to tell: the file is on the disk
    assert list(target.parent.iterdir()) == [target]  # no temporary file left behind


def test_it_writes_a_version_and_reuses_the_stored_file_the_second_time(
    learner, portfolio, version, tmp_path, monkeypatch
):
    calls = []
    real = pdf.render_portfolio_pdf
    monkeypatch.setattr(pdf, "render_portfolio_pdf", lambda **kw: calls.append(kw) or real(**kw))

    first = _run("--learner", learner.username, "--version", "1", "--out", str(tmp_path / "a.pdf"))
    second = _run("--learner", learner.username, "--version", "1", "--out", str(tmp_path / "b.pdf"))

    assert "version 1 of" in first
    assert "the stored file was reused" in second
    assert len(calls) == 1
    assert calls[0]["version"] == version
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_a_file_made_through_the_web_is_served_to_the_command(learner, portfolio, tmp_path):
    key = exports.content_key(portfolio=portfolio, version=None)
    ExportFactory(portfolio=portfolio, content_key=key, done=True)

    output = _run("--learner", learner.username, "--out", str(tmp_path / "out.pdf"))

    assert "the stored file was reused" in output
    assert Export.objects.count() == 1


def test_it_renders_a_job_that_was_queued_but_not_started(learner, portfolio, tmp_path):
    key = exports.content_key(portfolio=portfolio, version=None)
    queued = ExportFactory(portfolio=portfolio, content_key=key)

    _run("--learner", learner.username, "--out", str(tmp_path / "out.pdf"))

    queued.refresh_from_db()
    assert queued.status == "done"
    assert queued.claimed_by.startswith("command-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--learner", "nobody"], "No user has the username “nobody”."),
        (
            ["--learner", "learner1", "--version", "3"],
            "has no version 3. They have not submitted any version.",
        ),
        (["--learner", "tutor1"], "has no portfolio."),
        (["--learner", "learner1", "--cohort", "NOPE"], "has no portfolio in the cohort “NOPE”."),
    ],
)
def test_unknown_learners_cohorts_and_versions_are_refused_before_any_render(
    learner, tutor, tmp_path, args, message
):
    target = tmp_path / "out.pdf"

    with pytest.raises(CommandError, match=message):
        _run(*args, "--out", str(target))

    assert not target.exists()
    assert not Export.objects.exists()


def test_a_missing_version_names_the_ones_there_are(learner, portfolio, version, tmp_path):
    with pytest.raises(CommandError, match=r"has no version 2\. Their versions: 1\."):
        _run("--learner", learner.username, "--version", "2", "--out", str(tmp_path / "out.pdf"))


def test_a_learner_in_two_cohorts_must_name_one(learner, portfolio, tutor, tmp_path):
    second = CohortFactory(created_by=tutor, tutors=[tutor], code="CS-2027")
    PortfolioFactory(cohort=second, learner=learner)

    with pytest.raises(CommandError, match=r"is in several cohorts .*choose one with --cohort CODE"):
        _run("--learner", learner.username, "--out", str(tmp_path / "out.pdf"))
    _run("--learner", learner.username, "--cohort", "CS-2027", "--out", str(tmp_path / "out.pdf"))

    assert Export.objects.get().portfolio.cohort == second


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (lambda tmp: tmp / "missing" / "out.pdf", "the folder .* does not exist"),
        (lambda tmp: tmp, "is a folder: give a file name"),
        (lambda tmp: tmp / "a-file.txt" / "out.pdf", "the folder .* does not exist"),
    ],
)
def test_an_unwritable_path_is_refused_before_any_render(learner, portfolio, tmp_path, where, message):
    (tmp_path / "a-file.txt").write_text("not a folder")

    with pytest.raises(CommandError, match=message):
        _run("--learner", learner.username, "--out", str(where(tmp_path)))

    assert not Export.objects.exists()


def test_a_folder_without_write_permission_is_refused(learner, portfolio, tmp_path, monkeypatch):
    # The tests may run as root, which can write anywhere, so the permission check is faked.
    monkeypatch.setattr("os.access", lambda path, mode: False)

    with pytest.raises(CommandError, match="permission denied"):
        _run("--learner", learner.username, "--out", str(tmp_path / "out.pdf"))


def test_a_failed_render_is_an_error_and_writes_nothing(learner, portfolio, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "render_portfolio_pdf", lambda **kwargs: (_ for _ in ()).throw(ValueError))
    target = tmp_path / "out.pdf"

    with pytest.raises(CommandError, match="The PDF could not be made because of an unexpected error"):
        _run("--learner", learner.username, "--out", str(target))

    assert not target.exists()
    assert Export.objects.get().status == "failed"


def test_a_transient_failure_is_an_error_too(learner, portfolio, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "render_portfolio_pdf", lambda **kwargs: (_ for _ in ()).throw(OSError))

    with pytest.raises(CommandError, match=r"A temporary problem stopped the PDF \(OSError\)"):
        _run("--learner", learner.username, "--out", str(tmp_path / "out.pdf"))


def test_the_command_exits_non_zero_with_the_message(db, tmp_path, capsys):
    """Run as from a shell: the error goes to stderr and the exit status is not 0."""
    from django.core.management import execute_from_command_line

    argv = ["manage.py", "export_portfolio", "--learner", "nobody", "--out", str(tmp_path / "x.pdf")]
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(argv)

    assert exit_info.value.code != 0
    assert "No user has the username “nobody”." in capsys.readouterr().err
