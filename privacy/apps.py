from __future__ import annotations

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """The learner's data and its end (UK GDPR): the archive of everything held about a learner,
    the retention policy and its scheduled job, and erasure on request (docs/data-protection.md).
    It gathers through the registry of personal data (``core.subject_data``)."""

    name = "privacy"
    verbose_name = "Data protection"

    def ready(self) -> None:
        # Its own record kinds, and the exemptions of Django's models, in the registry.
        from privacy import subject_data  # noqa: F401
