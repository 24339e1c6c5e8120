"""URLs of the core: homes by role, cohorts, invitations, notifications, drafts and the tour.

No ``app_name``: ``config/urls.py`` joins these patterns with the other apps' under the one
``portfolio`` namespace the templates and links have always used.
"""

from __future__ import annotations

from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("drafts/", views.draft_save, name="draft_save"),
    path("drafts/<int:pk>/discard/", views.draft_discard, name="draft_discard"),
    path("learner/", views.learner_home, name="learner_home"),
    path("tutor/", views.tutor_home, name="tutor_home"),
    path("quality/", views.iqa_home, name="iqa_home"),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
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
    path("cohorts/<int:pk>/eqa/", views.eqa_grants, name="eqa_grants"),
    path("cohorts/<int:pk>/eqa/<int:grant_pk>/", views.eqa_grant_manage, name="eqa_grant_manage"),
    path("cohorts/<int:pk>/eqa/<int:grant_pk>/end/", views.eqa_grant_end, name="eqa_grant_end"),
    path("eqa/", views.eqa_home, name="eqa_home"),
    path("eqa/access/<int:grant_pk>/", views.eqa_grant, name="eqa_grant"),
    path("eqa/access/<int:grant_pk>/findings/", views.eqa_finding, name="eqa_finding"),
    path("eqa/join/<str:token>/", views.eqa_accept, name="eqa_accept"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/count/", views.notifications_count, name="notifications_count"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("tour/done/", views.tour_done, name="tour_done"),
    path("tour/again/", views.tour_again, name="tour_again"),
    path("assets/plotly.css", views.plotly_stylesheet, name="plotly_css"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
