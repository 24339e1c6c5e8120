"""The Open Badges 3.0 credential as JSON, from plain facts: no database, no key.

The shapes follow Open Badges 3.0 on the Verifiable Credentials Data Model 2.0: an
``OpenBadgeCredential`` whose ``credentialSubject`` is an ``AchievementSubject`` naming the
learner (an ``IdentityObject`` of type ``name``, not hashed: the credential is meant to be shown)
and the ``Achievement`` with its criteria. As a VC-JWT (OB 3.0 §8.2) the payload is the
credential itself with the registered claims ``iss`` (``issuer.id``), ``jti`` (``id``) and
``nbf`` (``validFrom``) beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
# A unit first: the qualification is what the learner is awarded; the standard it maps to after.
KIND_ORDER = {"unit": 0, "standard": 1}
KIND_NAMES = {"unit": "qualification unit", "standard": "National Occupational Standard"}


@dataclass(frozen=True)
class FrameworkFacts:
    code: str
    title: str
    kind: str
    criteria: tuple[tuple[str, str], ...]  # (code, text) in the framework's order


@dataclass(frozen=True)
class Issuer:
    id: str  # the issuer profile's URL
    name: str
    url: str


def ordered(frameworks: list[FrameworkFacts]) -> list[FrameworkFacts]:
    return sorted(frameworks, key=lambda f: (KIND_ORDER.get(f.kind, 2), f.code))


def achievement_key(frameworks: list[FrameworkFacts]) -> str:
    """The achievement's name in URLs: its frameworks' codes, ``CSSMS+CFACSD22``."""
    return "+".join(f.code for f in ordered(frameworks))


def achievement_name(frameworks: list[FrameworkFacts]) -> str:
    return ordered(frameworks)[0].title if frameworks else "Portfolio signed off"


def _described(framework: FrameworkFacts) -> str:
    kind = KIND_NAMES.get(framework.kind, "framework")
    return f"the {kind} {framework.code} “{framework.title}”"


def criteria_narrative(frameworks: list[FrameworkFacts]) -> str:
    """Every criterion the assessor found met, framework by framework, as Markdown."""
    parts = [
        "Every criterion below was assessed as met, on evidence in the learner's portfolio, "
        "and the portfolio was signed off by the centre's assessor."
    ]
    for framework in ordered(frameworks):
        parts.append(f"**{framework.code} {framework.title}**")
        parts.append("\n".join(f"- {code} {text}" for code, text in framework.criteria))
    return "\n\n".join(parts)


def achievement(*, frameworks: list[FrameworkFacts], achievement_id: str) -> dict[str, Any]:
    ordered_frameworks = ordered(frameworks)
    return {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": achievement_name(frameworks),
        "description": (
            "A portfolio assessed criterion by criterion against "
            + " and ".join(_described(f) for f in ordered_frameworks)
            + ", and signed off when every criterion was met."
        ),
        "criteria": {"narrative": criteria_narrative(frameworks)},
        "alignment": [
            {
                "type": ["Alignment"],
                "targetName": f"{f.code} {f.title}",
                "targetCode": f.code,
                "targetUrl": f"{achievement_id}#{f.code}",
            }
            for f in ordered_frameworks
        ],
    }


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def credential_payload(
    *,
    credential_id: str,
    issuer: Issuer,
    learner_name: str,
    frameworks: list[FrameworkFacts],
    achievement_id: str,
    valid_from: datetime,
) -> dict[str, Any]:
    """The JWT payload: the credential, and the JWT claims it implies."""
    valid_from = valid_from.replace(microsecond=0)
    return {
        "@context": CONTEXTS,
        "id": credential_id,
        "type": CREDENTIAL_TYPES,
        "issuer": {"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url},
        "validFrom": iso(valid_from),
        "name": achievement_name(frameworks),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "identityHash": learner_name,
                    "hashed": False,
                }
            ],
            "achievement": achievement(frameworks=frameworks, achievement_id=achievement_id),
        },
        "iss": issuer.id,
        "jti": credential_id,
        "nbf": int(valid_from.timestamp()),
    }


def issuer_profile(issuer: Issuer, *, jwks_url: str) -> dict[str, Any]:
    """The issuer's public profile (no DID): who signs, and where the keys are."""
    return {
        "@context": CONTEXTS,
        "id": issuer.id,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
        "jwks_uri": jwks_url,
    }


def learner_name_of(payload: dict[str, Any]) -> str:
    """The name the credential was issued to ('' when it names none)."""
    subject = payload.get("credentialSubject")
    identifiers = subject.get("identifier", []) if isinstance(subject, dict) else []
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, dict) and identifier.get("identityType") == "name":
            return str(identifier.get("identityHash", ""))
    return ""


@dataclass(frozen=True)
class CriteriaSection:
    heading: str
    criteria: list[str]


def narrative_sections(narrative: str) -> tuple[str, list[CriteriaSection]]:
    """The criteria narrative read back for a page: its opening words, then each framework's
    heading and criteria (as ``criteria_narrative`` writes them)."""
    opening: list[str] = []
    sections: list[CriteriaSection] = []
    for block in narrative.split("\n\n"):
        block = block.strip()
        if block.startswith("**") and block.endswith("**"):
            sections.append(CriteriaSection(heading=block.strip("*"), criteria=[]))
        elif block.startswith("- ") and sections:
            sections[-1].criteria.extend(line[2:] for line in block.splitlines() if line.startswith("- "))
        elif block:
            opening.append(block)
    return " ".join(opening), sections


def achievement_of(payload: dict[str, Any]) -> dict[str, Any]:
    subject = payload.get("credentialSubject")
    found = subject.get("achievement") if isinstance(subject, dict) else None
    return found if isinstance(found, dict) else {}


@dataclass(frozen=True)
class PublicFacts:
    """All a public page shows of a credential: nothing else of the portfolio."""

    issuer_name: str
    issuer_id: str
    learner_name: str
    achievement_name: str
    achievement_description: str
    criteria_opening: str
    criteria: list[CriteriaSection]
    valid_from: datetime | None


def erased_facts(credential: Any, issuer: Issuer) -> PublicFacts:
    """What the public page of a credential erased on the learner's request still shows: the
    achievement and the issuer, with no name (the signed token that carried it is gone)."""
    return PublicFacts(
        issuer_name=issuer.name,
        issuer_id=issuer.id,
        learner_name="",
        achievement_name=credential.achievement_name,
        achievement_description="",
        criteria_opening="",
        criteria=[],
        valid_from=credential.issued_at,
    )


def public_facts(payload: dict[str, Any]) -> PublicFacts:
    issuer_claim = payload.get("issuer")
    issuer_facts = issuer_claim if isinstance(issuer_claim, dict) else {"id": issuer_claim}
    found = achievement_of(payload)
    criteria = found.get("criteria")
    narrative = criteria.get("narrative", "") if isinstance(criteria, dict) else ""
    opening, sections = narrative_sections(str(narrative))
    try:
        valid_from: datetime | None = datetime.fromisoformat(str(payload.get("validFrom")))
    except ValueError:
        valid_from = None
    return PublicFacts(
        issuer_name=str(issuer_facts.get("name", "")),
        issuer_id=str(issuer_facts.get("id", "")),
        learner_name=learner_name_of(payload),
        achievement_name=str(found.get("name", "")),
        achievement_description=str(found.get("description", "")),
        criteria_opening=opening,
        criteria=sections,
        valid_from=valid_from,
    )
