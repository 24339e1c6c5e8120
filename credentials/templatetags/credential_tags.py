"""The credential card on the portfolio's page, shown once its latest version is signed off."""

from __future__ import annotations

from typing import Any

from django import template

from core.models import PortfolioVersion
from credentials import selectors, services

register = template.Library()


@register.inclusion_tag("credentials/_card_body.html", takes_context=True)
def credential_card(
    context: dict[str, Any], version: PortfolioVersion | None, is_owner: bool
) -> dict[str, Any]:
    """The version's credential (one query); when it has none yet, whether it is held for
    quality assurance (three more) or about to be issued."""
    if version is None:
        return {}
    credential = selectors.credential_of_version(version)
    if credential is not None:
        request = context.get("request")
        url = credential.get_absolute_url()
        return {
            "credential": credential,
            "is_owner": is_owner,
            "share_url": request.build_absolute_uri(url) if request else url,
        }
    held = services.held_for_iqa(version)
    return {"held": held, "owed": not held}
