"""Running the registered rules (``core.rules``) over loaded portfolio data: findings and reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.rules import MUST, SEVERITIES, SEVERITY_ORDER, PortfolioData, Rule, all_rules


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
