"""The retention policy, as data: how long each kind of record about a learner is kept, what
happens to it then, and why (docs/data-protection.md explains it in words).

Periods run from the learner's **end date** (``privacy.selectors.learner_status``): the day
their portfolio was signed off (certification), or, for a learner never signed off, the later
of their cohort's end date and their last activity. A learner still active (a cohort that has
not ended, a version waiting for its assessment) is never touched.

``RETENTION`` is the one table the scheduled job and erasure on request read. Its order is the
order things are deleted in: records that refer to others come before the records they refer
to (a decision before its version, a version before its portfolio). A pattern ``app.*`` stands
for every registered kind of that app not named on its own row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Action(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"
    KEEP = "keep"  # kept as long as the learner's account row exists: holds no name


@dataclass(frozen=True)
class Policy:
    name: str
    keep_for: timedelta
    action: Action
    on_request: bool  # erased at once when the learner asks, whatever is left of the period
    why: str
    # What erasure on request does before the period ends, if not ``action`` (the period's end
    # still does ``action``).
    on_request_action: Action | None = None

    def action_for(self, *, due: bool) -> Action:
        return self.action if due or self.on_request_action is None else self.on_request_action


YEAR = timedelta(days=365)

# What the awarding organisation requires the centre to keep, so that a moderator or an appeal
# can check a certificate: 3 years after certification (UK GDPR art. 6(1)(c) and 17(3)(b)).
ASSESSMENT_RECORD = Policy(
    name="Assessment record",
    keep_for=3 * YEAR,
    action=Action.DELETE,
    on_request=False,
    why="The awarding organisation requires the centre to keep the assessed record for 3 years "
    "after certification: each submitted version as it was frozen with its digest, the signed "
    "declaration, the assessor's decisions and sign-off, quality assurance samples and the "
    "audit trail. It is kept until then even if the learner asks for erasure.",
)
# The learner's working copy: needed while they may resubmit or appeal, then not at all.
WORKING_COPY = Policy(
    name="Working portfolio",
    keep_for=YEAR,
    action=Action.DELETE,
    on_request=True,
    why="The learner's working portfolio (evidence, files, steps, testimony, drafts, PDFs, "
    "notifications) is kept for a year after the end, in case of a resubmission or an appeal; "
    "what the assessment relied on is already frozen in the submitted versions.",
)
ACCOUNT = Policy(
    name="Account",
    keep_for=YEAR,
    action=Action.ANONYMISE,
    on_request=True,
    why="The account is anonymised (no name, e-mail, username or password) rather than "
    "deleted, so that the kept assessment record still has an author to point at.",
)
# The learner's verifiable credential (docs/credentials.md): the public statement of the same
# achievement, which the learner relies on as long as the record behind it exists.
CREDENTIAL = Policy(
    name="Verifiable credential",
    keep_for=3 * YEAR,
    action=Action.DELETE,
    on_request=True,
    on_request_action=Action.ANONYMISE,
    why="The verifiable credential (the signed Open Badge issued at sign-off) states the "
    "achievement the assessment record proves, so it is kept as long as that record, 3 years "
    "after certification, and deleted with it. If the learner asks for erasure before then, it "
    "is revoked and loses their name and the signed copy at once: its public page then says "
    "only that it is revoked, without a name, and a copy shared earlier is answered as revoked.",
)
TRAIL = Policy(
    name="Data protection trail",
    keep_for=timedelta(0),
    action=Action.KEEP,
    on_request=False,
    why="The record of what was given, anonymised and deleted, and when (accountability, UK GDPR "
    "art. 5(2)); it names the learner by account id only.",
)


@dataclass(frozen=True)
class Rule:
    pattern: str  # a model label ("portfolio.export") or an app ("evidence.*")
    policy: Policy


RETENTION: tuple[Rule, ...] = (
    # The working portfolio, leaves first.
    Rule("portfolio.formdraft", WORKING_COPY),
    Rule("portfolio.editrevision", WORKING_COPY),
    Rule("portfolio.notification", WORKING_COPY),
    Rule("portfolio.export", WORKING_COPY),
    Rule("privacy.subjectaccessarchive", WORKING_COPY),
    Rule("evidence.*", WORKING_COPY),
    Rule("strategy.*", WORKING_COPY),
    Rule("audit.*", WORKING_COPY),
    Rule("portfolio.invitation", WORKING_COPY),
    Rule("portfolio.membership", WORKING_COPY),
    Rule("lti.*", WORKING_COPY),  # the platform account, the result sent, a launch's ticket
    # Sign-on identities, addresses, authenticators (sso/subject_data.py): go when the account is.
    Rule("account.*", ACCOUNT),
    Rule("socialaccount.*", ACCOUNT),
    Rule("mfa.*", ACCOUNT),
    Rule("portfolio.user", ACCOUNT),
    # The assessment record, leaves first; the portfolio row itself goes last.
    Rule("portfolio.qualitysample", ASSESSMENT_RECORD),
    Rule("assessment.annotation", ASSESSMENT_RECORD),
    Rule("assessment.threadmessage", ASSESSMENT_RECORD),
    Rule("assessment.thread", ASSESSMENT_RECORD),
    Rule("portfolio.eqafinding", ASSESSMENT_RECORD),
    Rule("portfolio.eqaaccesslog", ASSESSMENT_RECORD),
    Rule("audit.versiondataset", ASSESSMENT_RECORD),
    Rule("portfolio.versionfile", ASSESSMENT_RECORD),
    Rule("portfolio.versionoutcome", ASSESSMENT_RECORD),
    Rule("portfolio.criteriondecision", ASSESSMENT_RECORD),
    Rule("portfolio.auditentry", ASSESSMENT_RECORD),
    Rule("credentials.credential", CREDENTIAL),  # refers to its version (protected)
    Rule("portfolio.portfolioversion", ASSESSMENT_RECORD),
    Rule("portfolio.portfolio", ASSESSMENT_RECORD),
    Rule("privacy.privacyentry", TRAIL),
)


def rule_for(label: str) -> Rule | None:
    """The row of the table for a registered kind: its own, else its app's pattern."""
    exact = {rule.pattern: rule for rule in RETENTION}
    return exact.get(label) or exact.get(f"{label.split('.')[0]}.*")


def ordered_labels(labels: list[str]) -> list[str]:
    """The registered kinds in the table's order (wildcards expanded in the registry's order)."""
    position = {}
    for label in labels:
        rule = rule_for(label)
        if rule is not None:
            position[label] = RETENTION.index(rule)
    return sorted(position, key=lambda label: (position[label], labels.index(label)))
