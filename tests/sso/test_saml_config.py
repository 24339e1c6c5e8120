"""SAML identity providers from the environment (config.sso.saml_apps)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.sso import SAML_ATTRIBUTES, saml_apps

CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
COLLEGE = {
    "SAML_IDPS": "college",
    "SAML_COLLEGE_NAME": "Northfield College",
    "SAML_COLLEGE_ENTITY_ID": "https://idp.northfield.ac.uk/idp/shibboleth",
    "SAML_COLLEGE_SSO_URL": "https://idp.northfield.ac.uk/idp/profile/SAML2/Redirect/SSO",
    "SAML_COLLEGE_X509CERT": CERT,
}


def test_none_without_saml_idps():
    assert saml_apps({}) == []


def test_each_idp_is_its_own_provider_with_strict_checks_and_no_trust_by_default():
    (app,) = saml_apps(COLLEGE)

    assert (app["provider_id"], app["client_id"], app["name"]) == (
        "saml-college",
        "college",
        "Northfield College",
    )
    settings = app["settings"]
    assert settings["idp"] == {
        "entity_id": "https://idp.northfield.ac.uk/idp/shibboleth",
        "sso_url": "https://idp.northfield.ac.uk/idp/profile/SAML2/Redirect/SSO",
        "x509cert": CERT,
    }
    assert settings["trust_email"] is False
    assert settings["attribute_mapping"] == SAML_ATTRIBUTES
    assert settings["advanced"]["strict"] is True
    assert settings["advanced"]["reject_idp_initiated_sso"] is True


def test_a_metadata_url_attributes_and_trust_can_be_set():
    environ = {
        "SAML_IDPS": "adfs",
        "SAML_ADFS_ENTITY_ID": "http://adfs.college.ac.uk/adfs/services/trust",
        "SAML_ADFS_METADATA_URL": "https://adfs.college.ac.uk/FederationMetadata/2007-06/FederationMetadata.xml",
        "SAML_ADFS_TRUST_EMAIL": "1",
        "SAML_ADFS_UID_ATTRIBUTES": "urn:oid:1.3.6.1.4.1.5923.1.1.1.6, upn",
        "SSO_REQUESTS_TIMEOUT": "4",
    }

    (app,) = saml_apps(environ)

    assert app["settings"]["idp"]["metadata_url"].endswith("FederationMetadata.xml")
    assert app["settings"]["idp"]["metadata_request_timeout"] == 4
    assert app["settings"]["trust_email"] is True
    assert app["settings"]["attribute_mapping"]["uid"] == ["urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "upn"]


@pytest.mark.parametrize(
    "environ",
    [
        {**COLLEGE, "SAML_COLLEGE_ENTITY_ID": ""},
        {**COLLEGE, "SAML_COLLEGE_X509CERT": ""},
        {**COLLEGE, "SAML_COLLEGE_ENCRYPTED": "1"},
        {**COLLEGE, "SAML_SP_CERT": CERT},
    ],
    ids=["no-entity-id", "no-certificate", "encrypted-without-a-key-pair", "half-a-key-pair"],
)
def test_a_half_configured_idp_stops_the_site_starting(environ):
    with pytest.raises(ImproperlyConfigured):
        saml_apps(environ)
