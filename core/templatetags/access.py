"""``{% if user|can_edit:portfolio %}``: the access gate's edit rule, for templates that are
not handed ``is_owner`` by their view (shared headers included from many pages)."""

from __future__ import annotations

from django import template

from core import access
from core.models import Portfolio, User

register = template.Library()


@register.filter
def can_edit(user: User, portfolio: Portfolio) -> bool:
    return access.can_edit(user, portfolio)
