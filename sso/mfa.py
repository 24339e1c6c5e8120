"""How allauth's MFA keeps secrets and which factors may be removed."""

from __future__ import annotations

import base64
import hashlib

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.conf import settings

from sso.rules import mfa_required


def _fernet() -> Fernet:
    key = hashlib.sha256(f"sso.mfa:{settings.MFA_ENCRYPTION_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class MfaAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        # TOTP secrets and recovery-code seeds are encrypted at rest (allauth stores them plain).
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # A staff role keeps its authenticator app: it may replace it, not go without.
        if authenticator.type == Authenticator.Type.TOTP and mfa_required(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
