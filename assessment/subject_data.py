"""The assessment's record kinds in the registry of personal data (``core.subject_data``):
the feedback threads and annotations on the learner's versions."""

from __future__ import annotations

from assessment.models import Annotation, Thread, ThreadMessage
from core.subject_data import register_personal_records

register_personal_records(Thread, about=("version__portfolio__learner",))
register_personal_records(ThreadMessage, about=("thread__version__portfolio__learner",))
register_personal_records(Annotation, about=("version__portfolio__learner",))
