from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.people import build_demo


class Command(BaseCommand):
    help = "Create the demo cohort with fixed logins (safe to run again: nothing is duplicated)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--learners", type=int, default=6, help="How many learners (default 6).")

    def handle(self, *args: object, learners: int, **options: object) -> None:
        if learners < 1:
            raise CommandError("--learners must be at least 1.")
        # The services log every step they take; here the summary below says enough.
        logging.disable(logging.INFO)
        try:
            result = build_demo(learners=learners)
        finally:
            logging.disable(logging.NOTSET)
        verb = "Created" if result.created else "Demo data already present; checked"
        self.stdout.write(self.style.SUCCESS(f"{verb} the demo cohort “{result.cohort.name}”."))
        self.stdout.write(f"Logins (password: {settings.DEMO_PASSWORD}):")
        for username, role in result.logins:
            self.stdout.write(f"  {username:<12} {role}")
        if learners > 10:
            self.stdout.write(f"  … and learner11 to learner{learners}")
