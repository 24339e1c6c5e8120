"""``{% guided_page_nav "audit:data" %}``: the breadcrumb and the guided navigation on a stage's
pages that are not steps (the audit's service data and KPIs), as each step's page shows them, so
the learner moves between every part of the work from one place."""

from __future__ import annotations

from typing import Any

from django import template

from core.access import can_edit
from core.guided import navigation, stage_link

register = template.Library()


@register.inclusion_tag("guided/_page_nav.html", takes_context=True)
def guided_page_nav(context: template.Context, url_name: str, title: str = "") -> dict[str, Any]:
    """The stage page ``url_name`` (a registered stage link), or a page under it called ``title``."""
    link = stage_link(url_name)
    portfolio = context["portfolio"]
    return {
        "portfolio": portfolio,
        "link": link,
        "title": title,
        "can_edit": can_edit(context["request"].user, portfolio),
        "navigation": navigation(link.stage),
        "current_link": url_name,
        "across": True,
    }
