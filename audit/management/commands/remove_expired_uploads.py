from __future__ import annotations

from django.core.management.base import BaseCommand

from audit import services


class Command(BaseCommand):
    help = (
        "Remove resumable service-data uploads nobody has added to for "
        "SERVICE_DATA_UPLOAD_EXPIRY_HOURS, and stray pieces (run it daily; starting an "
        "upload also does it)."
    )

    def handle(self, *args: object, **options: object) -> None:
        removed = services.remove_expired_uploads()
        self.stdout.write(f"{removed} expired uploads or stray pieces removed.")
