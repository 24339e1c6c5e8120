"""The credential's pages: the learner's downloads, the public page and verification, the
issuer's profile and keys, and the staff's list with revocation."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from joserfc import jws

from core.access import AuthenticatedHttpRequest, role_required
from core.models import Role
from credentials import keys, selectors, services
from credentials.documents import achievement, erased_facts, issuer_profile, public_facts
from credentials.forms import RevokeForm, VerifyForm
from credentials.models import Credential
from credentials.services import CredentialError
from credentials.verification import Verdict, Verification, verify_token

JSON_INDENT = {"indent": 2, "ensure_ascii": False}


def _payload(credential: Credential) -> dict[str, object]:
    """The credential as it was signed (the token is ours, from our own database)."""
    return dict(json.loads(jws.extract_compact(credential.token.encode("ascii")).payload))


def _check(credential: Credential) -> Verification:
    return verify_token(credential.token, issuer_id=services.issuer().id)


# --- The issuer, published -------------------------------------------------------------------


@require_GET
def issuer(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        issuer_profile(services.issuer(), jwks_url=services.jwks_url()), json_dumps_params=JSON_INDENT
    )


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(keys.jwks(), json_dumps_params=JSON_INDENT)
    response["Content-Type"] = "application/jwk-set+json"
    return response


@require_GET
def achievement_definition(request: HttpRequest, key: str) -> JsonResponse:
    codes = key.split("+")[:10]
    frameworks = [services.facts_of(framework) for framework in selectors.frameworks_by_codes(codes)]
    document = achievement(frameworks=frameworks, achievement_id=services.achievement_url(key))
    return JsonResponse(document, json_dumps_params=JSON_INDENT)


# --- Public: the shared link and the verification page --------------------------------------------


@never_cache
@require_GET
def public(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    credential = selectors.public_credential(public_id)
    if credential.is_erased:
        # Erased on the learner's request: revoked, and nothing left to name them or to check.
        verification = Verification(Verdict.REVOKED, credential=credential)
        facts = erased_facts(credential, services.issuer())
    else:
        verification, facts = _check(credential), public_facts(_payload(credential))
    response = render(
        request,
        "credentials/public.html",
        {"facts": facts, "verification": verification, "revoked_at": credential.revoked_at},
    )
    # The page names a person: shared by them, not found by a search engine.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    verification = None
    if request.method == "POST" and form.is_valid():
        verification = verify_token(form.submitted_token, issuer_id=services.issuer().id)
    facts = public_facts(verification.claims) if verification and verification.credential else None
    return render(
        request,
        "credentials/verify.html",
        {
            "form": form,
            "verification": verification,
            "facts": facts,
            "revoked_at": verification.credential.revoked_at
            if verification and verification.credential
            else None,
        },
    )


# --- The learner's own ---------------------------------------------------------------------------


@login_required
@require_GET
def download_jwt(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    credential = selectors.credential_of_owner(request.user, public_id)
    response = HttpResponse(credential.token, content_type="application/vc+jwt")
    response["Content-Disposition"] = f'attachment; filename="credential-{str(public_id)[:8]}.jwt"'
    return response


@login_required
@require_GET
def download_json(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    credential = selectors.credential_of_owner(request.user, public_id)
    response = JsonResponse(_payload(credential), json_dumps_params=JSON_INDENT)
    response["Content-Disposition"] = f'inline; filename="credential-{str(public_id)[:8]}.json"'
    return response


# --- Staff ------------------------------------------------------------------------------------


@role_required(Role.STAFF)
@require_GET
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.credentials_for_staff(), 50).get_page(request.GET.get("page"))
    return render(request, "credentials/staff_list.html", {"page": page, "form": RevokeForm()})


@role_required(Role.STAFF)
@require_POST
def revoke(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    credential = selectors.public_credential(public_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Say why the credential is revoked (at most 1000 characters): it was not revoked."
        )
        return redirect("credentials:staff_list")
    try:
        services.revoke_credential(
            credential=credential, reason=form.cleaned_data["reason"], actor=request.user
        )
    except CredentialError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"The credential of {credential.learner_name} has been revoked.")
    return redirect("credentials:staff_list")
