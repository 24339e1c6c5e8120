"""Data protection's own record kinds in the registry (``core.subject_data``), and why the
models of Django's own apps that refer to people are left out."""

from __future__ import annotations

from core.subject_data import exempt_from_personal_records, register_personal_records
from privacy.models import PrivacyEntry, SubjectAccessArchive

# The archive's rows are listed in the next archive; the files of earlier archives are not
# packed again (each holds only what is already in the new one).
register_personal_records(SubjectAccessArchive, about=("learner",), withheld=("token", "claimed_by"))
register_personal_records(PrivacyEntry, about=("subject_id",))

exempt_from_personal_records(
    "admin.logentry",
    reason="The Django admin's log of what a member of staff changed: about the staff member's "
    "actions on configuration; learners' data is changed through the app's services, not there.",
)
