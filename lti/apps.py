from __future__ import annotations

from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = "LTI 1.3 (Moodle, Canvas)"

    def ready(self) -> None:
        # Listen for outcomes and decisions (a changed result goes to the course's gradebook);
        # every outbox sweep sends again the results a platform outage held back; its records in
        # the registry of personal data (core.subject_data).
        # The cohort page shows the course it is linked to (core.cohort_panels).
        from core import cohort_panels, outbox
        from lti import selectors, services, signals, subject_data

        del signals, subject_data
        outbox.register_recovery("lti", services.resend_failed)
        outbox.register_recovery("lti_logins", services.forget_stale_logins)
        cohort_panels.register_cohort_panel(
            cohort_panels.CohortPanel(
                key="lti", template="lti/_cohort_panel.html", context=selectors.course_panel
            )
        )
