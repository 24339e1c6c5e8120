from __future__ import annotations

from django.contrib import admin

from lti.models import CourseLink, GradeSync, LtiAccount, Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "client_id", "teacher_role", "trust_email", "active"]
    list_filter = ["active", "teacher_role"]


@admin.register(CourseLink)
class CourseLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "context_id", "registration", "cohort", "roster_synced_at"]
    raw_id_fields = ["cohort"]


@admin.register(LtiAccount)
class LtiAccountAdmin(admin.ModelAdmin):
    list_display = ["sub", "registration", "user", "linked_at"]
    raw_id_fields = ["user"]


@admin.register(GradeSync)
class GradeSyncAdmin(admin.ModelAdmin):
    list_display = ["portfolio", "score", "signed_off", "sent_at", "last_error"]
    raw_id_fields = ["portfolio"]
