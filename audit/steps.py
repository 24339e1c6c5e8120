"""The six guided audit steps: what each holds, when it is complete, what it proves.

Each step is one page: an opening form (the organisation's profile, or a note) and a
set of repeating rows. Saving never fails for something missing, so a draft is
always kept; "complete" is computed from what is there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

from audit import forms as audit_forms
from audit.models import (
    Community,
    CompetitorPresence,
    CustomerSegment,
    PlatformPresence,
    ServiceGap,
    ServiceProcess,
    StepNote,
)


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
