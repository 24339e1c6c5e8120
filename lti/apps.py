from __future__ import annotations

from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = "LTI 1.3 (Moodle, Canvas)"

    def ready(self) -> None:
        # Listen for outcomes and decisions (a changed result goes to the course's gradebook);
        # every outbox sweep sends again the results a platform outage held back; its records in
        # the registry of personal data (core.subject_data).
        from core import outbox
        from lti import services, signals, subject_data

        del signals, subject_data
        outbox.register_recovery("lti", services.resend_failed)
        outbox.register_recovery("lti_logins", services.forget_stale_logins)
