"""LTI's record kinds in the registry of personal data (``core.subject_data``).

The platform user a learner launches as (their ``sub``, the link to their account), the result
last sent to their course's gradebook, when the course's roster stopped listing them, and a
launch's one-time ticket (its token withheld: it would let the holder sign in). All are part of
the working copy: deleted a year after the end, or at once on request. The registration, courses
and login states name no person.
"""

from __future__ import annotations

from core.subject_data import register_personal_records
from lti.models import CourseDeparture, GradeSync, LaunchTicket, LtiAccount

register_personal_records(LtiAccount, about=("user",))
register_personal_records(GradeSync, about=("portfolio__learner",))
register_personal_records(LaunchTicket, about=("user",), withheld=("token",))
register_personal_records(CourseDeparture, about=("account__user",))
