"""The admin: the data protection trail (read only), the archives, and an action on people
that opens the erasure preview for one learner (``privacy.views.erasure_preview``)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from core.models import User
from privacy.models import PrivacyEntry, SubjectAccessArchive


@admin.action(description="Erase the selected learner on request (preview first)")
def erase_on_request(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, queryset: QuerySet[User]
) -> HttpResponse | None:
    if queryset.count() != 1:
        modeladmin.message_user(request, "Choose one learner to erase at a time.", messages.WARNING)
        return None
    return redirect("privacy:erasure", user_pk=queryset.get().pk)


# The people's admin is the core's; the action joins it from here, so the core names no app above it.
_people = admin.site.get_model_admin(User)
_people.actions = [*(_people.actions or ()), erase_on_request]


@admin.register(PrivacyEntry)
class PrivacyEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "subject_id", "action", "actor", "summary")
    list_filter = ("action",)
    search_fields = ("=subject_id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SubjectAccessArchive)
class SubjectAccessArchiveAdmin(admin.ModelAdmin):
    list_display = ("created_at", "learner", "status", "size", "expires_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in SubjectAccessArchive._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
