"""The guided audit steps: saved as they stand and recorded as evidence."""

from __future__ import annotations

from django.db import transaction

from audit.models import OrganisationProfile
from core import concurrency
from core.guided import StepStatus
from core.models import Portfolio, User
from evidence.services import record_section

# --- Guided audit steps ---------------------------------------------------------------


def step_state(*, step, portfolio: Portfolio, header, rows: list) -> StepStatus:
    """Whether a step is complete, what is missing, and a one-line summary."""
    missing = []
    complete_rows = [row for row in rows if step.row_complete(row)]
    if len(complete_rows) < step.min_rows:
        missing.append(f"at least {step.rows_phrase(step.min_rows)} with {step.row_needs}")
    elif len(complete_rows) < len(rows):
        missing.append(step.rows_still_needing(len(rows) - len(complete_rows)))
    if isinstance(header, OrganisationProfile):
        for name, label in (
            ("name", "the organisation's name"),
            ("service_offer", "the service offer"),
            ("products", "its products and services"),
        ):
            if not getattr(header, name).strip():
                missing.append(label)
        subject = header.name.strip() or "Organisation not named yet"
    else:
        if step.note_needed and not (header.text or "").strip():
            missing.append(step.note_label[0].lower() + step.note_label[1:])
        subject = step.title
    summary = f"{subject}: {step.rows_phrase(len(rows))}, {len(complete_rows)} complete."
    return StepStatus(complete=not missing, summary=summary, missing=missing)


@transaction.atomic
def save_step(
    *, step, portfolio: Portfolio, header, rows: list, deleted: list, actor: User, token: str | None = None
) -> StepStatus:
    """Save the step as it stands (a draft is fine) and record it as evidence.

    ``token``: the step's version the form was opened at (core/concurrency.py)."""
    concurrency.claim(scope=concurrency.portfolio_scope(portfolio.pk, step.key), token=token, actor=actor)

    header.portfolio = portfolio
    header.save()
    for row in deleted:
        if row.pk and row.portfolio_id == portfolio.pk:
            row.delete()
    for position, row in enumerate(rows):
        row.portfolio = portfolio
        row.position = position
        row.save()
    state = step_state(step=step, portfolio=portfolio, header=header, rows=rows)
    record_section(
        portfolio=portfolio, key=step.key, complete=state.complete, summary=state.summary, actor=actor
    )
    return state
