"""The LTI endpoints: OIDC login initiation, launch, the tool's JWKS, and the ticket that opens a
launch in a window of its own.

CSRF: only the two requests the platform's page POSTs across sites are exempt. The launch's
id_token POST (OIDC ``form_post``) carries its own proof, checked by the library: the state and
nonce we issued (server-side, used once), the platform's signature, issuer, audience, expiry and
deployment. The login initiation may be POSTed by the platform too (the spec allows GET or POST)
and only writes a ``LoginState``; it signs no one in.

Framing: the product refuses to be framed (``X_FRAME_OPTIONS``). A launch shown in the platform's
iframe (``Sec-Fetch-Dest: iframe``), or whose state cookie was blocked as a third-party cookie,
is checked all the same, then answered with a framable page whose button opens the product in a
new window through a one-time ticket; a launch in a window of its own signs in at once (someone
with a second factor gives it first, as after a password).
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from allauth.account.internal.flows.login import perform_login
from allauth.account.models import Login
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.registration import Registration as LibRegistration

from core import outbox
from core.access import AuthenticatedHttpRequest, get_cohort_for
from core.models import User
from lti import keys, platform
from lti.models import CourseLink, LaunchTicket
from lti.services import LaunchRefused, accept_launch, queue_roster_read

log = logging.getLogger(__name__)
BACKEND = "core.throttling.ThrottledModelBackend"


def refused(request: HttpRequest, reason: str, *, status: int = 403) -> HttpResponse:
    return render(request, "lti/refused.html", {"reason": reason}, status=status)


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest) -> HttpResponse:
    try:
        return platform.begin_login(request, launch_url=request.build_absolute_uri(reverse("lti:launch")))
    except (OIDCException, LtiException) as error:
        log.info("lti: login initiation refused: %s", error)
        return refused(
            request, "This platform is not registered with us, or it sent an incomplete request.", status=400
        )


@csrf_exempt
@xframe_options_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    try:
        message, login_state = platform.check_launch(request)
    except (LtiException, OIDCException, AssertionError) as error:
        log.info("lti: launch refused: %s", error)
        return refused(
            request, f"The launch could not be checked ({error}). Open the activity again from your course."
        )
    try:
        landing = accept_launch(registration=login_state.registration, claims=dict(message.get_launch_data()))
    except LaunchRefused as error:
        return refused(request, str(error))
    framed = request.headers.get("Sec-Fetch-Dest") == "iframe"
    if framed or not platform.state_cookie_came_back(request):
        ticket = LaunchTicket.objects.create(
            token=secrets.token_urlsafe(32), user=landing.user, target=landing.url
        )
        return render(request, "lti/open_window.html", {"ticket": ticket})
    return _sign_in(request, landing.user, landing.url)


@require_GET
def open_ticket(request: HttpRequest, token: str) -> HttpResponse:
    """Redeem a launch's ticket in a window of its own: once, within ``LTI_LOGIN_SECONDS``."""
    since = timezone.now() - timedelta(seconds=settings.LTI_LOGIN_SECONDS)
    ticket = LaunchTicket.objects.select_related("user").filter(token=token, created_at__gte=since).first()
    claimed = ticket is not None and LaunchTicket.objects.filter(pk=ticket.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if ticket is None or not claimed or not ticket.user.is_active:
        return refused(
            request, "This link has been used or has expired. Open the activity again from your course."
        )
    return _sign_in(request, ticket.user, ticket.target)


def _sign_in(request: HttpRequest, user: User, target: str) -> HttpResponse:
    """Sign the person in and send them on. Someone with a second factor (staff must enrol one)
    is asked for it first, through allauth's log-in stages as after a password: a session
    opened without it would be taken for a bypass and closed (sso.middleware), and they could
    never open the tool from their course again."""
    if Authenticator.objects.filter(user=user).exists():
        user.backend = BACKEND
        return perform_login(request, Login(user=user, redirect_url=target))
    login(request, user, backend=BACKEND)
    return HttpResponseRedirect(target)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The tool's public key, for the platforms to check the tool's service-token requests."""
    try:
        pem = keys.public_pem(keys.private_pem())
    except keys.ToolKeyMissing:
        return JsonResponse({"keys": []})
    return JsonResponse({"keys": [LibRegistration.get_jwk(pem)]})


@require_POST
@login_required
def reread_roster(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The cohort's tutor asks for the course's roster now, rather than at the next launch or the
    nightly read. One read at a time: a second click while one is queued or running queues none."""
    cohort = get_cohort_for(request.user, pk, manage=True)
    course = CourseLink.objects.select_related("registration").filter(cohort=cohort).first()
    if course is None:
        raise Http404("This cohort is not linked to a course.")
    platform_name = course.registration.name
    if not course.memberships_url:
        messages.error(
            request,
            f"{platform_name} has not given this course its roster service, so it cannot be read from "
            "here. Turn on Names and Role Provisioning for the tool, then open it from the course.",
        )
        return redirect(cohort)
    with outbox.watch() as queued:
        started = queue_roster_read(course=course, actor=request.user)
    if not started:
        messages.info(
            request, f"The roster is already being read from {platform_name}; there is no need to ask again."
        )
    elif queued.delayed:
        messages.success(
            request,
            f"The roster will be read from {platform_name} as soon as the background service is back; "
            "you do not need to ask again.",
        )
    else:
        messages.success(
            request,
            f"The roster is being read again from {platform_name}. Learners who joined get a portfolio; "
            "those who left are listed below. Reload the page in a minute to see the result.",
        )
    return redirect(cohort)
