"""The one mechanism through which guided steps become evidence.

Each step of the audit and the strategy registers a ``Section`` at start-up (through
``core.guided.register_step``, from its app's ``steps.py`` imported by ``AppConfig.ready``).
When a learner saves a step, the step's service calls ``evidence.services.record_section``; that keeps one
``Evidence`` row per section and portfolio, mapped by default to the section's
criteria with a note saying how the section proves each, so the coverage matrix
fills as the learner works. The learner may change those mappings afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    key: str  # "audit.organisation": app label, dot, step name
    title: str  # shown in the workflow, the matrix and the PDF
    order: int  # position in the learner's workflow (audit 100s, strategy 200s…)
    url_name: str  # a URL pattern taking the portfolio's pk as ``portfolio_pk``
    # framework code → {criterion code: how this section proves it}
    default_criteria: dict[str, dict[str, str]] = field(default_factory=dict)
    stage: str = ""  # "Audit", "Strategy"…: groups the steps in the workflow

    def url(self, portfolio_pk: int) -> str:
        return reverse(self.url_name, kwargs={"portfolio_pk": portfolio_pk})


# The kind of the evidence item a step records itself as (``evidence.models.Evidence.Kind.SECTION``),
# as it stands in a snapshot's evidence items: how a reader of a snapshot on any floor tells a
# section from the rest of the evidence without importing the evidence's models.
SECTION_KIND = "section"

_REGISTRY: dict[str, Section] = {}


def register_section(section: Section) -> Section:
    existing = _REGISTRY.get(section.key)
    if existing is not None and existing != section:
        raise ValueError(f"Section {section.key!r} is registered twice with different definitions.")
    _REGISTRY[section.key] = section
    return section


def unregister_section(key: str) -> None:
    """Forget a section (for tests that register a toy one)."""
    _REGISTRY.pop(key, None)


def get_section(key: str) -> Section:
    return _REGISTRY[key]


def all_sections() -> list[Section]:
    return sorted(_REGISTRY.values(), key=lambda section: (section.order, section.key))
