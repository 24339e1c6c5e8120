"""Checking a VC-JWT that someone pasted or uploaded: is it one of ours, intact and standing?

The order matters: the token's shape first (without trusting any of it), then the algorithm
(ES256 only: ``none`` and anything else refused before a key is looked at), then the key named
by ``kid`` among this centre's published keys, then the signature, and only then the claims it
carries (the issuer, the credential on record, revocation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError

from credentials import keys
from credentials.models import Credential

# A credential of ours is a few kilobytes; anything far longer is refused unread.
MAX_TOKEN_LENGTH = 64 * 1024
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class Verdict(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    NOT_A_CREDENTIAL = "not_a_credential"
    REFUSED_ALGORITHM = "refused_algorithm"
    UNKNOWN_KEY = "unknown_key"
    INVALID_SIGNATURE = "invalid_signature"
    WRONG_ISSUER = "wrong_issuer"
    NOT_ON_RECORD = "not_on_record"


MESSAGES = {
    Verdict.VALID: "Valid: issued by this centre, unaltered, and not revoked.",
    Verdict.REVOKED: "Revoked: this credential was issued by this centre but has since been revoked.",
    Verdict.NOT_A_CREDENTIAL: "Not a credential: paste the whole .jwt file, three parts separated by dots.",
    Verdict.REFUSED_ALGORITHM: "Refused: it is not signed with ES256, the only algorithm accepted.",
    Verdict.UNKNOWN_KEY: "Unknown key: it was not signed with any key this centre publishes.",
    Verdict.INVALID_SIGNATURE: (
        "Invalid signature: the credential has been altered since it was signed, or was not signed "
        "by this centre."
    ),
    Verdict.WRONG_ISSUER: "Wrong issuer: the credential names an issuer other than this centre.",
    Verdict.NOT_ON_RECORD: "Not on record: the signature is good but this centre has no such credential.",
}


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    credential: Credential | None = None
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.verdict]

    @property
    def is_valid(self) -> bool:
        return self.verdict == Verdict.VALID


def verify_token(text: str, *, issuer_id: str) -> Verification:
    token = (text or "").strip()
    if len(token) > MAX_TOKEN_LENGTH or not COMPACT_JWS.fullmatch(token):
        return Verification(Verdict.NOT_A_CREDENTIAL)
    try:
        header = jws.extract_compact(token.encode("ascii")).protected
    except (JoseError, ValueError):
        # The header no longer decodes: damaged or altered.
        return Verification(Verdict.INVALID_SIGNATURE)
    if header.get("alg") != keys.ALGORITHM:
        return Verification(Verdict.REFUSED_ALGORITHM)
    kid = header.get("kid")
    key = keys.public_keys().get(kid.rsplit("#", 1)[-1]) if isinstance(kid, str) else None
    if key is None:
        return Verification(Verdict.UNKNOWN_KEY)
    try:
        claims = dict(jwt.decode(token, key, algorithms=[keys.ALGORITHM]).claims)
    except (JoseError, ValueError):
        return Verification(Verdict.INVALID_SIGNATURE)
    stated_issuer = claims.get("issuer")
    stated_issuer_id = stated_issuer.get("id") if isinstance(stated_issuer, dict) else stated_issuer
    if claims.get("iss") != issuer_id or stated_issuer_id != issuer_id:
        return Verification(Verdict.WRONG_ISSUER, claims=claims)
    credential_id = claims.get("jti") if claims.get("jti") == claims.get("id") else None
    public_id = credential_id.removeprefix("urn:uuid:") if isinstance(credential_id, str) else ""
    credential = Credential.objects.filter(public_id=public_id).first() if _is_uuid(public_id) else None
    if credential is None:
        return Verification(Verdict.NOT_ON_RECORD, claims=claims)
    if credential.is_revoked:
        return Verification(Verdict.REVOKED, credential=credential, claims=claims)
    return Verification(Verdict.VALID, credential=credential, claims=claims)


def _is_uuid(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text))
