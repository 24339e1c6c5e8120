from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from core.models import (
    AuthEvent,
    Cohort,
    Criterion,
    CriterionGroup,
    CrosswalkLink,
    Framework,
    Invitation,
    Membership,
    Portfolio,
    User,
)


@admin.register(User)
class PortfolioUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (*UserAdmin.fieldsets, ("Role", {"fields": ("role",)}))


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ("code", "text", "order")


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "kind", "version", "imported_at")


@admin.register(CriterionGroup)
class CriterionGroupAdmin(admin.ModelAdmin):
    list_display = ("framework", "code", "title", "order")
    inlines = [CriterionInline]


@admin.register(CrosswalkLink)
class CrosswalkLinkAdmin(admin.ModelAdmin):
    list_display = ("source", "target")
    list_select_related = ("source", "target")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "organisation", "start_date", "end_date")
    inlines = [MembershipInline]


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = ("learner", "cohort", "assessor", "last_activity_at")
    list_select_related = ("learner", "cohort", "assessor")
    raw_id_fields = ("learner", "assessor")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "cohort", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    readonly_fields = ("nonce",)


@admin.register(AuthEvent)
class AuthEventAdmin(admin.ModelAdmin):
    """Failed log-ins and reset requests, to see who is being throttled; nothing to edit.

    To lift a pause early, delete that username's (or address's) failed log-ins here.
    """

    list_display = ("at", "kind", "username", "address")
    list_filter = ("kind",)
    search_fields = ("username", "address")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
