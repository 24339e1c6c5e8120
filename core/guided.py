"""The guided-step protocol: one definition per step of the audit and the strategy, one view.

A content app describes each of its steps once, as a ``GuidedStep``: its key and title, its
place in the learner's work, the criteria it evidences by default, its guidance, its template,
and a ``build`` function that, for one request, loads the step, makes its form(s) or
formset(s) and says how to save them. ``register_step`` makes it a section of the portfolio
(``core.sections``: the workflow, the coverage matrix, the PDF) and gives it a URL through
``core.views.guided.step_urls``; ``core.views.guided.step_view`` does the rest for every step alike:

- who may see and who may change the portfolio (the one gate, ``core.access``);
- the version token against lost updates and the typed-text drafts (``core.concurrency``,
  ``core.drafts``);
- validation, the save in one transaction or nothing, the message, the redirect;
- read-only mode for everyone but the learner, written once;
- the navigation across all the guided steps, in the order of the work.

Adding a step therefore touches one app: its models, forms and services as usual, one
``GuidedStep`` and its template (see docs/architecture.md and tests/test_guided_steps.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.forms import BaseForm, BaseFormSet
from django.http import HttpRequest, QueryDict
from django.utils.translation import ngettext

from core.sections import Section, register_section, unregister_section

if TYPE_CHECKING:
    from core.concurrency import EditState
    from core.models import Portfolio, User


@dataclass(frozen=True)
class StepStatus:
    """Whether a step is complete, a one-line summary, and what is still missing (in words)."""

    complete: bool
    summary: str
    missing: list[str] = field(default_factory=list)


class StepError(Exception):
    """A rule of the step refused the save: shown to the learner as a message, nothing kept."""


@dataclass(frozen=True)
class Guidance:
    """What the learner reads beside the step, in our own words."""

    intro: str
    points: tuple[str, ...] = ()  # how to do the step well
    look_for: tuple[str, ...] = ()  # what assessors look for
    avoid: tuple[str, ...] = ()  # mistakes to avoid


# A form or a formset of the step (evaluated lazily: BaseFormSet is generic only to the checker).
type Part = BaseForm | BaseFormSet[Any]


@dataclass
class StepRequest:
    """What a step's ``build`` gets for one request."""

    request: HttpRequest
    portfolio: Portfolio
    step: GuidedStep
    data: QueryDict | None  # the submitted data on POST (even when empty), None otherwise
    can_edit: bool
    edit: EditState


@dataclass
class StepPage:
    """What a step's ``build`` returns: its parts by name (the names the template uses), how to
    save them once all are valid, the state to show, and anything else its template needs."""

    parts: dict[str, Part]
    save: Callable[[User, str | None], StepStatus]  # (actor, posted version token) → new state
    status: StepStatus | None = None
    context: dict[str, Any] = field(default_factory=dict)


def saved_message(step: GuidedStep, status: StepStatus) -> tuple[int, str]:
    """The message after a save: (level, text)."""
    if status.complete:
        return messages.SUCCESS, "Saved. This step is complete."
    count = len(status.missing)
    to_do = ngettext("%(count)d thing still to do.", "%(count)d things still to do.", count) % {
        "count": count
    }
    return messages.INFO, f"Saved as a draft. {to_do}"


@dataclass(frozen=True)
class GuidedStep:
    key: str  # "strategy.vision": app label, dot, the step's name (also its URL name)
    title: str
    order: int  # position in the learner's work: audit 100s, strategy 200s
    stage: str  # "Audit", "Strategy": groups the steps
    path: str  # the URL under /portfolios/<pk>/, e.g. "strategy/vision/"
    template: str  # extends "guided/step.html"
    build: Callable[[StepRequest], StepPage]
    guidance: Guidance
    # framework code → {criterion code: how the finished step proves it}
    default_criteria: dict[str, dict[str, str]] = field(default_factory=dict)
    # How the page answers a save: the message, and the status of a page shown again with errors.
    on_saved: Callable[[GuidedStep, StepStatus], tuple[int, str]] = saved_message
    invalid_status: int = 200
    invalid_message: str = ""

    @property
    def app_label(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    @property
    def url_name(self) -> str:
        return f"{self.app_label}:{self.name}"

    @property
    def section(self) -> Section:
        return Section(
            key=self.key,
            title=self.title,
            order=self.order,
            url_name=self.url_name,
            default_criteria=self.default_criteria,
            stage=self.stage,
        )


@dataclass(frozen=True)
class StageLink:
    """A page of a stage that is not a guided step (the audit's service data), shown in the
    navigation after the stage's steps."""

    stage: str
    title: str
    url_name: str  # takes the portfolio's pk as its only argument
    order: int


_STEPS: dict[str, GuidedStep] = {}
_LINKS: dict[str, StageLink] = {}


def register_step(step: GuidedStep) -> GuidedStep:
    """Register a guided step, and with it the portfolio section it fills."""
    existing = _STEPS.get(step.key)
    if existing is not None and existing != step:
        raise ValueError(f"Guided step {step.key!r} is registered twice with different definitions.")
    _STEPS[step.key] = step
    register_section(step.section)
    return step


def unregister_step(key: str) -> None:
    """Forget a step (for tests that register a toy one)."""
    _STEPS.pop(key, None)
    unregister_section(key)


def register_stage_link(link: StageLink) -> StageLink:
    _LINKS[f"{link.stage}:{link.url_name}"] = link
    return link


def get_step(key: str) -> GuidedStep:
    return _STEPS[key]


def all_steps() -> list[GuidedStep]:
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.key))


def stage_steps(stage: str) -> list[GuidedStep]:
    return [s for s in all_steps() if s.stage == stage]


def stage_links(stage: str) -> list[StageLink]:
    return sorted((link for link in _LINKS.values() if link.stage == stage), key=lambda link: link.order)


def navigation(current_stage: str = "") -> list[dict[str, object]]:
    """Every stage with its steps (and its other pages), in the order of the work: what the
    guided navigation shows on each step's page and on the stage's other pages."""
    stages: list[dict[str, object]] = []
    for step in all_steps():
        if not stages or stages[-1]["stage"] != step.stage:
            stages.append({"stage": step.stage, "steps": [], "links": stage_links(step.stage)})
        steps = stages[-1]["steps"]
        assert isinstance(steps, list)
        steps.append(step)
    for stage in stages:
        stage["current"] = stage["stage"] == current_stage
    return stages


def stage_link(url_name: str) -> StageLink:
    """The registered stage page with this URL name."""
    return next(link for link in _LINKS.values() if link.url_name == url_name)
