from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import ngettext

from core.models import Export, Portfolio, PortfolioVersion, User
from reports import services as exports


class Command(BaseCommand):
    help = (
        "Write a learner's portfolio as a PDF: the working copy, or a submitted version with "
        "--version N. Uses the same export service as the web pages (a stored file is reused)."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object) -> CommandParser:
        # Django gives every command --version (its own version); here it names a portfolio version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--learner", required=True, metavar="USERNAME", help="The learner's username.")
        parser.add_argument(
            "--version", type=int, metavar="N", help="A submitted version (default: the working copy)."
        )
        parser.add_argument("--cohort", metavar="CODE", help="The cohort, if the learner is in several.")
        parser.add_argument("--out", required=True, metavar="FILE", help="Where to write the PDF.")

    def handle(self, *args: object, **options: object) -> None:
        portfolio = self._portfolio(str(options["learner"]), options.get("cohort"))
        version = self._version(portfolio, options.get("version"))
        out = self._writable(Path(str(options["out"])))
        export, created = exports.request_export(
            portfolio=portfolio, version=version, actor=None, queue=False
        )
        if export.status in Export.ACTIVE:
            self._run(export)
        export.refresh_from_db()
        if export.status == Export.Status.FAILED:
            raise CommandError(export.error or "The PDF could not be made.")
        if export.status != Export.Status.DONE:
            raise CommandError("The PDF is still being made elsewhere; run the command again later.")
        self._write(export, out)
        pages = ngettext("%(count)s page", "%(count)s pages", export.page_count) % {
            "count": export.page_count
        }
        what = f"{export.subject} of {portfolio.learner.display_name}"
        reused = "" if created else " (nothing had changed, so the stored file was reused)"
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {out}: {pages}, {filesizeformat(export.size)}, {what}{reused}.")
        )

    def _portfolio(self, username: str, cohort_code: object) -> Portfolio:
        learner = User.objects.filter(username=username).first()
        if learner is None:
            raise CommandError(f"No user has the username “{username}”.")
        portfolios = Portfolio.objects.filter(learner=learner).select_related("cohort", "learner", "assessor")
        if cohort_code:
            portfolios = portfolios.filter(cohort__code=str(cohort_code))
        found = list(portfolios)
        if not found:
            where = f" in the cohort “{cohort_code}”" if cohort_code else ""
            raise CommandError(f"{learner.display_name} ({username}) has no portfolio{where}.")
        if len(found) > 1:
            codes = ", ".join(p.cohort.code for p in found)
            raise CommandError(f"{username} is in several cohorts ({codes}): choose one with --cohort CODE.")
        return found[0]

    def _version(self, portfolio: Portfolio, number: object) -> PortfolioVersion | None:
        if number is None:
            return None
        version = portfolio.versions.filter(number=number).first()
        if version is None:
            numbers = portfolio.versions.order_by("number").values_list("number", flat=True)
            known = (
                f"Their versions: {', '.join(map(str, numbers))}."
                if numbers
                else "They have not submitted any version."
            )
            who = f"{portfolio.learner.display_name} ({portfolio.learner.username})"
            raise CommandError(f"{who} has no version {number}. {known}")
        return version

    def _writable(self, out: Path) -> Path:
        """Refuse a path the file cannot be written to before spending time on the render."""
        out = out.expanduser().absolute()
        if out.is_dir():
            raise CommandError(f"{out} is a folder: give a file name, e.g. {out / 'reports.pdf'}.")
        if not out.parent.is_dir():
            raise CommandError(f"Cannot write {out}: the folder {out.parent} does not exist.")
        if not os.access(out.parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
            raise CommandError(f"Cannot write {out}: permission denied.")
        return out

    def _run(self, export: Export) -> None:
        """Render here and now; if another run already holds the job, wait for it."""
        claimant = exports.command_claimant()
        try:
            done = exports.perform_export(export_id=export.pk, claimant=claimant)
        except exports.TRANSIENT_ERRORS as exc:
            exports.fail_export(
                export_id=export.pk,
                claimant=claimant,
                message=f"A temporary problem stopped the PDF ({exc.__class__.__name__}). Try again.",
            )
            return
        if done is not None:
            return
        deadline = time.monotonic() + settings.EXPORT_STALE_AFTER
        while time.monotonic() < deadline:
            export.refresh_from_db(fields=["status"])
            if export.status not in Export.ACTIVE:
                return
            time.sleep(1)

    def _write(self, export: Export, out: Path) -> None:
        """Copy the stored file out, through a temporary file so a failure leaves no half PDF.
        The file is readable by its owner only (mkstemp): it holds personal data."""
        try:
            with default_storage.open(export.file.name, "rb") as source:
                handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=".export-", suffix=".pdf")
                try:
                    with os.fdopen(handle, "wb") as target:
                        for chunk in iter(lambda: source.read(1024 * 1024), b""):
                            target.write(chunk)
                    os.replace(temporary, out)
                except BaseException:
                    Path(temporary).unlink(missing_ok=True)
                    raise
        except FileNotFoundError:
            raise CommandError("The stored PDF is missing; run the command again to make it anew.") from None
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror or exc}.") from None
