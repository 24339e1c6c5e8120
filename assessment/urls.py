"""URLs of assessment: submission, versions, decisions, the trail and quality assurance.

No ``app_name``: ``config/urls.py`` joins these patterns with the other apps' under the one
``portfolio`` namespace the templates and links have always used.
"""

from __future__ import annotations

from django.urls import path

from assessment import thread_views, views, workspace_views

urlpatterns = [
    path("portfolios/<int:portfolio_pk>/submit/", views.submit, name="submit"),
    path("portfolios/<int:portfolio_pk>/versions/", views.versions, name="versions"),
    path("portfolios/<int:portfolio_pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/changes/",
        views.version_changes,
        name="version_changes",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/files/<int:file_pk>/",
        views.version_file,
        name="version_file",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/criteria/<int:criterion_pk>/decide/",
        workspace_views.decide,
        name="decide",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/workspace/",
        workspace_views.workspace,
        name="workspace",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/workspace/criteria/<int:criterion_pk>/",
        workspace_views.workspace_panel,
        name="workspace_panel",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/workspace/group/",
        workspace_views.decide_group,
        name="decide_group",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/files/<int:file_pk>/preview/",
        workspace_views.file_preview,
        name="version_file_preview",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/files/<int:file_pk>/preview/pages/<int:page>/",
        workspace_views.file_preview_page,
        name="version_file_page",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/outcome/",
        views.close_version,
        name="close_version",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/criteria/<int:criterion_pk>/thread/",
        thread_views.criterion_thread,
        name="criterion_thread",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/evidence/<int:evidence_id>/thread/",
        thread_views.evidence_thread,
        name="evidence_thread",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/evidence/<int:evidence_id>/annotations/",
        thread_views.annotate_evidence,
        name="annotate_evidence",
    ),
    path("portfolios/<int:portfolio_pk>/trail/", views.trail, name="trail"),
    path("assessment/quality-actions/", views.qa_actions, name="qa_actions"),
    path("assessment/quality-actions/<int:sample_pk>/answer/", views.qa_answer, name="qa_answer"),
    path("quality/sampling/", views.qa_sampling, name="qa_sampling"),
    path("quality/samples/<int:sample_pk>/finding/", views.qa_finding, name="qa_finding"),
]
