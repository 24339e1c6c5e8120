"""``manage.py verify_restore``: is this copy of the site whole? (core.integrity)"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import ngettext

from core.integrity import verify_integrity


class Command(BaseCommand):
    help = (
        "Check every submitted version's snapshot against its digest and every stored file against "
        "the SHA-256 the app recorded. Prints a summary; exits non-zero naming each record that "
        "differs. Run it after a restore (scripts/restore does) or at any time: it only reads."
    )

    def handle(self, *args: object, verbosity: int = 1, **options: object) -> None:
        report = verify_integrity()
        for difference in report.differences:
            self.stderr.write(str(difference))
        summary = (
            ngettext("%(count)d version", "%(count)d versions", report.versions) % {"count": report.versions},
            ngettext("%(count)d outcome", "%(count)d outcomes", report.outcomes) % {"count": report.outcomes},
            ngettext("%(count)d file record", "%(count)d file records", report.file_records)
            % {"count": report.file_records},
            ngettext("%(count)d stored object", "%(count)d stored objects", report.objects)
            % {"count": report.objects}
            + f" ({filesizeformat(report.bytes)})",
        )
        if verbosity >= 1:
            self.stdout.write("Checked " + ", ".join(summary) + ".")
        if not report.ok:
            count = len(report.differences)
            raise CommandError(
                ngettext(
                    "%(count)d record differs from what the app recorded.",
                    "%(count)d records differ from what the app recorded.",
                    count,
                )
                % {"count": count}
            )
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS("Every version and stored file matches its digest."))
