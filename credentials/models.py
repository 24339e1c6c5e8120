"""The learner's verifiable credential for a signed-off version, and who may have one when."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from core.models import Cohort, PortfolioVersion


class Credential(models.Model):
    """An Open Badges 3.0 credential, signed as a VC-JWT, for one signed-off version.

    ``public_id`` is the credential's id (``urn:uuid:…``) and the key of its public page, so
    nothing in a shared link can be counted or guessed. ``token`` is the signed JWT exactly as
    issued: it is never signed again. Revocation is the only change a row sees.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # One credential per version: a second run of the issuance finds this and stops.
    version = models.OneToOneField(PortfolioVersion, on_delete=models.PROTECT, related_name="credential")
    learner_name = models.CharField(max_length=300)
    achievement_name = models.CharField(max_length=500)
    issued_at = models.DateTimeField()
    key_id = models.CharField("signing key (JWK thumbprint)", max_length=100)
    token = models.TextField("the signed VC-JWT")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revocation_reason=""),
                name="credential_revoked_with_a_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.achievement_name} for {self.learner_name}"

    def get_absolute_url(self) -> str:
        """The public page: what a link shared by the learner opens, without logging in."""
        return reverse("credentials:public", args=[self.public_id])

    @property
    def urn(self) -> str:
        return f"urn:uuid:{self.public_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_erased(self) -> bool:
        """Erased on the learner's request: revoked, without the name or the signed token."""
        return not self.token


class CohortCredentialPolicy(models.Model):
    """A cohort's own rule on when a credential is issued; without one, the setting
    ``CREDENTIALS_REQUIRE_IQA`` decides."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="credential_policy")
    require_iqa = models.BooleanField(
        "issue only after internal quality assurance",
        default=False,
        help_text=(
            "Hold the credential until the quality assurer has sampled the version's decisions and "
            "every sample is agreed (or its action answered by the assessor)."
        ),
    )

    class Meta:
        verbose_name = "cohort credential policy"
        verbose_name_plural = "cohort credential policies"

    def __str__(self) -> str:
        return f"Credentials in {self.cohort}"
