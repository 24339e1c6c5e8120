from __future__ import annotations

import json

import pytest

from assessment import services as assessment
from credentials import keys
from tests.portfolio.conftest import criteria, decide, filled, portfolio, version  # noqa: F401


@pytest.fixture
def signing_key():
    return keys.generate_key()


@pytest.fixture(autouse=True)
def _signing_key(settings, signing_key, tmp_path):
    """Every test signs with its own key; no key file of the developer's is read."""
    settings.CREDENTIAL_SIGNING_KEY = json.dumps(signing_key.as_dict(private=True))
    settings.CREDENTIAL_SIGNING_KEY_FILE = str(tmp_path / "absent.jwk")
    settings.CREDENTIAL_RETIRED_KEYS = ""
    settings.CREDENTIALS_REQUIRE_IQA = False
    settings.SITE_URL = "https://portfolio.example.ac.uk"


def sign_off(submitted, assessor, all_criteria, capture):
    """Every criterion met, then the sign-off; what waits for the commit runs."""
    for criterion in all_criteria:
        decide(submitted, criterion, assessor)
    with capture(execute=True):
        return assessment.sign_off_version(version=submitted, comment="Well done.", actor=assessor)


@pytest.fixture
def signed_off(version, assessor, criteria, django_capture_on_commit_callbacks):  # noqa: F811
    sign_off(version, assessor, criteria, django_capture_on_commit_callbacks)
    return version


@pytest.fixture
def credential(signed_off):
    return signed_off.credential
