"""Signed links for people who follow them from an e-mail: a centre's invitation, an external
assurer's account, a witness's testimony. The token names a row by its id and the random nonce
only the e-mail knows, signed with a salt of its own kind; whether the row can still be used
(accepted, withdrawn, expired) is the caller's to say."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing


class LinkRefused(Exception):
    """The token is not one of ours, or its signature is too old."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "invalid" or "expired"


def link_token(pk: int, nonce: str, *, salt: str, key: str = "i") -> str:
    return signing.dumps({key: pk, "n": nonce}, salt=salt, compress=True)


def read_link_token(token: str, *, salt: str, max_age: timedelta, key: str = "i") -> tuple[int, str]:
    """The (id, nonce) a token names; LinkRefused when it was changed, forged or is too old."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkRefused("expired") from None
    except signing.BadSignature:
        raise LinkRefused("invalid") from None
    if not isinstance(payload, dict) or not isinstance(payload.get(key), int):
        raise LinkRefused("invalid")
    return payload[key], str(payload.get("n", ""))
