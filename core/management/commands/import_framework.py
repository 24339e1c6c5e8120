"""``manage.py import_framework FILE [FILE ...]``: load criteria frameworks and crosswalks."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from core.frameworks import FrameworkFileError, import_framework_files


class Command(BaseCommand):
    help = (
        "Import criteria frameworks and crosswalks from YAML, JSON or Moodle competency framework CSV "
        "files. Every file is checked before anything is written; framework files are imported before "
        "crosswalks whatever the order given. Safe to run again: nothing is duplicated or deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="A .yaml, .yml, .json or Moodle .csv file."
        )

    def handle(self, *args: object, files: list[str], verbosity: int = 1, **options: object) -> None:
        try:
            results = import_framework_files(paths=files)
        except FrameworkFileError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            count = len(exc.messages)
            raise CommandError(
                ngettext(
                    "%(count)d problem found; nothing was imported.",
                    "%(count)d problems found; nothing was imported.",
                    count,
                )
                % {"count": count}
            ) from exc
        if verbosity < 1:
            return
        for result in results:
            self.stdout.write(self.style.SUCCESS(result.summary()) if result.changed else result.summary())
            for warning in result.warnings:
                self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
