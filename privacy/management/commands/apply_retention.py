"""Run the retention job now (Celery beat runs it nightly), or show what it would do."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from privacy import erasure


class Command(BaseCommand):
    help = "Anonymise and delete what has passed its retention period (docs/data-protection.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Say what is due; change nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        if not dry_run:
            counts = erasure.apply_retention()
            self.stdout.write(
                f"{counts['learners']} learner(s) processed, {counts['failed']} failed, "
                f"{counts['archives_expired']} archive(s) expired."
            )
            return
        due = 0
        for learner, plan in erasure.due_plans():
            due += 1
            lines = ", ".join(
                f"{line.title.lower()} ({line.count}) {line.action.value}d" for line in plan.erased
            )
            self.stdout.write(f"learner {learner.pk} (end date {plan.status.end_date:%d/%m/%Y}): {lines}")
        self.stdout.write(f"{due} learner(s) with something due; nothing was changed.")
