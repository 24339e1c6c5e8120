"""What goes with an evidence item, however it goes.

An item is deleted by the learner (``evidence.services.delete_evidence``), by the centre's
retention job or an erasure on request (``privacy``, which deletes rows through querysets), or
with its portfolio (Django's cascade). Its photo's print-size rendition
(``evidence.pdf_images``) is derived from its file, so it must go in every one of those cases,
and a receiver of the row's deletion is the one place that sees them all.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from core.models import VersionFile
from evidence.models import Evidence
from evidence.pdf_images import release_rendition


@receiver(post_delete, sender=Evidence, dispatch_uid="evidence-release-rendition")
def release_rendition_of_a_deleted_item(sender: type[Evidence], instance: Evidence, **_kwargs: Any) -> None:
    """Once the deletion commits, remove the item's rendition, unless a submitted version keeps
    its file (the version's PDF still prints it) or another item of the portfolio has the same
    bytes."""
    if not instance.file or not instance.sha256:
        return
    if VersionFile.objects.filter(name=instance.file.name).exists():
        return
    release_rendition(evidence=instance, sha256=instance.sha256)
