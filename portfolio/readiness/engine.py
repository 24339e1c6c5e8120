"""The readiness engine: rules, findings and running them over loaded portfolio data.

A rule is one plain function over a ``PortfolioData`` (see ``loader``) that returns
what is wrong, as short details; an empty list means it passes. Rules never query
the database: everything they read was fetched in one batch beforehand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse

from evidence.sections import get_section

if TYPE_CHECKING:
    from portfolio.readiness.loader import PortfolioData

MUST = "must"
SHOULD = "should"
ADVICE = "advice"
SEVERITIES = {MUST: "Must fix", SHOULD: "Should fix", ADVICE: "Advice"}
SEVERITY_ORDER = [MUST, SHOULD, ADVICE]
# Rules are listed in the order a learner works: audit, then strategy, then evidence.
AREA_ORDER = {"audit": 0, "strategy": 1, "evidence": 2}

Check = Callable[["PortfolioData"], list[str]]


@dataclass(frozen=True)
class Rule:
    id: str
    message: str  # what the examiner looks for, in plain words, phrased as the thing to do
    severity: str
    criteria: tuple[str, ...]  # "CFACSD22 P2", "CSSMS 2.2"
    fix: str  # a section key ("audit.gaps") or a URL name taking portfolio_pk ("evidence:list")
    check: Check
    order: int = 0

    @property
    def severity_label(self) -> str:
        return SEVERITIES[self.severity]

    @property
    def area(self) -> str:
        """Audit, Strategy or Evidence: the part of the portfolio the rule reads."""
        return self.id.split(".")[0].capitalize()

    @property
    def step_key(self) -> str:
        """The guided step this rule belongs to, or "" when it is fixed elsewhere."""
        return self.fix if "." in self.fix and ":" not in self.fix else ""

    def fix_title(self) -> str:
        if self.step_key:
            try:
                return get_section(self.step_key).title
            except KeyError:
                return self.fix
        return FIX_PAGE_TITLES.get(self.fix, "the page")

    def fix_url(self, portfolio_pk: int) -> str:
        try:
            if self.step_key:
                return get_section(self.step_key).url(portfolio_pk)
            try:
                return reverse(self.fix, kwargs={"portfolio_pk": portfolio_pk})
            except NoReverseMatch:
                return reverse(self.fix, kwargs={"pk": portfolio_pk})
        except (KeyError, NoReverseMatch):
            return ""


FIX_PAGE_TITLES = {
    "evidence:list": "Evidence",
    "evidence:coverage": "Coverage of criteria",
    "audit:data": "Service data",
    "portfolio:portfolio_detail": "Your portfolio's steps",
}


@dataclass(frozen=True)
class Finding:
    rule: Rule
    passed: bool
    details: tuple[str, ...] = ()
    fix_url: str = ""

    @property
    def severity(self) -> str:
        return self.rule.severity


@dataclass
class Report:
    portfolio_id: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> list[Finding]:
        return [f for f in self.findings if not f.passed]

    @property
    def passed(self) -> list[Finding]:
        return [f for f in self.findings if f.passed]

    def by_severity(self) -> list[tuple[str, str, list[Finding]]]:
        """(severity, label, failed findings) for each severity, in order, empty groups kept."""
        return [(s, SEVERITIES[s], [f for f in self.failed if f.severity == s]) for s in SEVERITY_ORDER]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.failed if f.severity == severity)

    @property
    def must_fix(self) -> int:
        return self.count(MUST)

    @property
    def ready(self) -> bool:
        return self.must_fix == 0

    def for_step(self, key: str) -> list[Finding]:
        return [f for f in self.findings if f.rule.step_key == key]


_RULES: dict[str, Rule] = {}


def rule(
    *, id: str, message: str, severity: str, criteria: Iterable[str] = (), fix: str
) -> Callable[[Check], Check]:
    """Register the decorated function as a rule."""
    if severity not in SEVERITIES:
        raise ValueError(f"Unknown severity {severity!r}.")

    def register(check: Check) -> Check:
        if id in _RULES:
            raise ValueError(f"Rule {id!r} is registered twice.")
        _RULES[id] = Rule(
            id=id,
            message=message,
            severity=severity,
            criteria=tuple(criteria),
            fix=fix,
            check=check,
            order=len(_RULES),
        )
        return check

    return register


def all_rules() -> list[Rule]:
    # Importing the rule modules registers them; the order of registration is the
    # order of the learner's work (audit, strategy, evidence).
    from portfolio.readiness import rules_audit, rules_evidence, rules_strategy  # noqa: F401

    return sorted(_RULES.values(), key=lambda r: (AREA_ORDER.get(r.id.split(".")[0], 9), r.order))


def get_rule(rule_id: str) -> Rule:
    all_rules()
    return _RULES[rule_id]


def run_rules(data: PortfolioData, rules: Iterable[Rule] | None = None) -> Report:
    report = Report(portfolio_id=data.portfolio.pk)
    for current in rules if rules is not None else all_rules():
        details = current.check(data)
        report.findings.append(
            Finding(
                rule=current,
                passed=not details,
                details=tuple(details),
                fix_url=current.fix_url(data.portfolio.pk),
            )
        )
    return report
