"""The sign-on and MFA records in the registry of personal data (``core.subject_data``).

Each is about one account: its addresses as allauth knows them, its linked sign-on identities
(the provider's subject and the claims it last sent), and its authenticator app and recovery
codes. The learner's archive gives them, without the secrets (the tokens, the TOTP secret and
the codes' seed). They go with the account: deleted when it is anonymised, on request or by
the retention table, so an anonymised account can no longer be signed into.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.db.models import Q, QuerySet

from core.subject_data import register_personal_records


def delete_rows(rows: QuerySet[Any], actor: Any) -> None:
    rows.delete()


# Anonymising deletes these rows, so every row still there is pending.
NONE_LEFT = Q(pk__in=[])


register_personal_records(EmailAddress, about=("user",), anonymise=delete_rows, anonymised=NONE_LEFT)
register_personal_records(
    EmailConfirmation,
    about=("email_address__user",),
    withheld=("key",),
    anonymise=delete_rows,
    anonymised=NONE_LEFT,
)
register_personal_records(SocialAccount, about=("user",), anonymise=delete_rows, anonymised=NONE_LEFT)
register_personal_records(
    SocialToken,
    about=("account__user",),
    withheld=("token", "token_secret"),
    anonymise=delete_rows,
    anonymised=NONE_LEFT,
)
register_personal_records(
    Authenticator, about=("user",), withheld=("data",), anonymise=delete_rows, anonymised=NONE_LEFT
)
