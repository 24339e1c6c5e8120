"""The end of a learner's data: what the retention table (``privacy.retention``) says is due,
applied by the scheduled job or, early, by erasure on a learner's request.

``plan_for`` reads, for one learner, every registered record kind (``core.subject_data``) in
the table's order: how many rows there are, what the table does with them and when. The job
(``apply_retention``) applies the lines whose period has passed; ``erase_learner`` applies every
line the table lets go on request, and keeps the assessment record, saying until when and why.
Neither touches a learner who is still active. Each run is one line of the data protection
trail (``PrivacyEntry``).

A stored file is deleted only once no kept record names it: an evidence file that a submitted
version froze (``VersionFile``) is the same stored object, and stays with the version, so
``manage.py verify_restore`` still finds every kept version and file whole.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from core.integrity import stored_file_fields
from core.models import Role, User
from core.subject_data import PersonalRecords, registered_personal_records
from privacy import archive
from privacy.models import PrivacyEntry
from privacy.retention import RETENTION, Action, Policy, ordered_labels, rule_for
from privacy.selectors import LearnerStatus, learner_status

log = logging.getLogger(__name__)


class ErasureRefused(Exception):
    """The learner cannot be erased now; ``reasons`` says why, in words for the page."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


@dataclass
class PlanLine:
    records: PersonalRecords
    policy: Policy
    count: int
    due_on: date | None
    applies: bool
    action: Action  # the policy's, or what it does on request before the period ends

    @property
    def label(self) -> str:
        return self.records.label

    @property
    def title(self) -> str:
        return self.records.title


@dataclass
class Plan:
    learner: User
    status: LearnerStatus
    lines: list[PlanLine] = field(default_factory=list)

    @property
    def erased(self) -> list[PlanLine]:
        return [line for line in self.lines if line.applies]

    @property
    def kept(self) -> list[PlanLine]:
        return [line for line in self.lines if not line.applies]


def anonymous_username(learner_pk: int) -> str:
    return f"erased-{learner_pk}"


def _pending(records: PersonalRecords, action: Action, learner_pk: int) -> models.QuerySet[Any]:
    rows = records.rows_about(learner_pk)
    if action == Action.ANONYMISE:
        if records.anonymised is not None:
            return rows.exclude(records.anonymised)
        return rows.exclude(username=anonymous_username(learner_pk))
    return rows


def plan_for(learner: User, *, on_request: bool, today: date | None = None) -> Plan:
    """What the table does with each kind of record about the learner, now."""
    today = today or timezone.localdate()
    status = learner_status(learner, today=today)
    plan = Plan(learner=learner, status=status)
    registry = registered_personal_records()
    for label in ordered_labels(list(registry)):
        records, rule = registry[label], rule_for(label)
        assert rule is not None  # ordered_labels keeps only kinds the table names
        policy = rule.policy
        due_on = (
            status.end_date + policy.keep_for if policy.action != Action.KEEP and status.end_date else None
        )
        due = due_on is not None and due_on <= today
        action = policy.action_for(due=due or not on_request)
        count = _pending(records, action, learner.pk).count()
        if not count:
            continue
        applies = (
            not status.active and policy.action != Action.KEEP and ((on_request and policy.on_request) or due)
        )
        plan.lines.append(
            PlanLine(
                records=records, policy=policy, count=count, due_on=due_on, applies=applies, action=action
            )
        )
    return plan


# --- Applying it ---------------------------------------------------------------------------------


def _stored_names(lines: list[PlanLine], learner_pk: int) -> set[str]:
    """The stored files named by the rows about to go (read before anything cascades)."""
    labels = {line.label: line for line in lines if line.action == Action.DELETE}
    names: set[str] = set()
    for spec in stored_file_fields():
        line = labels.get(spec.model._meta.label_lower)
        if line is not None:
            rows = line.records.rows_about(learner_pk).exclude(**{spec.field: ""})
            names.update(rows.values_list(spec.field, flat=True))
    return names


def _still_named(name: str) -> bool:
    return any(
        spec.model._default_manager.filter(**{spec.field: name}).exists() for spec in stored_file_fields()
    )


def _delete_rows(records: PersonalRecords, learner_pk: int) -> None:
    """Delete the rows; where a row protects an earlier one of its kind (a decision superseding
    another), the later goes first."""
    model = records.model
    chains = [
        f
        for f in model._meta.concrete_fields
        if f.is_relation
        and f.related_model is model
        and getattr(f.remote_field, "on_delete", None) is models.PROTECT
    ]
    rows = records.rows_about(learner_pk)
    for link in chains:
        while True:
            referenced = model._default_manager.filter(**{f"{link.name}__isnull": False}).values(link.attname)
            leaves = list(rows.exclude(pk__in=referenced).values_list("pk", flat=True))
            if not leaves:
                break
            model._default_manager.filter(pk__in=leaves).delete()
    rows.delete()


def _anonymise_account(learner_pk: int) -> None:
    User.objects.filter(pk=learner_pk).update(
        username=anonymous_username(learner_pk),
        first_name="",
        last_name="",
        email="",
        password=make_password(None),
        is_active=False,
        last_login=None,
    )


def apply_plan(plan: Plan, *, actor: User | None, action: str, summary: str) -> PrivacyEntry:
    """Apply the plan's due lines in one transaction and write its line of the trail; stored
    files no kept record names are deleted once it commits."""
    learner_pk = plan.learner.pk
    lines = plan.erased
    with transaction.atomic():
        names = _stored_names(lines, learner_pk)
        details = {}
        for line in lines:
            if line.action == Action.ANONYMISE:
                if line.records.anonymise is not None:
                    line.records.anonymise(_pending(line.records, line.action, learner_pk), actor)
                else:
                    _anonymise_account(learner_pk)
                details[line.label] = {"action": "anonymised", "count": line.count}
            else:
                _delete_rows(line.records, learner_pk)
                details[line.label] = {"action": "deleted", "count": line.count}
        orphans = sorted(name for name in names if not _still_named(name))
        entry = PrivacyEntry.objects.create(
            subject_id=learner_pk, actor=actor, action=action, summary=summary, details=details
        )

        def delete_files() -> None:
            for name in orphans:
                default_storage.delete(name)

        transaction.on_commit(delete_files)
    log.info("learner %s: %s (%s kinds, %s files)", learner_pk, action, len(details), len(orphans))
    return entry


def erase_learner(*, learner: User, actor: User) -> PrivacyEntry:
    """Erase on request what the table lets go; refused while the learner is active."""
    if not is_learner(learner):
        raise ErasureRefused(["Only a learner's data is erased here: this account is a member of staff's."])
    plan = plan_for(learner, on_request=True)
    if plan.status.active:
        PrivacyEntry.objects.create(
            subject_id=learner.pk,
            actor=actor,
            action=PrivacyEntry.Action.ERASURE_REFUSED,
            summary="Erasure on request refused: " + " ".join(plan.status.active_reasons),
        )
        raise ErasureRefused(plan.status.active_reasons)
    kept = sorted({f"{line.policy.name} until {line.due_on:%d/%m/%Y}" for line in plan.kept if line.due_on})
    summary = "Erased on the learner's request." + (f" Kept: {'; '.join(kept)}." if kept else "")
    return apply_plan(plan, actor=actor, action=PrivacyEntry.Action.ERASED, summary=summary)


def is_learner(user: User) -> bool:
    """A learner now, or someone who once had a portfolio (the policy is about learners' data)."""
    return user.role == Role.LEARNER or user.portfolios.exists()


def _candidates() -> models.QuerySet[User]:
    """Learners with something left to anonymise or delete."""
    return (
        User.objects.filter(models.Q(role=Role.LEARNER) | models.Q(portfolios__isnull=False))
        .exclude(username__startswith="erased-", portfolios__isnull=True)
        .distinct()
        .order_by("pk")
    )


def _shortest_period() -> timedelta:
    return min(rule.policy.keep_for for rule in RETENTION if rule.policy.action != Action.KEEP)


def _due_plan(learner: User, *, today: date, shortest: timedelta) -> Plan | None:
    """The plan of what is due for this learner now, or None if nothing is."""
    status = learner_status(learner, today=today)
    if status.active or status.end_date is None or status.end_date + shortest > today:
        return None  # nothing can be due yet: spares the counting below
    plan = plan_for(learner, on_request=False, today=today)
    return plan if plan.erased else None


def due_plans(*, today: date | None = None) -> Iterator[tuple[User, Plan]]:
    """Each learner with something past its period, and the plan of what is due."""
    today, shortest = today or timezone.localdate(), _shortest_period()
    for learner in _candidates().iterator(chunk_size=200):
        if (plan := _due_plan(learner, today=today, shortest=shortest)) is not None:
            yield learner, plan


def apply_retention(*, today: date | None = None) -> dict[str, int]:
    """The scheduled job: for every learner whose periods have passed, apply what is due.

    One learner's failure is logged and the rest go on; archives past their expiry lose their file.
    """
    today, shortest = today or timezone.localdate(), _shortest_period()
    counts = {"learners": 0, "failed": 0, "archives_expired": archive.expire_archives()}
    for learner in _candidates().iterator(chunk_size=200):
        try:
            plan = _due_plan(learner, today=today, shortest=shortest)
            if plan is None:
                continue
            done = ", ".join(f"{line.title.lower()} {line.action.value}d" for line in plan.erased)
            apply_plan(
                plan,
                actor=None,
                action=PrivacyEntry.Action.RETENTION,
                summary=f"Retention period ended (end date {plan.status.end_date:%d/%m/%Y}): {done}.",
            )
            counts["learners"] += 1
        except Exception:
            log.exception("retention: learner %s could not be processed", learner.pk)
            counts["failed"] += 1
    return counts
