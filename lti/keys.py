"""The tool's RSA key pair: it signs the tool's requests for service tokens (NRPS, AGS), and its
public half is published at ``/lti/jwks.json`` for the platforms to check them.

The private key comes from ``LTI_PRIVATE_KEY`` (a PEM) or the file ``LTI_PRIVATE_KEY_FILE``.
It is never in the repository: a development run (``DEBUG``) writes one under ``var/`` on first
use; a test run signs with a key made for the process; production without one refuses to call
the platform's services (launches, which need no key of ours, still work).
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

log = logging.getLogger(__name__)


class ToolKeyMissing(Exception):
    """No private key is configured, and this is not a development or test run."""


def generate_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@lru_cache(maxsize=1)
def _process_pem() -> str:
    return generate_pem()


def private_pem() -> str:
    if settings.LTI_PRIVATE_KEY:
        return str(settings.LTI_PRIVATE_KEY)
    path = Path(settings.LTI_PRIVATE_KEY_FILE)
    if path.is_file():
        return path.read_text()
    if settings.TESTING:
        return _process_pem()
    if settings.DEBUG:
        pem = generate_pem()
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(pem)
        log.warning("lti: no tool key was set; a development key was written to %s", path)
        return pem
    raise ToolKeyMissing("Set LTI_PRIVATE_KEY or LTI_PRIVATE_KEY_FILE to call the platforms' services.")
