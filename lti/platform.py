"""pylti1p3 wired to our models: the registrations, and the OIDC state and nonce kept server-side.

The library's own Django session storage would lose the state whenever the platform shows the
tool in an iframe and the browser blocks third-party cookies (Safari, Chrome's tracking
protection), and it lets a nonce be used again. Here the login writes a ``LoginState`` row and
the launch uses it once: a replayed launch is refused, and a launch whose state cookie did not
come back can still be checked (``views.launch`` then asks to open the product in a window of
its own rather than logging in inside the iframe).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.cookie import DjangoCookieService
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration as LibRegistration
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfAbstract

from lti import keys
from lti.models import LoginState, Registration


class PlatformSession(requests.Session):
    """Every call to a platform (its JWKS, token, roster, gradebook) gives up after
    ``TIMEOUT`` seconds: requests waits forever by default, and a launch or a worker must not."""

    TIMEOUT = 10

    def request(self, method: str, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.TIMEOUT)
        return super().request(method, url, *args, **kwargs)


def library_registration(registration: Registration) -> LibRegistration:
    lib = (
        LibRegistration()
        .set_issuer(registration.issuer)
        .set_client_id(registration.client_id)
        .set_auth_login_url(registration.auth_login_url)
        .set_auth_token_url(registration.auth_token_url)
        .set_key_set_url(registration.key_set_url)
    )
    try:
        private = keys.private_pem()
    except keys.ToolKeyMissing:
        return lib  # a launch needs no key of ours; a service call says what is missing
    return lib.set_tool_private_key(private).set_tool_public_key(keys.public_pem(private))


class ToolConf(ToolConfAbstract[DjangoRequest]):
    """Registrations from the database: one issuer may have several client ids."""

    def __init__(self) -> None:
        self.issuers_relation_types = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _find(self, iss: str, client_id: str | None) -> Registration | None:
        found = Registration.objects.filter(issuer=iss, active=True)
        if client_id:
            found = found.filter(client_id=client_id)
        return found.order_by("pk").first()

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> LibRegistration | None:  # type: ignore[override]
        registration = self._find(iss, None)
        return library_registration(registration) if registration else None

    def find_registration_by_params(  # type: ignore[override]
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> LibRegistration | None:
        registration = self._find(iss, client_id)
        return library_registration(registration) if registration else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return None

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        registration = self._find(iss, client_id)
        if registration is None or deployment_id not in registration.deployments:
            return None
        return Deployment().set_deployment_id(deployment_id)


class StateService(SessionService):
    """The library's session service, storing the state and nonce as a ``LoginState`` row."""

    def __init__(self, request: DjangoRequest) -> None:
        self.request = request
        self.nonce: str | None = None
        self.login_state: LoginState | None = None

    def save_nonce(self, nonce: str) -> None:
        self.nonce = nonce  # written with its state by ``begin_login``

    def save_state_params(self, state: str, params: dict[str, object]) -> None:
        pass

    def check_state_is_valid(self, state: str, id_token_hash: str) -> bool:
        since = timezone.now() - timedelta(seconds=settings.LTI_LOGIN_SECONDS)
        self.login_state = LoginState.objects.filter(
            state=state, used_at__isnull=True, created_at__gte=since
        ).first()
        return self.login_state is not None

    def check_nonce(self, nonce: str) -> bool:
        # Used once: the update claims the row, so a second launch with the same token fails.
        if self.login_state is None or self.login_state.nonce != nonce:
            return False
        return bool(
            LoginState.objects.filter(pk=self.login_state.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
        )

    def set_state_valid(self, state: str, id_token_hash: str) -> None:
        pass  # the state was used up with the nonce

    def save_launch_data(self, key: str, jwt_body: Any) -> None:
        pass  # the launch is turned into our own rows at once; nothing is kept in a session

    def get_launch_data(self, key: str) -> Any:
        return None


class StateCookies(DjangoCookieService):
    """The state cookie, remembered so ``begin_login`` can store it with the nonce."""

    state: str | None = None

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self.state = str(value)
        super().set_cookie(name, value, exp)

    def update_response(self, response: Any) -> None:
        # Over HTTPS the library sends SameSite=None (needed inside the platform's iframe). Over
        # plain HTTP (development) a browser would take the missing attribute as Lax, or not,
        # depending on its age: say Lax, so a cross-site launch always meets the same answer.
        super().update_response(response)
        request: DjangoRequest = self._request  # type: ignore[assignment]  # set in __init__
        if not request.is_secure():
            cookies: dict[str, Any] = self._cookie_data_to_set or {}
            for key in cookies:
                response.cookies[key]["samesite"] = "Lax"


def begin_login(request: HttpRequest, *, launch_url: str) -> Any:
    """Answer a platform's OIDC login initiation: a redirect to its auth endpoint."""
    lti_request = DjangoRequest(request)
    sessions = StateService(lti_request)
    cookies = StateCookies(lti_request)
    login = DjangoOIDCLogin(lti_request, ToolConf(), session_service=sessions, cookie_service=cookies)
    redirect = login.get_redirect_object(launch_url)
    registration = Registration.objects.get(
        issuer=login.get_iss(), client_id=login.get_client_id(), active=True
    )
    LoginState.objects.create(
        registration=registration, state=cookies.state or "", nonce=sessions.nonce or ""
    )
    return redirect.do_redirect()


def check_launch(request: HttpRequest) -> tuple[DjangoMessageLaunch, LoginState]:
    """Validate the posted id_token with the library (state, nonce, registration, signature,
    deployment, message); raise ``LtiException`` when anything is wrong."""
    lti_request = DjangoRequest(request, post_only=True)
    sessions = StateService(lti_request)
    launch = DjangoMessageLaunch(
        lti_request, ToolConf(), session_service=sessions, requests_session=PlatformSession()
    )
    launch.validate()
    assert sessions.login_state is not None
    return launch, sessions.login_state


def state_cookie_came_back(request: HttpRequest) -> bool:
    state = request.POST.get("state", "")
    return bool(state) and request.COOKIES.get(f"lti1p3-{state}") == state
