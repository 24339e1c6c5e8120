"""The learner's strategy document, step by step.

Every field a learner types is optional at the database level so a step can be
saved as a draft; whether a step is complete is computed (see strategy.completeness).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.models import Portfolio

ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class Vision(models.Model):
    portfolio = models.OneToOneField(Portfolio, on_delete=models.CASCADE, related_name="strategy_vision")
    role_of_social = models.TextField("role of social media in the service strategy", blank=True)
    components_scope = models.TextField("components and scope", blank=True)
    organisational_links = models.TextField("links with the rest of the organisation", blank=True)
    brand_values = models.TextField("brand values and marketing", blank=True)
    vision_statement = models.TextField("vision", blank=True)
    operating_environment = models.TextField("operating environment and constraints", blank=True)
    business_fit = models.TextField("fit with the business strategy", blank=True)
    owned_media = models.TextField("owned media", blank=True)
    earned_media = models.TextField("earned media", blank=True)
    paid_media = models.TextField("paid media", blank=True)
    promotion_vs_service = models.TextField("promotional content and service interactions", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Vision of {self.portfolio_id}"


class Objective(models.Model):
    class Direction(models.TextChoices):
        INCREASE = "increase", "Higher is better"
        DECREASE = "decrease", "Lower is better"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="strategy_objectives")
    position = models.PositiveSmallIntegerField(default=0)
    statement = models.TextField(blank=True)
    metric_key = models.CharField("metric", max_length=32, blank=True)
    custom_label = models.CharField("custom metric name", max_length=120, blank=True)
    custom_unit = models.CharField("custom metric unit", max_length=30, blank=True)
    custom_direction = models.CharField(
        "custom metric direction", max_length=8, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    start = models.DateField("starts", null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    owner = models.CharField(max_length=120, blank=True)
    business_objective = models.TextField("business objective it serves", blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True)
                | Q(deadline__isnull=True)
                | Q(deadline__gte=models.F("start")),
                name="objective_deadline_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.statement[:60] or "Objective"


class PlatformSelection(models.Model):
    """The weights of the platform matrix and the learner's justification."""

    portfolio = models.OneToOneField(Portfolio, on_delete=models.CASCADE, related_name="strategy_platforms")
    weight_audience_fit = models.DecimalField(max_digits=6, decimal_places=2, default=30)
    weight_customer_usage = models.DecimalField(max_digits=6, decimal_places=2, default=25)
    weight_service_features = models.DecimalField(max_digits=6, decimal_places=2, default=20)
    weight_cost = models.DecimalField(max_digits=6, decimal_places=2, default=10)
    weight_staffing = models.DecimalField(max_digits=6, decimal_places=2, default=15)
    justification = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_audience_fit__gt=0)
                & Q(weight_customer_usage__gt=0)
                & Q(weight_service_features__gt=0)
                & Q(weight_cost__gt=0)
                & Q(weight_staffing__gt=0),
                name="platform_weights_positive",
            )
        ]

    def __str__(self) -> str:
        return f"Platform weights of {self.portfolio_id}"

    def weights(self) -> dict[str, object]:
        return {
            "audience_fit": self.weight_audience_fit,
            "customer_usage": self.weight_customer_usage,
            "service_features": self.weight_service_features,
            "cost": self.weight_cost,
            "staffing": self.weight_staffing,
        }


class PlatformScore(models.Model):
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.CASCADE, related_name="strategy_platform_scores"
    )
    position = models.PositiveSmallIntegerField(default=0)
    platform = models.CharField(max_length=80)
    audience_fit = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    customer_usage = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    service_features = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    cost = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    staffing = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.platform

    def scores(self) -> dict[str, int]:
        return {
            "audience_fit": self.audience_fit,
            "customer_usage": self.customer_usage,
            "service_features": self.service_features,
            "cost": self.cost,
            "staffing": self.staffing,
        }


class Risk(models.Model):
    class Category(models.TextChoices):
        DATA_SECURITY = "data_security", "Data security"
        NEGATIVE_PUBLICITY = "negative_publicity", "Negative publicity"
        REGULATION = "regulation", "Regulation and advertising standards"
        STAFFING = "staffing", "Staffing and capacity"
        TECHNOLOGY = "technology", "Technology"
        CRISIS = "crisis", "Crisis"
        ACCESSIBILITY = "accessibility", "Accessibility and equality"
        OTHER = "other", "Other"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="strategy_risks")
    position = models.PositiveSmallIntegerField(default=0)
    category = models.CharField(max_length=24, choices=Category.choices)
    description = models.TextField()
    likelihood = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    impact = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE)
    owner = models.CharField(max_length=120, blank=True)
    mitigation = models.TextField(blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE, null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(validators=ONE_TO_FIVE, null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5) & Q(impact__gte=1, impact__lte=5),
                name="risk_scores_one_to_five",
            )
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def residual_score(self) -> int | None:
        if self.residual_likelihood is None or self.residual_impact is None:
            return None
        return self.residual_likelihood * self.residual_impact


class ComplianceStatus(models.TextChoices):
    NOT_CHECKED = "", "Not yet checked"
    COMPLIES = "complies", "Complies"
    ACTION = "action", "Complies once action is taken"
    NOT_APPLICABLE = "n/a", "Does not apply"


# field prefix, the law or rule it stands for
REGULATIONS: list[tuple[str, str]] = [
    ("consumer_rights", "Consumer Rights Act 2015"),
    ("data_protection", "Data Protection Act 2018 and UK GDPR"),
    ("equality", "Equality Act 2010"),
    ("advertising", "Advertising rules (CAP Code, ASA)"),
    ("platform_terms", "Platform terms and policies"),
]


class RegulationCheck(models.Model):
    """One proposed improvement checked against each law and rule that governs it."""

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.CASCADE, related_name="strategy_regulation_checks"
    )
    position = models.PositiveSmallIntegerField(default=0)
    improvement = models.TextField()
    consumer_rights_status = models.CharField(max_length=8, choices=ComplianceStatus.choices, blank=True)
    consumer_rights_note = models.TextField(blank=True)
    data_protection_status = models.CharField(max_length=8, choices=ComplianceStatus.choices, blank=True)
    data_protection_note = models.TextField(blank=True)
    equality_status = models.CharField(max_length=8, choices=ComplianceStatus.choices, blank=True)
    equality_note = models.TextField(blank=True)
    advertising_status = models.CharField(max_length=8, choices=ComplianceStatus.choices, blank=True)
    advertising_note = models.TextField(blank=True)
    platform_terms_status = models.CharField(max_length=8, choices=ComplianceStatus.choices, blank=True)
    platform_terms_note = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.improvement[:60]

    def checks(self) -> list[tuple[str, str, str]]:
        """(law, status label, note) for each regulation, in a fixed order."""
        return [
            (
                label,
                ComplianceStatus(getattr(self, f"{prefix}_status")).label,
                getattr(self, f"{prefix}_note"),
            )
            for prefix, label in REGULATIONS
        ]


class ImplementationPlan(models.Model):
    portfolio = models.OneToOneField(Portfolio, on_delete=models.CASCADE, related_name="strategy_plan")
    roles = models.TextField("people or roles", blank=True, help_text="One per line.")
    escalation_path = models.TextField(blank=True)
    crisis_framework = models.TextField("crisis communication framework", blank=True)
    brand_voice = models.TextField("brand voice and tone", blank=True)
    voice_do = models.TextField("do", blank=True)
    voice_dont = models.TextField("don't", blank=True)
    training_needs = models.TextField(blank=True)
    technology = models.TextField("technology and tools", blank=True)
    capability_review = models.TextField("can today's structures and processes deliver it?", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Implementation plan of {self.portfolio_id}"


class RaciActivity(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="strategy_raci")
    position = models.PositiveSmallIntegerField(default=0)
    activity = models.CharField(max_length=200)
    assignments = models.JSONField(default=dict, help_text="role name → R, A, C or I")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "RACI activities"

    def __str__(self) -> str:
        return self.activity


class ResponseProtocol(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="strategy_protocols")
    position = models.PositiveSmallIntegerField(default=0)
    platform = models.CharField(max_length=80)
    first_response_minutes = models.PositiveIntegerField(
        "first response target (minutes)", validators=[MinValueValidator(1), MaxValueValidator(10080)]
    )
    hours_covered = models.CharField(max_length=120)
    approach = models.TextField("how we respond", blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.platform


class BudgetLine(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="strategy_budget")
    position = models.PositiveSmallIntegerField(default=0)
    item = models.CharField(max_length=160)
    amount = models.DecimalField(
        "amount (£)", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_not_negative")]

    def __str__(self) -> str:
        return self.item


class TimelineTask(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="strategy_timeline")
    position = models.PositiveSmallIntegerField(default=0)
    task = models.CharField(max_length=160)
    owner = models.CharField(max_length=120, blank=True)
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="task_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.task


class ReviewCycle(models.Model):
    """One turn of Plan-Do-Check-Act, with the data that judged it."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="strategy_cycles")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=160)
    started_on = models.DateField(null=True, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    plan_step = models.TextField("plan: what we set out to improve", blank=True)
    do_step = models.TextField("do: what was changed", blank=True)
    check_step = models.TextField("check: what the data showed", blank=True)
    act_step = models.TextField("act: the next improvement", blank=True)
    metric_key = models.CharField("metric compared", max_length=32, blank=True)
    value_before = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    value_after = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(reviewed_on__isnull=True)
                | Q(reviewed_on__gte=models.F("started_on")),
                name="cycle_reviewed_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ChampionPitch(models.Model):
    portfolio = models.OneToOneField(Portfolio, on_delete=models.CASCADE, related_name="strategy_pitch")
    audience = models.CharField(max_length=200, blank=True)
    headline = models.CharField("the case in one sentence", max_length=300, blank=True)
    response_time_now = models.DecimalField(
        "first response now (minutes)", max_digits=10, decimal_places=1, null=True, blank=True
    )
    response_time_projected = models.DecimalField(
        "first response projected (minutes)", max_digits=10, decimal_places=1, null=True, blank=True
    )
    cost_per_contact_now = models.DecimalField(
        "cost per contact now (£)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    cost_per_contact_projected = models.DecimalField(
        "cost per contact projected (£)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    retention_now = models.DecimalField(
        "retention now (%)", max_digits=5, decimal_places=1, null=True, blank=True
    )
    retention_projected = models.DecimalField(
        "retention projected (%)", max_digits=5, decimal_places=1, null=True, blank=True
    )
    nps_now = models.SmallIntegerField("NPS now", null=True, blank=True)
    nps_projected = models.SmallIntegerField("NPS projected", null=True, blank=True)
    dissemination_benefits = models.TextField("benefits of social media for getting messages out", blank=True)
    dissemination_drawbacks = models.TextField(
        "drawbacks of social media for getting messages out", blank=True
    )
    engagement_consequences = models.TextField("benefits and consequences of engaging customers", blank=True)
    ongoing_dialogue = models.TextField("how the dialogue with customers continues", blank=True)
    champion_actions = models.TextField("my own actions as champion", blank=True)
    risks = models.TextField("the risks, and how they are handled", blank=True)
    ask = models.TextField("what I ask of managers", blank=True)
    # What the champion says on each slide, by slide key (strategy.pitch_deck.SLIDES): shown in
    # the presenter's view and the handouts, never on the audience's screen.
    speaker_notes = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "champion pitches"

    def __str__(self) -> str:
        return f"Champion pitch of {self.portfolio_id}"
