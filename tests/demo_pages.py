"""The demo cohort's pages, named: built once and visited by the accessibility scan and by the
test that no page shows template source.

Four learners: rich, waiting for review, returned, signed off; an upload waiting for its
columns, one whose preview shows problems, and a failed export, so the error states have a page;
an external quality assurer with access to the signed-off learner, a pending witness request, a
pending EQA access and invitation (their links, valid and not), a learner in no cohort yet.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from strategy.steps import STEP_NAMES as STRATEGY_STEPS

EVIDENCE_KINDS = ("file", "reflection", "link", "transcript")


def demo_urls() -> dict[str, str]:
    """Build the demo (four learners: rich, waiting for review, returned, signed off) and name its pages."""
    from audit import services as audit_services
    from audit.steps import STEPS
    from audit.synthetic import interactions_csv
    from core.models import Export, Portfolio
    from demo.people import build_demo
    from evidence.models import RECORD_KINDS, Evidence

    demo = build_demo(learners=4)
    cohort = demo.cohort
    amira = Portfolio.objects.get(cohort=cohort, learner__username="learner")
    tom = Portfolio.objects.get(cohort=cohort, learner__username="learner2")
    chloe = Portfolio.objects.get(cohort=cohort, learner__username="learner3")
    signed_off = Portfolio.objects.get(cohort=cohort, learner__username="learner4")
    learner = amira.learner

    # An upload waiting for its columns (a header the presets do not know), and one mapped
    # with a row the checks refuse, so the preview shows its problems table.
    renamed = interactions_csv(40).replace(b"received_at", b"Created", 1)
    unmapped = audit_services.upload_service_data(
        portfolio=amira, upload=SimpleUploadedFile("inbox.csv", renamed, "text/csv"), actor=learner
    )
    bad = interactions_csv(40) + b"Myspace,2026-01-05 10:00\n"
    checked = audit_services.upload_service_data(
        portfolio=amira, upload=SimpleUploadedFile("inbox-2.csv", bad, "text/csv"), actor=learner
    )
    audit_services.map_columns(
        service_import=checked, columns=checked.columns, formats=checked.formats, save_as="", actor=learner
    )
    imported = amira.service_imports.filter(status="done").first()
    failed_export = Export.objects.create(
        portfolio=amira,
        requested_by=learner,
        status=Export.Status.FAILED,
        content_key="a11y",
        error="The storage could not be reached.",
    )

    evidence = {kind: amira.evidence.filter(kind=kind).first() for kind in Evidence.Kind.values}
    transcript = evidence[Evidence.Kind.TRANSCRIPT]
    # One of the learner's own items (an assessor's record is mapped on its own page).
    mapped = amira.evidence.exclude(kind__in=RECORD_KINDS).filter(mappings__isnull=False).first()
    criterion = mapped.mappings.first().criterion
    a, e = f"/portfolios/{amira.pk}/audit", f"/portfolios/{amira.pk}/evidence"
    urls = {
        "login": "/accounts/login/",
        "mfa_index": "/accounts/2fa/",
        "mfa_activate_totp": "/accounts/2fa/totp/activate/",
        "signup_closed": "/accounts/signup/",
        "sso_cancelled": "/accounts/social/cancelled/",
        "sso_error": "/accounts/social/error/",
        "account_inactive": "/accounts/inactive/",
        "password_reset": "/accounts/password_reset/",
        "not_found": "/no-such-page/",
        "portfolio": f"/portfolios/{amira.pk}/",
        **{f"audit_{step.slug}": f"{a}/{step.slug}/" for step in STEPS},
        **{f"strategy_{step}": f"/portfolios/{amira.pk}/strategy/{step}/" for step in STRATEGY_STEPS},
        "strategy_pitch_presentation": f"/portfolios/{amira.pk}/strategy/pitch/presentation/",
        "evidence_list": f"{e}/",
        **{f"evidence_add_{kind}": f"{e}/add/{kind}/" for kind in EVIDENCE_KINDS},
        "evidence_file": f"{e}/{evidence[Evidence.Kind.FILE].pk}/",
        "evidence_transcript": f"{e}/{transcript.pk}/",
        "transcript_editor": f"{e}/{transcript.pk}/edit/",
        "evidence_observation": f"{e}/{evidence[Evidence.Kind.OBSERVATION].pk}/",
        "observation_form": f"{e}/{evidence[Evidence.Kind.OBSERVATION].pk}/observation/",
        "evidence_discussion": f"{e}/{evidence[Evidence.Kind.DISCUSSION].pk}/",
        "discussion_form": f"{e}/{evidence[Evidence.Kind.DISCUSSION].pk}/discussion/",
        "evidence_questioning": f"{e}/{evidence[Evidence.Kind.QUESTIONING].pk}/",
        "questioning_form": f"{e}/{evidence[Evidence.Kind.QUESTIONING].pk}/questioning/",
        "questioning_add": f"{e}/records/questioning/",
        "questioning_answer": f"{e}/{evidence[Evidence.Kind.QUESTIONING].pk}/answers/",
        "evidence_mappings": f"{e}/{mapped.pk}/mappings/",
        "coverage": f"{e}/coverage/",
        "criterion_mappings": f"{e}/criteria/{criterion.pk}/",
        "readiness": f"/portfolios/{amira.pk}/readiness/",
        "submit": f"/portfolios/{amira.pk}/submit/",
        "data_home": f"{a}/data/",
        "data_map": f"{a}/data/{unmapped.pk}/map/",
        "data_preview": f"{a}/data/{checked.pk}/preview/",
        "data_status": f"{a}/data/{imported.pk}/",
        "kpis": f"{a}/kpis/",
        "exports": f"/portfolios/{amira.pk}/exports/",
        "export_status": f"/portfolios/{amira.pk}/exports/{failed_export.pk}/",
        "notifications": "/notifications/",
        "password_change": "/accounts/password_change/",
        "assessor_home": "/assessor/",
        "review_queue": "/assessment/queue/",
        "marking": f"/portfolios/{tom.pk}/versions/1/",
        "workspace": f"/portfolios/{tom.pk}/versions/1/workspace/",
        "signed_off_workspace": f"/portfolios/{signed_off.pk}/versions/1/workspace/",
        "returned_version": f"/portfolios/{chloe.pk}/versions/1/",
        "version_changes": f"/portfolios/{signed_off.pk}/versions/1/changes/",
        "qa_actions": "/assessment/quality-actions/",
        "trail": f"/portfolios/{signed_off.pk}/trail/",
        "tutor_home": "/tutor/",
        "cohort": f"/cohorts/{cohort.pk}/",
        "cohort_dashboard": f"/cohorts/{cohort.pk}/dashboard/",
        "cohort_new": "/cohorts/new/",
        "cohort_edit": f"/cohorts/{cohort.pk}/edit/",
        "cohort_criteria": f"/cohorts/{cohort.pk}/criteria/",
        "iqa_home": "/quality/",
        "qa_sampling": "/quality/sampling/",
        "signed_off_version": f"/portfolios/{signed_off.pk}/versions/1/",
    }
    urls |= _more_urls(cohort, amira=amira, signed_off=signed_off, evidence=evidence)
    return urls


def _more_urls(cohort, *, amira, signed_off, evidence) -> dict[str, str]:
    """The pages beyond the accessibility scan's first list: the external quality assurer's,
    the links sent by e-mail (witness, invitation, EQA access; valid and not), threads,
    records, personal data, previews and the account pages after a change; the signed-off
    learner's credential (its public page, verification, the staff's list) and their data
    (the page, a finished archive, the staff's erasure preview)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from core import eqa, services
    from core.models import Invitation, Role, User
    from credentials import services as credentials
    from demo.people import add_demo_eqa
    from evidence import witness
    from evidence.models import Evidence
    from privacy import archive as archives

    grant = add_demo_eqa(cohort)
    tutor = cohort.created_by
    pending_grant = eqa.grant_eqa_access(
        cohort=cohort,
        email="new.assurer@demo.example",
        ends_on=grant.last_day,
        portfolios=[signed_off],
        versions=[],
        purpose="",
        actor=tutor,
    )
    invitation = Invitation.objects.filter(
        cohort=cohort, accepted_at__isnull=True, revoked_at__isnull=True
    ).first()
    signed = amira.witness_requests.exclude(evidence=None).first()
    pending_witness = witness.request_witness(
        portfolio=amira,
        actor=amira.learner,
        name="Sam Patel",
        job_title="Team leader",
        relationship="Manager",
        organisation="Fernleaf Home",
        email="sam.patel@demo.example",
        activity="The weekend rota's second month",
        criteria=list(signed.criteria.all()[:1]),
    )
    User.objects.get_or_create(
        username="newcomer", defaults={"role": Role.LEARNER, "first_name": "Noor", "last_name": "Hassan"}
    )
    version = signed_off.versions.get(number=1)
    criterion = version.decisions.first().criterion
    item = version.snapshot["parts"]["evidence"]["items"][0]["id"]
    stored = version.files.first()
    reflection = evidence[Evidence.Kind.REFLECTION]
    admin = User.objects.get(username="admin")
    # The credential the sign-off is owed (issued after the commit in the app; at once here,
    # and the same one if a live server's commit already issued it), and an archive made.
    credential = credentials.issue_credential(version=version)
    assert credential is not None
    requested = archives.request_archive(learner=signed_off.learner, actor=signed_off.learner)
    archive = archives.perform_archive(archive_id=requested.pk, claimant="demo-pages") or requested
    d, e = f"/portfolios/{signed_off.pk}", f"/portfolios/{amira.pk}/evidence"
    v = f"{d}/versions/1"
    return {
        "eqa_home": "/eqa/",
        "eqa_grant": f"/eqa/access/{grant.pk}/",
        "eqa_grants": f"/cohorts/{cohort.pk}/eqa/",
        "eqa_grant_manage": f"/cohorts/{cohort.pk}/eqa/{grant.pk}/",
        "eqa_accept": f"/eqa/join/{eqa.grant_token(pending_grant)}/",
        "eqa_accept_invalid": "/eqa/join/not-a-token/",
        "invitation": f"/invitations/{services.invitation_token(invitation)}/",
        "invitation_invalid": "/invitations/not-a-token/",
        "witness_list": f"{e}/witnesses/",
        "witness_new": f"{e}/witnesses/new/",
        "witness_check": f"{e}/witnesses/{signed.pk}/check/",
        "witness_testify": f"/witness/{witness.witness_token(pending_witness)}/",
        "witness_testify_invalid": "/witness/not-a-token/",
        "versions": f"/portfolios/{amira.pk}/versions/",
        "signed_off_versions": f"{d}/versions/",
        "criterion_thread": f"{v}/criteria/{criterion.pk}/thread/",
        "evidence_thread": f"{v}/evidence/{item}/thread/",
        "workspace_panel": f"{v}/workspace/criteria/{criterion.pk}/",
        "file_preview": f"{v}/files/{stored.pk}/preview/",
        "observation_add": f"{e}/records/observation/",
        "discussion_add": f"{e}/records/discussion/",
        "evidence_reflection": f"{e}/{reflection.pk}/",
        "evidence_edit": f"{e}/{reflection.pk}/edit/",
        "evidence_delete": f"{e}/{reflection.pk}/delete/",
        "personal_data": f"{e}/{evidence[Evidence.Kind.FILE].pk}/personal-data/",
        "readiness_step": f"/portfolios/{amira.pk}/readiness/steps/audit.organisation/",
        "cohort_progress": f"/cohorts/{cohort.pk}/dashboard/progress/",
        "notifications_count": "/notifications/count/",
        "pitch_presenter": f"/portfolios/{amira.pk}/strategy/pitch/presentation/?view=presenter",
        "learner_home": "/learner/",
        "password_change_done": "/accounts/password_change/done/",
        "password_reset_done": "/accounts/password_reset/done/",
        "password_reset_complete": "/accounts/reset/done/",
        "password_reset_confirm": (
            f"/accounts/reset/{urlsafe_base64_encode(force_bytes(admin.pk))}/"
            f"{default_token_generator.make_token(admin)}/"
        ),
        "password_reset_confirm_invalid": "/accounts/reset/MQ/not-a-token/",
        "credential_public": credential.get_absolute_url(),
        "credential_verify": reverse("credentials:verify"),
        "credentials_staff": reverse("credentials:staff_list"),
        "my_data": reverse("privacy:my_data"),
        "archive_status": reverse("privacy:archive_status", args=[archive.pk]),
        "erasure": reverse("privacy:erasure", args=[signed_off.learner.pk]),
    }


def empty_urls() -> dict[str, str]:
    """A cohort with nobody in it yet (its tutor is ``tutor``) and, in the demo cohort, a
    portfolio nothing has been done in (``beginner``'s): the pages as the first hour finds them.
    Call after ``demo_urls``."""
    from audit.steps import STEPS
    from core.models import Cohort, Portfolio, Role, User
    from demo.people import DEMO_COHORT_CODE

    demo = Cohort.objects.get(code=DEMO_COHORT_CODE)
    tutor = demo.created_by
    empty = Cohort.objects.create(
        code="empty", name="Starts next month", organisation="Northfield College", created_by=tutor
    )
    empty.memberships.create(user=tutor, role=Role.TUTOR)
    beginner = User.objects.create(username="beginner", role=Role.LEARNER, first_name="Ben", last_name="Ng")
    portfolio = Portfolio.objects.create(
        cohort=demo, learner=beginner, assessor=User.objects.get(username="assessor")
    )
    p, c = f"/portfolios/{portfolio.pk}", f"/cohorts/{empty.pk}"
    return {
        "empty_cohort": f"{c}/",
        "empty_cohort_dashboard": f"{c}/dashboard/",
        "empty_cohort_progress": f"{c}/dashboard/progress/",
        "empty_cohort_criteria": f"{c}/criteria/",
        "empty_cohort_edit": f"{c}/edit/",
        "empty_cohort_eqa": f"{c}/eqa/",
        "empty_portfolio": f"{p}/",
        **{f"empty_audit_{step.slug}": f"{p}/audit/{step.slug}/" for step in STEPS},
        **{f"empty_strategy_{step}": f"{p}/strategy/{step}/" for step in STRATEGY_STEPS},
        "empty_pitch_presentation": f"{p}/strategy/pitch/presentation/",
        "empty_pitch_presenter": f"{p}/strategy/pitch/presentation/?view=presenter",
        "empty_evidence": f"{p}/evidence/",
        "empty_coverage": f"{p}/evidence/coverage/",
        "empty_witnesses": f"{p}/evidence/witnesses/",
        "empty_readiness": f"{p}/readiness/",
        "empty_submit": f"{p}/submit/",
        "empty_versions": f"{p}/versions/",
        "empty_exports": f"{p}/exports/",
        "empty_data": f"{p}/audit/data/",
        "empty_kpis": f"{p}/audit/kpis/",
        "empty_trail": f"{p}/trail/",
    }
