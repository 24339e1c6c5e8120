"""The parts of allauth this site uses, under /accounts/ beside Django's own log-in pages.

Not allauth.urls whole: its sign-up, e-mail and password pages would stand beside ours. The
names allauth reverses for its own flows point at our pages (``account_login`` is our log-in).
"""

from __future__ import annotations

from allauth.account import views as account_views
from allauth.socialaccount import views as social_views
from allauth.socialaccount.providers.saml import views as saml_views
from django.contrib.auth import views as auth_views
from django.urls import include, path

from sso import views

urlpatterns = [
    path("accounts/login/", views.SsoLoginView.as_view(), name="login"),
    # Names allauth's flows and templates reverse, on the pages that serve them here.
    path("accounts/login/", views.SsoLoginView.as_view(), name="account_login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="account_logout"),
    path("accounts/reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("accounts/inactive/", account_views.account_inactive, name="account_inactive"),
    path("accounts/signup/", account_views.signup, name="account_signup"),  # answers "closed"
    # Not allauth's "connections" page: an identity links only as sso.adapters allows.
    path("accounts/social/cancelled/", social_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("accounts/social/error/", social_views.login_error, name="socialaccount_login_error"),
    path("accounts/social/signup/", social_views.signup, name="socialaccount_signup"),  # closed
    path("accounts/", include("allauth.socialaccount.providers.openid_connect.urls")),
    # SAML: allauth's views under its names, the end of the assertion's journey through ours.
    path("accounts/saml/<str:organization_slug>/acs/", saml_views.acs, name="saml_acs"),
    path("accounts/saml/<str:organization_slug>/acs/finish/", views.saml_finish_acs, name="saml_finish_acs"),
    path("accounts/saml/<str:organization_slug>/sls/", views.saml_single_logout, name="saml_sls"),
    path("accounts/saml/<str:organization_slug>/metadata/", saml_views.metadata, name="saml_metadata"),
    path("accounts/saml/<str:organization_slug>/login/", saml_views.login, name="saml_login"),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path(
        "invitations/<str:token>/sso/<str:provider_id>/",
        views.invitation_sso,
        name="invitation_sso",
    ),
]
