from __future__ import annotations

from typing import Any

from django import forms

from credentials.services import REASON_MAX_LENGTH
from credentials.verification import MAX_TOKEN_LENGTH


class VerifyForm(forms.Form):
    """A credential to check: pasted, or its .jwt file uploaded."""

    token = forms.CharField(
        label="Paste the credential",
        required=False,
        strip=True,
        max_length=MAX_TOKEN_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        help_text="The whole contents of the .jwt file: three parts separated by dots.",
    )
    file = forms.FileField(label="Or upload the .jwt file", required=False)

    def clean_file(self) -> str:
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if upload.size > MAX_TOKEN_LENGTH:
            raise forms.ValidationError("That file is far larger than any credential: choose the .jwt file.")
        try:
            return upload.read().decode("ascii")
        except UnicodeDecodeError:
            raise forms.ValidationError("That file is not a credential: choose the .jwt file.") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("token") and not data.get("file"):
            raise forms.ValidationError("Paste a credential or upload its .jwt file.")
        return data

    @property
    def submitted_token(self) -> str:
        return self.cleaned_data.get("file") or self.cleaned_data.get("token") or ""


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why is it revoked?",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the learner's audit trail and told to the learner; not shown publicly.",
    )
