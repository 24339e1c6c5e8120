from __future__ import annotations

from django.urls import path

from evidence import privacy_views, record_views, views, witness_views

app_name = "evidence"

PREFIX = "portfolios/<int:portfolio_pk>/evidence/"

urlpatterns = [
    path(PREFIX, views.evidence_list, name="list"),
    path(f"{PREFIX}coverage/", views.coverage, name="coverage"),
    path(f"{PREFIX}add/<slug:kind>/", views.evidence_add, name="add"),
    path(f"{PREFIX}records/observation/", record_views.observation_add, name="observation_add"),
    path(f"{PREFIX}records/discussion/", record_views.discussion_add, name="discussion_add"),
    path(f"{PREFIX}records/questioning/", record_views.questioning_add, name="questioning_add"),
    path(f"{PREFIX}<int:pk>/", views.evidence_detail, name="detail"),
    path(f"{PREFIX}<int:pk>/observation/", record_views.observation_edit, name="observation_edit"),
    path(f"{PREFIX}<int:pk>/discussion/", record_views.discussion_edit, name="discussion_edit"),
    path(f"{PREFIX}<int:pk>/questioning/", record_views.questioning_edit, name="questioning_edit"),
    path(f"{PREFIX}<int:pk>/answers/", record_views.questioning_answer, name="questioning_answer"),
    path(f"{PREFIX}<int:pk>/confirm/", record_views.record_confirm, name="record_confirm"),
    path(
        f"{PREFIX}<int:pk>/attachments/<int:attachment_pk>/",
        record_views.record_attachment,
        name="record_attachment",
    ),
    path(f"{PREFIX}<int:pk>/edit/", views.evidence_edit, name="edit"),
    path(f"{PREFIX}<int:pk>/delete/", views.evidence_delete, name="delete"),
    path(f"{PREFIX}<int:pk>/file/", views.evidence_file, name="file"),
    path(f"{PREFIX}<int:pk>/mappings/", views.evidence_mappings, name="mappings"),
    path(f"{PREFIX}<int:pk>/mappings/add/", views.mapping_add, name="mapping_add"),
    path(f"{PREFIX}<int:pk>/personal-data/", privacy_views.panel, name="privacy_panel"),
    path(f"{PREFIX}<int:pk>/personal-data/scan/", privacy_views.scan, name="privacy_scan"),
    path(
        f"{PREFIX}<int:pk>/personal-data/not-personal/",
        privacy_views.not_personal,
        name="privacy_not_personal",
    ),
    path(
        f"{PREFIX}<int:pk>/personal-data/redaction/",
        privacy_views.redaction_prepare,
        name="redaction_prepare",
    ),
    path(
        f"{PREFIX}<int:pk>/personal-data/redaction/preview/",
        privacy_views.redaction_preview,
        name="redaction_preview",
    ),
    path(
        f"{PREFIX}<int:pk>/personal-data/redaction/confirm/",
        privacy_views.redaction_confirm,
        name="redaction_confirm",
    ),
    path(
        f"{PREFIX}<int:pk>/personal-data/redaction/discard/",
        privacy_views.redaction_discard,
        name="redaction_discard",
    ),
    path(f"{PREFIX}criteria/<int:criterion_pk>/", views.criterion_mappings, name="criterion"),
    path(f"{PREFIX}witnesses/", witness_views.witness_list, name="witness_list"),
    path(f"{PREFIX}witnesses/new/", witness_views.witness_new, name="witness_new"),
    path(f"{PREFIX}witnesses/<int:pk>/withdraw/", witness_views.witness_withdraw, name="witness_withdraw"),
    path(f"{PREFIX}witnesses/<int:pk>/check/", witness_views.witness_check, name="witness_check"),
    # Public: the signed, single-use token is the witness's only credential.
    path("witness/<str:token>/", witness_views.witness_testify, name="witness_testify"),
]
