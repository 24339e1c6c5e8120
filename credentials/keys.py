"""The centre's signing key and the public keys a credential may be checked against.

The private key comes from ``CREDENTIAL_SIGNING_KEY`` (a JWK as JSON, or a PEM) or from the
file ``CREDENTIAL_SIGNING_KEY_FILE``. It is never in the repository: ``manage.py
credential_key`` (run by ``make run``) writes a development key under ``var/``; a test run
without one signs with a key made for the process. Production without a key issues nothing
(the check ``credentials.E001`` says so) and issues everything owed once a key is set.

Keys are ES256 (P-256): recommended by JOSE and read by every VC-JWT verifier, where EdDSA is
deprecated by RFC 9864 and its replacement ``Ed25519`` is not yet widely read.
Each key is named by its RFC 7638 thumbprint. Retired public keys (``CREDENTIAL_RETIRED_KEYS``,
a JWKS) stay published so credentials signed before a rotation still verify.
"""

from __future__ import annotations

import json
import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from joserfc.jwk import ECKey

log = logging.getLogger(__name__)

ALGORITHM = "ES256"
CURVE = "P-256"


class CredentialKeyMissing(Exception):
    """No signing key is configured, and this is not a development or test run."""


def generate_key() -> ECKey:
    return ECKey.generate_key(CURVE, private=True)


def import_key(text: str) -> ECKey:
    """A P-256 key from a JWK (JSON) or a PEM; ValueError when it is anything else."""
    text = text.strip()
    try:
        key = ECKey.import_key(json.loads(text) if text.startswith("{") else text)
    except Exception as exc:
        raise ValueError(f"The credential signing key cannot be read: {exc}") from None
    if key.as_dict(private=False).get("crv") != CURVE:
        raise ValueError("The credential signing key must be a P-256 (ES256) key.")
    return key


def write_key_file(path: Path, key: ECKey) -> None:
    """Write the private key as a JWK, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(key.as_dict(private=True), handle)


@lru_cache(maxsize=1)
def _process_key() -> ECKey:
    """A key for this test process only, when none is configured."""
    return generate_key()


def signing_key() -> ECKey:
    """The private key credentials are signed with now."""
    inline = getattr(settings, "CREDENTIAL_SIGNING_KEY", "")
    if inline:
        return import_key(inline)
    path = Path(settings.CREDENTIAL_SIGNING_KEY_FILE)
    if path.is_file():
        return import_key(path.read_text())
    if settings.TESTING:
        return _process_key()
    if settings.DEBUG:
        key = generate_key()
        write_key_file(path, key)
        log.warning("credentials: no signing key was set; a development key was written to %s", path)
        return key
    raise CredentialKeyMissing(
        "No credential signing key: set CREDENTIAL_SIGNING_KEY or CREDENTIAL_SIGNING_KEY_FILE."
    )


def key_id(key: ECKey) -> str:
    return key.thumbprint()


def _retired_keys() -> list[ECKey]:
    source = getattr(settings, "CREDENTIAL_RETIRED_KEYS", "")
    if not source:
        return []
    text = Path(source).read_text() if not source.lstrip().startswith("{") else source
    keys = []
    for entry in json.loads(text).get("keys", []):
        public = {name: value for name, value in entry.items() if name != "d"}  # never a private part
        keys.append(ECKey.import_key(public))
    return keys


def public_keys() -> dict[str, ECKey]:
    """Thumbprint → public key: the current key (when there is one) and every retired one."""
    keys: dict[str, ECKey] = {}
    try:
        current: ECKey | None = signing_key()
    except CredentialKeyMissing:
        current = None
    for key in ([current] if current else []) + _retired_keys():
        public = ECKey.import_key(key.as_dict(private=False))
        keys[key_id(public)] = public
    return keys


def jwks() -> dict[str, Any]:
    """The JSON Web Key Set the issuer publishes: public parts only."""
    return {
        "keys": [
            {**key.as_dict(private=False), "kid": kid, "alg": ALGORITHM, "use": "sig"}
            for kid, key in public_keys().items()
        ]
    }
