from __future__ import annotations

from django.urls import path

from portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("", views.home, name="home"),
    path("drafts/", views.draft_save, name="draft_save"),
    path("drafts/<int:pk>/discard/", views.draft_discard, name="draft_discard"),
    path("learner/", views.learner_home, name="learner_home"),
    path("assessor/", views.assessor_home, name="assessor_home"),
    path("tutor/", views.tutor_home, name="tutor_home"),
    path("quality/", views.iqa_home, name="iqa_home"),
    path("portfolios/<int:pk>/", views.portfolio_detail, name="portfolio_detail"),
    path("portfolios/<int:portfolio_pk>/readiness/", views.readiness_checklist, name="readiness"),
    path(
        "portfolios/<int:portfolio_pk>/readiness/steps/<str:key>/",
        views.readiness_step,
        name="readiness_step",
    ),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/dashboard/", views.cohort_dashboard, name="cohort_dashboard"),
    path("cohorts/<int:pk>/dashboard/progress/", views.cohort_progress, name="cohort_progress"),
    path("cohorts/<int:pk>/dashboard/export.csv", views.cohort_export_csv, name="cohort_export_csv"),
    path("cohorts/<int:pk>/dashboard/export.xlsx", views.cohort_export_xlsx, name="cohort_export_xlsx"),
    path("cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:pk>/criteria/", views.cohort_criteria, name="cohort_criteria"),
    path("cohorts/<int:pk>/invitations/", views.cohort_invite, name="cohort_invite"),
    path(
        "cohorts/<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "cohorts/<int:pk>/learners/<int:portfolio_pk>/assessor/",
        views.assign_assessor,
        name="assign_assessor",
    ),
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
        views.decide,
        name="decide",
    ),
    path(
        "portfolios/<int:portfolio_pk>/versions/<int:number>/outcome/",
        views.close_version,
        name="close_version",
    ),
    path("portfolios/<int:portfolio_pk>/trail/", views.trail, name="trail"),
    path("portfolios/<int:portfolio_pk>/exports/", views.exports, name="exports"),
    path("portfolios/<int:portfolio_pk>/exports/new/", views.export_request, name="export_request"),
    path("portfolios/<int:portfolio_pk>/exports/<int:export_pk>/", views.export_status, name="export_status"),
    path(
        "portfolios/<int:portfolio_pk>/exports/<int:export_pk>/download/",
        views.export_download,
        name="export_download",
    ),
    path("assessment/queue/", views.review_queue, name="review_queue"),
    path("assessment/quality-actions/", views.qa_actions, name="qa_actions"),
    path("assessment/quality-actions/<int:sample_pk>/answer/", views.qa_answer, name="qa_answer"),
    path("quality/sampling/", views.qa_sampling, name="qa_sampling"),
    path("quality/samples/<int:sample_pk>/finding/", views.qa_finding, name="qa_finding"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/count/", views.notifications_count, name="notifications_count"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("tour/done/", views.tour_done, name="tour_done"),
    path("tour/again/", views.tour_again, name="tour_again"),
    path("assets/plotly.css", views.plotly_stylesheet, name="plotly_css"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
