"""Credentials in the admin: read only (revocation has its own staff page, with a reason and
an audit entry), and each cohort's policy on quality assurance before issue."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from credentials.models import CohortCredentialPolicy, Credential


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["learner_name", "achievement_name", "issued_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["learner_name", "public_id"]
    readonly_fields = [field.name for field in Credential._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CohortCredentialPolicy)
class CohortCredentialPolicyAdmin(admin.ModelAdmin):
    list_display = ["cohort", "require_iqa"]
