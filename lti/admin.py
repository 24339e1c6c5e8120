from __future__ import annotations

from django.contrib import admin

from lti.models import CourseDeparture, CourseLink, GradeSync, LtiAccount, Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "client_id", "teacher_role", "trust_email", "active"]
    list_filter = ["active", "teacher_role"]


class DepartureInline(admin.TabularInline):
    model = CourseDeparture
    extra = 0
    raw_id_fields = ["account"]
    verbose_name_plural = "members who left the course (the roster no longer lists them as active)"


@admin.register(CourseLink)
class CourseLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "context_id", "registration", "cohort", "roster_synced_at", "roster_failed_at"]
    list_filter = ["registration"]
    raw_id_fields = ["cohort"]
    readonly_fields = ["roster_synced_at", "roster_failed_at", "roster_error", "lineitem_error"]
    inlines = [DepartureInline]


@admin.register(LtiAccount)
class LtiAccountAdmin(admin.ModelAdmin):
    list_display = ["sub", "registration", "user", "linked_at"]
    raw_id_fields = ["user"]


@admin.register(GradeSync)
class GradeSyncAdmin(admin.ModelAdmin):
    list_display = ["portfolio", "score", "signed_off", "sent_at", "last_error"]
    raw_id_fields = ["portfolio"]
