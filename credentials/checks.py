"""System checks: a deployment without a signing key issues no credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def signing_key_is_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.CREDENTIAL_SIGNING_KEY or Path(settings.CREDENTIAL_SIGNING_KEY_FILE).is_file():
        return []
    return [
        checks.Error(
            "No credential signing key: signed-off learners get no credential.",
            hint="Set CREDENTIAL_SIGNING_KEY or CREDENTIAL_SIGNING_KEY_FILE (manage.py credential_key).",
            id="credentials.E001",
        )
    ]
