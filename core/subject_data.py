"""The registry of personal data: every kind of record held about a learner, and how to find it.

UK GDPR gives a learner the right to a copy of everything held about them (a subject access
request) and, within what the law and the awarding organisation allow, to have it erased. Both
need one list of where a learner's data lives, and that list must grow with the code: so each
app registers its own record kinds here, from its ``AppConfig.ready`` (``<app>/subject_data.py``),
as it registers its part of a snapshot with ``core.versions``. A new record kind is one
registration; ``tests/privacy/test_registry.py`` walks every installed model and fails on a
model that may hold personal data and is neither registered nor exempted with a reason.

A registration names the model and the paths (ORM lookups) from one of its rows to the learner
the row is about (``about``: any of them matches); ``""`` means the row *is* the learner. It
also names the fields holding stored files that go into the learner's archive (``files``), and
fields left out of the archive (``withheld``: secrets that would let the holder act, such as a
password hash or the nonce of a link, which are not information *about* the person).
A kind the retention table anonymises rather than deletes (``privacy.retention``) names how
(``anonymise``: called with the rows about the learner and who asked) and which of its rows are
already anonymous (``anonymised``), so that the privacy app need not know the model.

The outputs (the ``privacy`` app: the archive, the retention job, erasure) read only this
registry, never a content app's models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from core import models as core_models


@dataclass(frozen=True)
class PersonalRecords:
    """One kind of record held about a learner (see the module docstring)."""

    model: type[models.Model]
    about: tuple[str, ...]
    files: tuple[str, ...] = ()
    withheld: tuple[str, ...] = ()
    anonymise: Callable[[models.QuerySet[Any], Any], None] | None = None
    anonymised: Q | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural).capitalize()

    def about_q(self, learner_pk: int) -> Q:
        query = Q()
        for path in self.about:
            query |= Q(pk=learner_pk) if path == "" else Q(**{path: learner_pk})
        return query

    def rows_about(self, learner_pk: int) -> models.QuerySet[Any]:
        """Every row of this kind about the learner, each once, in a stable order."""
        manager = self.model._default_manager
        if len(self.about) == 1:
            return manager.filter(self.about_q(learner_pk)).order_by("pk")
        # Several paths may reach the same row through joins: keep each row once.
        pks = manager.filter(self.about_q(learner_pk)).values("pk")
        return manager.filter(pk__in=pks).order_by("pk")


_RECORDS: dict[str, PersonalRecords] = {}
_EXEMPT: dict[str, str] = {}


def register_personal_records(
    model: type[models.Model],
    *,
    about: tuple[str, ...],
    files: tuple[str, ...] = (),
    withheld: tuple[str, ...] = (),
    anonymise: Callable[[models.QuerySet[Any], Any], None] | None = None,
    anonymised: Q | None = None,
) -> PersonalRecords:
    records = PersonalRecords(
        model=model, about=about, files=files, withheld=withheld, anonymise=anonymise, anonymised=anonymised
    )
    _RECORDS[records.label] = records
    return records


def exempt_from_personal_records(label: str, *, reason: str) -> None:
    """Say why a model that refers to people holds nothing about a learner to give or erase."""
    if not reason.strip():
        raise ValueError("An exemption needs its reason.")
    _EXEMPT[label.lower()] = reason


def registered_personal_records() -> dict[str, PersonalRecords]:
    return dict(sorted(_RECORDS.items()))


def exemptions() -> dict[str, str]:
    return dict(sorted(_EXEMPT.items()))


def holds_personal_data(model: type[models.Model]) -> bool:
    """A model whose rows may be about a person: the user model itself, or one that refers
    (directly or through other such models) to a person, stopping at exempted models."""
    user_label = settings.AUTH_USER_MODEL.lower()
    seen: set[str] = set()

    def personal(candidate: type[models.Model]) -> bool:
        label = candidate._meta.label_lower
        if label == user_label:
            return True
        if label in _EXEMPT or label in seen:
            return False
        seen.add(label)
        return any(
            f.related_model is not None and personal(f.related_model)
            for f in candidate._meta.concrete_fields
            if f.is_relation and f.related_model is not candidate
        )

    return personal(model)


# --- The core's own records -------------------------------------------------------------------


register_personal_records(core_models.User, about=("",), withheld=("password",))
register_personal_records(core_models.Membership, about=("user",))
register_personal_records(core_models.Portfolio, about=("learner",))
register_personal_records(core_models.Invitation, about=("accepted_by",), withheld=("nonce",))
register_personal_records(core_models.PortfolioVersion, about=("portfolio__learner",))
register_personal_records(core_models.VersionFile, about=("version__portfolio__learner",), files=("name",))
register_personal_records(core_models.CriterionDecision, about=("version__portfolio__learner",))
register_personal_records(core_models.VersionOutcome, about=("version__portfolio__learner",))
register_personal_records(core_models.QualitySample, about=("decision__version__portfolio__learner",))
register_personal_records(core_models.AuditEntry, about=("portfolio__learner",))
# The learner's own notifications, and those telling staff about the learner.
register_personal_records(core_models.Notification, about=("recipient", "portfolio__learner"))
register_personal_records(
    core_models.Export, about=("portfolio__learner",), files=("file",), withheld=("token", "claimed_by")
)
register_personal_records(core_models.FormDraft, about=("owner",))
register_personal_records(core_models.EditRevision, about=("saved_by",))
register_personal_records(core_models.EqaAccessLog, about=("portfolio__learner",))
register_personal_records(core_models.EqaFinding, about=("portfolio__learner", "version__portfolio__learner"))
exempt_from_personal_records(
    "portfolio.cohort",
    reason="The cohort's own record (name, dates, organisation); it names the tutor who made "
    "it, never a learner, and learners join it through their portfolio, which is registered.",
)
exempt_from_personal_records(
    "portfolio.eqagrant",
    reason="Access given to an external quality assurer: about the assurer and the cohort. The "
    "learners it covers are links to their portfolios, removed with them; what the assurer "
    "opened and found about a learner is in the registered EQA log and findings.",
)
