"""The evidence's record kinds in the registry of personal data (``core.subject_data``): the
learner's items and files, the assessor's records about them, and witness testimony."""

from __future__ import annotations

from core.subject_data import register_personal_records
from evidence import models

ITEM = ("evidence__portfolio__learner",)

register_personal_records(models.Evidence, about=("portfolio__learner",), files=("file",))
register_personal_records(models.Observation, about=ITEM)
register_personal_records(models.ProfessionalDiscussion, about=ITEM)
register_personal_records(models.Questioning, about=ITEM)
register_personal_records(models.Question, about=("questioning__evidence__portfolio__learner",))
register_personal_records(models.RecordAttachment, about=ITEM, files=("file",))
register_personal_records(models.TranscriptMessage, about=ITEM)
register_personal_records(models.CriterionMapping, about=ITEM)
register_personal_records(models.NotPersonalMark, about=ITEM)
register_personal_records(models.ImageScan, about=ITEM)
register_personal_records(models.PendingRedaction, about=ITEM, files=("file",))
# The nonce is the secret half of the witness's link: not information about anyone.
register_personal_records(models.WitnessRequest, about=("portfolio__learner",), withheld=("nonce",))
