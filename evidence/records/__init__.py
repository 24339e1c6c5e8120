"""Records the assessor makes about the learner's work: an observation at work, a professional
discussion (with an optional audio or video recording), and questioning on knowledge criteria.
Each is an evidence item mapped to criteria with a note per criterion.

Only the portfolio's assigned assessor writes one (the views find the portfolio through
``core.access.get_portfolio_for_assessor``); the learner reads it and confirms it: accepts
it, or comments on it. The confirmation keeps the SHA-256 digest of the record's content as
the learner read it, as a sign-off keeps the version's digest, so a record changed since no
longer matches its confirmation and waits for the learner again. Questions asked online are
answered by the learner, and submitting the answers signs the record the same way.

A package: ``base`` (what every record shares: content, digest, files, writing, the
confirmation), then one module per kind (``observation``, ``discussion``, ``questioning``).
"""

from __future__ import annotations

from evidence.files import CheckedMedia
from evidence.records.base import (
    ANSWER_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    KIND_NAMES,
    MAX_ATTACHMENTS,
    MAX_QUESTIONS,
    NOTE_LABELS,
    STATUS_LABELS,
    QuestionData,
    confirm_record,
    record_content,
    record_digest,
    record_of,
)
from evidence.records.discussion import (
    DiscussionData,
    create_discussion,
    update_discussion,
)
from evidence.records.observation import (
    ObservationData,
    create_observation,
    update_observation,
)
from evidence.records.questioning import (
    QuestioningData,
    answer_questions,
    create_questioning,
    is_knowledge,
    knowledge_criteria,
    update_questioning,
)

__all__ = [
    "ANSWER_MAX_LENGTH",
    "COMMENT_MAX_LENGTH",
    "KIND_NAMES",
    "MAX_ATTACHMENTS",
    "MAX_QUESTIONS",
    "NOTE_LABELS",
    "STATUS_LABELS",
    "CheckedMedia",
    "DiscussionData",
    "ObservationData",
    "QuestionData",
    "QuestioningData",
    "answer_questions",
    "confirm_record",
    "create_discussion",
    "create_observation",
    "create_questioning",
    "is_knowledge",
    "knowledge_criteria",
    "record_content",
    "record_digest",
    "record_of",
    "update_discussion",
    "update_observation",
    "update_questioning",
]
