"""Credentials' record kinds in the registry of personal data (``core.subject_data``).

The learner's credentials go into their archive whole: the signed token (the JWT, with the
credential's JSON inside it), the name it was issued to, and whether and when it was revoked.
Erasure on request anonymises them (``credentials.services.anonymise_credentials``: revoked,
without the name or the token); the retention table deletes them with the assessment record.
The cohort's credential policy needs no line: it refers to the cohort only, which is exempt
(``core/subject_data.py``), so the registry's walk does not count it as personal.
"""

from __future__ import annotations

from django.db.models import Q

from core.subject_data import register_personal_records
from credentials.models import Credential
from credentials.services import anonymise_credentials

register_personal_records(
    Credential,
    about=("version__portfolio__learner",),
    anonymise=anonymise_credentials,
    anonymised=Q(token="", learner_name=""),
)
