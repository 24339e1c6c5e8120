"""The demo cohort's pages, named: built once and visited by the accessibility scan and by the
test that no page shows template source.

Four learners: rich, waiting for review, returned, signed off; an upload waiting for its
columns, one whose preview shows problems, and a failed export, so the error states have a page.
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
    return urls
