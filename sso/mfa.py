"""How allauth's MFA keeps secrets and which factors may be removed (sso.rules)."""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter, get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.forms import AddWebAuthnForm, AuthenticateWebAuthnForm
from cryptography.fernet import Fernet
from django import forms
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError

from sso.rules import KEEP_A_FACTOR, may_remove_factor


def _fernet() -> Fernet:
    key = hashlib.sha256(f"sso.mfa:{settings.MFA_ENCRYPTION_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": KEEP_A_FACTOR,
        # allauth says "Incorrect code." of a key too.
        "key_not_verified": (
            "Your security key’s answer could not be checked, so it was not accepted. Try the key "
            "again (one you added to this account), or use a code instead."
        ),
        "key_not_added": (
            "The key was not added: its answer could not be checked. Open this page again and retry."
        ),
    }

    def encrypt(self, text: str) -> str:
        # TOTP secrets and recovery-code seeds are encrypted at rest (allauth stores them plain).
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # allauth asks this only before an authenticator app is deactivated; the removal of a
        # security key is checked by sso.middleware.RequireMfaMiddleware, which asks it too.
        return may_remove_factor(authenticator) and super().can_delete_authenticator(authenticator)

    def generate_authenticator_name(self, user: AbstractBaseUser, type: Authenticator.Type) -> str:
        # allauth's "Master key" reads oddly in the list; a number tells them apart until renamed.
        count = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return "Security key" if count == 0 else f"Security key {count + 1}"


# What fido2 raises while it reads an answer that is not a key's (allauth catches only some of
# them, so a forged one would be a server error): each is the same refusal as a wrong key.
MALFORMED_ANSWER = (KeyError, TypeError, ValueError, AttributeError, IndexError, struct.error)


def _is_wrong_answer(error: ValidationError) -> bool:
    """allauth's "Incorrect code." said of a key (any other refusal, too many tries, stays)."""
    return getattr(error, "code", None) == "incorrect_code"


def _refuse_unreadable(form: forms.Form, code: str) -> None:
    """An answer that is not JSON, or none, is refused in the same words as a wrong one."""
    message = get_adapter().error_messages[code]
    form.fields["credential"].error_messages.update(required=message, invalid=message)


class AddSecurityKeyForm(AddWebAuthnForm):
    """allauth's form for a new key, with a bounded name that says what it is for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"] = forms.CharField(
            required=False,  # allauth names a key left unnamed
            max_length=64,
            label="Name of the key",
            help_text="So you can tell your keys apart: “Blue YubiKey”, “Work laptop”, “My phone”.",
        )
        _refuse_unreadable(self, "key_not_added")

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as error:
            if not _is_wrong_answer(error):
                raise
            raise get_adapter().validation_error("key_not_added") from error
        except MALFORMED_ANSWER as error:
            raise get_adapter().validation_error("key_not_added") from error


class AuthenticateSecurityKeyForm(AuthenticateWebAuthnForm):
    """The key at the log-in's second stage: a garbled answer is refused, never a server error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _refuse_unreadable(self, "key_not_verified")

    def clean_credential(self) -> Authenticator:
        try:
            return super().clean_credential()
        except ValidationError as error:
            if not _is_wrong_answer(error):
                raise
            raise get_adapter().validation_error("key_not_verified") from error
        except MALFORMED_ANSWER as error:
            raise get_adapter().validation_error("key_not_verified") from error


class ReauthenticateSecurityKeyForm(AuthenticateSecurityKeyForm):
    """The key again before a change to the account's factors (as allauth's own form)."""

    reauthenticated = True
    passwordless = False
