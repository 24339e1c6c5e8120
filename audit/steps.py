"""The six guided audit steps: what each holds, when it is complete, what it proves.

Each step is one page: an opening form (the organisation's profile, or a note) and a
set of repeating rows. Saving never fails for something missing, so a draft is
always kept; "complete" is computed from what is there. Every ``Step`` is registered as
a ``core.guided.GuidedStep`` (the one guided-step view serves it) with ``build_page``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib import messages
from django.db import models
from django.forms import modelformset_factory
from django.http import QueryDict
from django.utils.translation import ngettext

from audit import forms as audit_forms
from audit import services
from audit.models import (
    Community,
    CompetitorPresence,
    CustomerSegment,
    OrganisationProfile,
    PlatformPresence,
    ServiceGap,
    ServiceProcess,
    StepNote,
)
from core.guided import (
    Guidance,
    GuidedStep,
    StageLink,
    StepPage,
    StepRequest,
    StepStatus,
    register_stage_link,
)
from core.guided import register_step as register_guided_step
from core.models import Portfolio, User


def _filled(row: models.Model, *names: str) -> bool:
    return all(getattr(row, name) not in (None, "") for name in names)


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    order: int
    row_model: type[models.Model]
    row_form: type
    related_name: str
    row_label: str  # "process", "platform"… for buttons and headings
    min_rows: int
    row_complete: Callable[[models.Model], bool]
    row_needs: str  # what a complete row has, in words
    note_label: str = ""  # empty for the organisation step, which has its own form
    note_needed: bool = False
    criteria: dict[str, dict[str, str]] = field(default_factory=dict)
    intro: str = ""
    look_for: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    row_label_plural: str = ""  # when not the row label and an "s": "processes", "communities"

    def rows_phrase(self, count: int) -> str:
        """The count with the row's noun agreeing: "1 process", "3 processes"."""
        plural = self.row_label_plural or f"{self.row_label}s"
        return f"{count} {ngettext(self.row_label, plural, count)}"

    def rows_still_needing(self, count: int) -> str:
        """ "1 process still needs …", "2 processes still need …"."""
        verb = ngettext("still needs", "still need", count)
        return f"{self.rows_phrase(count)} {verb} {self.row_needs}"

    @property
    def key(self) -> str:
        return f"audit.{self.slug}"

    @property
    def url_name(self) -> str:
        return f"audit:{self.slug}"


STEPS: list[Step] = [
    Step(
        slug="organisation",
        title="The organisation and its service",
        order=110,
        row_model=ServiceProcess,
        row_form=audit_forms.ProcessForm,
        related_name="audit_processes",
        row_label="process",
        row_label_plural="processes",
        min_rows=3,
        row_complete=lambda row: _filled(row, "name", "how_it_runs"),
        row_needs="a name and how it runs today",
        criteria={
            "CFACSD22": {
                "P1": "Breaks down the customer service processes that the service offer depends on "
                "and how each "
                "runs today.",
                "K1": "Shows the learner analysing each process step by step, with its channels and "
                "problems.",
                "K2": "Sets out the organisation's service offer, products and services in the "
                "learner's words.",
            }
        },
        intro="Start with the business itself: what it sells, what it promises customers after the sale, and "
        "the service processes that keep those promises. Everything later in the strategy should "
        "trace back here.",
        look_for=(
            "A service offer stated plainly: what customers can expect, how quickly, through which channels.",
            "Products and services named specifically enough that a reader outside the business "
            "understands them.",
            "At least three essential processes (for example orders, deliveries, returns, complaints), each "
            "described as it really runs today, with where it goes wrong.",
        ),
        avoid=(
            "Describing the process as the manual says it should run rather than as it actually runs.",
            "Listing processes without saying which customers use them or through which channels.",
        ),
    ),
    Step(
        slug="presence",
        title="Current social media presence",
        order=120,
        row_model=PlatformPresence,
        row_form=audit_forms.PresenceForm,
        related_name="audit_presences",
        row_label="platform",
        min_rows=2,
        row_complete=lambda row: _filled(
            row, "platform", "audience", "typical_response_minutes", "service_use"
        ),
        row_needs="the platform, its audience, a typical response time and how it is used for service",
        note_label="Tools used to manage these accounts, and what you learnt from how other "
        "organisations use them",
        note_needed=True,
        criteria={
            "CFACSD22": {
                "P2": "Lists the platforms the organisation's customers actually use, with audience sizes.",
                "P3": "Records how the organisation and other organisations use each platform for service.",
                "K3": "Covers mainstream and niche platforms, with why each matters to these customers.",
                "K4": "Compares the organisation's use of each platform with how other organisations serve "
                "customers there.",
            },
            "CSSMS": {
                "1.4": "Describes the features of each external platform that matter for service: messaging, "
                "reviews, hours, reach.",
                "1.5": "Names the tools used to manage the accounts and judges how well they "
                "support the team.",
            },
        },
        intro="Audit every account the organisation runs, platform by platform, with numbers wherever you "
        "can find them: followers, messages a month, how long customers wait, when someone is watching.",
        look_for=(
            "Figures, not impressions: audience size, monthly message volume and a typical first "
            "response time.",
            "The hours each account is covered, so gaps at evenings and weekends become visible.",
            "For each platform, one example of how another organisation uses it well for service.",
            "The tools used to manage the accounts (inboxes, schedulers, help desks) and their limits.",
        ),
        avoid=(
            "Leaving out platforms customers use but the organisation ignores: that is often the "
            "biggest gap.",
            "Counting marketing posts as service activity.",
        ),
    ),
    Step(
        slug="customers",
        title="Customer profile",
        order=130,
        row_model=CustomerSegment,
        row_form=audit_forms.SegmentForm,
        related_name="audit_segments",
        row_label="segment",
        min_rows=2,
        row_complete=lambda row: _filled(row, "name", "demographics", "platforms", "uses"),
        row_needs="a name, demographics, the platforms used and what for",
        note_label="Where your profile comes from (surveys, platform insights, sales data) and what "
        "is still unknown",
        criteria={
            "CFACSD22": {
                "P4": "Profiles customers and potential customers by the platforms they use and "
                "what they use "
                "them for.",
                "K5": "Shows how the learner built the profile from data about who uses each platform.",
            }
        },
        intro="Describe the people you serve in groups that behave differently online, and say which "
        "platforms each group turns to and why: to ask, to complain, to compare, to praise.",
        look_for=(
            "Segments that differ in how they seek help, not only in age or income.",
            "Platforms named per segment, with the purpose: questions before buying, delivery "
            "updates, complaints.",
            "Potential customers as well as current ones.",
        ),
        avoid=(
            "One generic customer for everyone.",
            "Assumptions presented as facts: say where each figure comes from.",
        ),
    ),
    Step(
        slug="communities",
        title="Social media communities",
        order=140,
        row_model=Community,
        row_form=audit_forms.CommunityForm,
        related_name="audit_communities",
        row_label="community",
        row_label_plural="communities",
        min_rows=2,
        row_complete=lambda row: _filled(row, "name", "platform", "profile", "relevance"),
        row_needs="a name, the platform, a profile and why it matters to service",
        note_label="How the organisation takes part in these communities today",
        criteria={
            "CFACSD22": {
                "P5": "Identifies the communities where the organisation's customers talk about its products "
                "and service.",
                "P6": "Profiles each community: who is in it, what they discuss and why it matters "
                "to service.",
            }
        },
        intro="Communities are the groups, hashtags, forums and review spaces where customers talk "
        "to each other "
        "about what you sell. They shape opinion whether or not the organisation joins in.",
        look_for=(
            "Communities tied to service: owners' groups, review sites, local groups, interest hashtags.",
            "A profile of each: size, who takes part, tone, recurring questions or complaints.",
            "Why each matters: what would change if the organisation listened or joined in.",
        ),
        avoid=(
            "Listing only the organisation's own accounts: a community is where customers meet each other.",
        ),
    ),
    Step(
        slug="competitors",
        title="Competitor presence and activity",
        order=150,
        row_model=CompetitorPresence,
        row_form=audit_forms.CompetitorForm,
        related_name="audit_competitors",
        row_label="competitor platform",
        min_rows=2,
        row_complete=lambda row: (
            _filled(row, "competitor", "platform", "service_activity")
            and (_filled(row, "strengths") or _filled(row, "weaknesses"))
        ),
        row_needs="the competitor, the platform, the service activity seen and a strength or weakness",
        note_label="What the organisation should copy, avoid or do differently",
        note_needed=True,
        criteria={
            "CSSMS": {
                "2.3": "Analyses each competitor's presence and service activity platform by platform, with "
                "strengths, weaknesses and lessons drawn."
            }
        },
        intro="Look at two or more competitors as a customer would: message them, read their "
        "replies, note how "
        "fast and how well they answer on each platform.",
        look_for=(
            "One row per competitor and platform, so differences between platforms show.",
            "Observed service activity: reply times, tone, whether problems move to private messages.",
            "Strengths and weaknesses, and a conclusion about what the organisation should learn.",
        ),
        avoid=("Comparing follower counts only: audience size says little about service quality.",),
    ),
    Step(
        slug="gaps",
        title="Service gaps and improvements",
        order=160,
        row_model=ServiceGap,
        row_form=audit_forms.GapForm,
        related_name="audit_gaps",
        row_label="gap",
        min_rows=3,
        row_complete=lambda row: _filled(row, "gap", "evidence", "improvement", "priority"),
        row_needs="the gap, what shows it, the improvement proposed and a priority",
        note_label="How these improvements fit together, and which come first",
        criteria={
            "CFACSD22": {
                "P7": "Defines improvements to the organisation's social customer service, each "
                "tied to a gap "
                "the audit found.",
                "K9": "Shows the learner turning audit findings into measurable improvements with "
                "priorities.",
            }
        },
        intro="Bring the audit together: each gap the earlier steps revealed, the evidence for it, and the "
        "improvement that would close it. These become the objectives of the strategy.",
        look_for=(
            "Gaps backed by evidence from the audit or the service data (for example weekend "
            "response times).",
            "Improvements specific enough to measure later, with a priority.",
            "A link between each improvement and a service measure: response time, resolution, satisfaction.",
        ),
        avoid=(
            "Promising more than the team can staff: say what each improvement needs.",
            "Improvements with no gap behind them.",
        ),
    ),
]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}
NOTE_STEPS = {choice.value for choice in StepNote.Step}


# --- The page of a step (core.guided) -------------------------------------------------


def _header_for(step: Step, portfolio: Portfolio) -> tuple[models.Model, type]:
    if step.slug == "organisation":
        header = OrganisationProfile.objects.filter(portfolio=portfolio).first()
        return header or OrganisationProfile(portfolio=portfolio), audit_forms.OrganisationForm
    note = StepNote.objects.filter(portfolio=portfolio, step=step.slug).first()
    return note or StepNote(portfolio=portfolio, step=step.slug), audit_forms.StepNoteForm


def _fresh_rows(data: QueryDict, current_ids: set[int]) -> QueryDict:
    """After a conflict: rows the other save deleted come back as new rows, so keeping
    yours keeps their text instead of failing on a row that is gone."""
    data = data.copy()
    try:
        initial = int(str(data.get("rows-INITIAL_FORMS", 0)))
    except ValueError:
        return data
    for index in range(min(initial, 1000)):
        key = f"rows-{index}-id"
        value = str(data.get(key, ""))
        if value.isdigit() and int(value) not in current_ids:
            data[key] = ""
    return data


def build_page(sr: StepRequest) -> StepPage:
    """The step's opening form and its rows; saving keeps a draft, complete or not."""
    step = STEPS_BY_SLUG[sr.step.name]
    header, header_form_class = _header_for(step, sr.portfolio)
    # Readers see only what was written, without an empty row to fill in.
    formset_class = modelformset_factory(
        step.row_model, form=step.row_form, extra=1 if sr.can_edit else 0, can_delete=sr.can_edit
    )
    rows = getattr(sr.portfolio, step.related_name).all()
    data = sr.data
    if data is not None and sr.edit.stale:
        data = _fresh_rows(data, set(rows.values_list("pk", flat=True)))
    header_form = header_form_class(data, instance=header, prefix="header")
    if step.note_label:
        header_form.fields["text"].label = step.note_label
    formset = formset_class(data, queryset=rows, prefix="rows")

    def save(actor: User, token: str | None) -> StepStatus:
        kept, deleted = [], []
        for form in cast(list[Any], formset.forms):  # the step's row forms (audit.forms.RowForm)
            if form in formset.deleted_forms or not form.has_content():
                if form.instance.pk:
                    deleted.append(form.instance)
                continue
            kept.append(form.save(commit=False))
        return services.save_step(
            step=step,
            portfolio=sr.portfolio,
            header=header_form.save(commit=False),
            rows=kept,
            deleted=deleted,
            actor=actor,
            token=token,
        )

    status = None
    if data is None:
        status = services.step_state(step=step, portfolio=sr.portfolio, header=header, rows=list(rows))
    return StepPage(
        parts={"header_form": header_form, "formset": formset},
        save=save,
        status=status,
        context={"audit_step": step},
    )


def saved_message(guided: GuidedStep, status: StepStatus) -> tuple[int, str]:
    if status.complete:
        return messages.SUCCESS, f"“{guided.title}” saved. It is complete."
    return messages.INFO, f"Draft saved. Still needed: {'; '.join(status.missing)}."


for _step in STEPS:
    register_guided_step(
        GuidedStep(
            key=_step.key,
            title=_step.title,
            order=_step.order,
            stage="Audit",
            path=f"audit/{_step.slug}/",
            template="audit/step.html",
            build=build_page,
            guidance=Guidance(intro=_step.intro, look_for=_step.look_for, avoid=_step.avoid),
            default_criteria=_step.criteria,
            on_saved=saved_message,
            invalid_status=400,
            invalid_message="Nothing was saved yet: correct the fields marked below, then save again.",
        )
    )
register_stage_link(StageLink(stage="Audit", title="Service data", url_name="audit:data", order=1))
register_stage_link(StageLink(stage="Audit", title="KPIs and charts", url_name="audit:kpis", order=2))
