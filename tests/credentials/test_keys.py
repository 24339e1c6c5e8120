"""The signing key: read from a setting or a file, made for development by a command, never
published with its private part, and missed loudly in production."""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.core.management import call_command
from joserfc.jwk import ECKey

from credentials import keys
from credentials.checks import signing_key_is_set


def test_a_pem_key_is_read_as_well_as_a_jwk(settings, signing_key):
    settings.CREDENTIAL_SIGNING_KEY = signing_key.as_pem(private=True).decode()

    assert keys.key_id(keys.signing_key()) == signing_key.thumbprint()


def test_a_key_of_another_curve_is_refused(settings):
    settings.CREDENTIAL_SIGNING_KEY = json.dumps(ECKey.generate_key("P-384").as_dict(private=True))

    with pytest.raises(ValueError, match="P-256"):
        keys.signing_key()


def test_the_command_writes_a_private_key_file_once(settings, tmp_path):
    settings.CREDENTIAL_SIGNING_KEY = ""
    settings.CREDENTIAL_SIGNING_KEY_FILE = str(tmp_path / "var" / "key.jwk")
    out = io.StringIO()

    call_command("credential_key", stdout=out)
    first = (tmp_path / "var" / "key.jwk").read_text()
    call_command("credential_key", stdout=out)

    assert (tmp_path / "var" / "key.jwk").read_text() == first
    assert stat.S_IMODE((tmp_path / "var" / "key.jwk").stat().st_mode) == 0o600
    assert "already configured" in out.getvalue()
    assert keys.key_id(keys.signing_key()) == keys.import_key(first).thumbprint()


def test_the_command_prints_only_the_public_key(settings, signing_key):
    out = io.StringIO()

    call_command("credential_key", "--public", stdout=out)

    printed = json.loads(out.getvalue().strip().splitlines()[-1])
    assert printed["kid"] == signing_key.thumbprint()
    assert "d" not in printed


def test_a_deployment_without_a_key_fails_the_deploy_check(settings, tmp_path):
    assert signing_key_is_set() == []
    settings.CREDENTIAL_SIGNING_KEY = ""

    assert [error.id for error in signing_key_is_set()] == ["credentials.E001"]


def test_without_a_key_in_production_signing_refuses(settings):
    settings.CREDENTIAL_SIGNING_KEY, settings.TESTING, settings.DEBUG = "", False, False

    with pytest.raises(keys.CredentialKeyMissing):
        keys.signing_key()
    assert keys.jwks() == {"keys": []}


def test_in_development_a_key_file_is_made_when_none_is_set(settings, tmp_path):
    settings.CREDENTIAL_SIGNING_KEY, settings.TESTING, settings.DEBUG = "", False, True
    settings.CREDENTIAL_SIGNING_KEY_FILE = str(tmp_path / "dev.jwk")

    key = keys.signing_key()

    assert keys.key_id(keys.signing_key()) == keys.key_id(key)  # the file is read from then on
