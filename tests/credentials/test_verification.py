"""The verifier says valid only for an unaltered credential of this centre that is not revoked,
and names what is wrong otherwise; hostile input is refused unread."""

from __future__ import annotations

import base64
import json

import pytest
from joserfc import jwt

from credentials import keys, services
from credentials.verification import MAX_TOKEN_LENGTH, Verdict, verify_token

pytestmark = pytest.mark.django_db

ISSUER = "https://portfolio.example.ac.uk/credentials/issuer"


def _verify(token):
    return verify_token(token, issuer_id=ISSUER)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token):
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def _one_byte_altered(token: str) -> str:
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    changed = "B" if payload[middle] != "B" else "C"
    return ".".join([header, payload[:middle] + changed + payload[middle + 1 :], signature])


def test_a_good_credential_is_valid(credential):
    result = _verify(credential.token)

    assert result.verdict == Verdict.VALID
    assert result.credential == credential


def test_a_credential_altered_by_one_byte_is_invalid(credential):
    assert _verify(_one_byte_altered(credential.token)).verdict == Verdict.INVALID_SIGNATURE


def test_an_altered_signature_is_invalid(credential):
    header, payload, signature = credential.token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]

    assert _verify(f"{header}.{payload}.{flipped}").verdict == Verdict.INVALID_SIGNATURE


def test_a_changed_name_signed_with_another_key_is_an_unknown_key(credential):
    other = keys.generate_key()
    claims = {**_claims(credential.token), "name": "Something else"}
    forged = jwt.encode({"alg": "ES256", "kid": other.thumbprint()}, claims, other, algorithms=["ES256"])

    assert _verify(forged).verdict == Verdict.UNKNOWN_KEY


def test_another_key_posing_as_ours_fails_its_signature(credential, signing_key):
    other = keys.generate_key()
    header = {"alg": "ES256", "kid": f"x#{signing_key.thumbprint()}"}  # claims our key's id
    forged = jwt.encode(header, _claims(credential.token), other, algorithms=["ES256"])

    assert _verify(forged).verdict == Verdict.INVALID_SIGNATURE


def test_a_credential_naming_another_issuer_is_refused(credential, signing_key):
    claims = {**_claims(credential.token), "iss": "https://elsewhere.example/issuer"}
    claims["issuer"] = {**claims["issuer"], "id": "https://elsewhere.example/issuer"}
    token, _ = services.sign(claims)

    assert _verify(token).verdict == Verdict.WRONG_ISSUER


def test_a_credential_signed_by_us_but_not_on_record_says_so(credential):
    claims = {**_claims(credential.token), "id": "urn:uuid:00000000-0000-4000-8000-000000000000"}
    claims["jti"] = claims["id"]
    token, _ = services.sign(claims)

    assert _verify(token).verdict == Verdict.NOT_ON_RECORD


def test_a_revoked_credential_says_revoked(credential, staff):
    services.revoke_credential(credential=credential, reason="Issued in error.", actor=staff)

    assert _verify(credential.token).verdict == Verdict.REVOKED


def test_a_credential_signed_with_a_retired_key_still_verifies(settings, credential, signing_key):
    settings.CREDENTIAL_RETIRED_KEYS = json.dumps({"keys": [signing_key.as_dict(private=False)]})
    settings.CREDENTIAL_SIGNING_KEY = json.dumps(keys.generate_key().as_dict(private=True))  # rotated

    assert _verify(credential.token).verdict == Verdict.VALID
    assert len(keys.jwks()["keys"]) == 2


def test_a_retired_key_given_with_its_private_part_publishes_only_the_public_one(settings, signing_key):
    settings.CREDENTIAL_RETIRED_KEYS = json.dumps({"keys": [signing_key.as_dict(private=True)]})

    assert all("d" not in key for key in keys.jwks()["keys"])


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", "EdDSA"])
def test_any_algorithm_but_es256_is_refused(credential, signing_key, alg):
    header = _b64({"alg": alg, "kid": signing_key.thumbprint(), "typ": "JWT"})
    _, payload, signature = credential.token.split(".")

    assert _verify(f"{header}.{payload}.{signature}").verdict == Verdict.REFUSED_ALGORITHM
    assert _verify(f"{header}.{payload}.").verdict == Verdict.NOT_A_CREDENTIAL  # no signature at all


def test_an_hs256_token_keyed_with_our_public_key_is_refused(credential, signing_key):
    """The classic confusion: the public key used as an HMAC secret."""
    header = _b64({"alg": "HS256", "kid": signing_key.thumbprint()})
    body = credential.token.split(".")[1]

    assert _verify(f"{header}.{body}.c2lnbmF0dXJl").verdict == Verdict.REFUSED_ALGORITHM


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "hello",
        "a.b",
        "a.b.c.d",
        "<script>alert(1)</script>",
        "eyJhbGciOiJFUzI1NiJ9.e30.!!!",
        "\x00\x01.\x02.\x03",
        "é.é.é",
        "x" * (MAX_TOKEN_LENGTH + 1),
        "a." * 50_000,
    ],
)
def test_garbage_is_not_a_credential(db, garbage):
    assert _verify(garbage).verdict == Verdict.NOT_A_CREDENTIAL


@pytest.mark.parametrize(
    "header",
    [
        '"ES256"',
        "[1]",
        "null",
        '{"alg": "ES256"}',
        '{"alg": "ES256", "kid": 7}',
        '{"alg": "ES256", "kid": "KID", "crit": ["zzz"]}',
        '{"alg": "ES256", "kid": "KID", "b64": false, "crit": ["b64"]}',
        '{"alg": "ES256", "kid": "KID", "jku": "https://evil.example/jwks.json"}',
    ],
)
def test_a_hostile_header_is_never_valid(credential, signing_key, header):
    encoded = base64.urlsafe_b64encode(header.replace("KID", signing_key.thumbprint()).encode())
    _, payload, signature = credential.token.split(".")

    result = _verify(f"{encoded.rstrip(b'=').decode()}.{payload}.{signature}")

    assert result.verdict in {Verdict.INVALID_SIGNATURE, Verdict.UNKNOWN_KEY}


def test_a_header_that_is_not_json_is_invalid(credential):
    _, payload, signature = credential.token.split(".")

    assert _verify(f"bm90IGpzb24.{payload}.{signature}").verdict == Verdict.INVALID_SIGNATURE
