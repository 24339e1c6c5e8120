"""One guided step: the learner names the customer they most want to win back, and why."""

from __future__ import annotations

from django import forms

from core.guided import Guidance, GuidedStep, StepPage, StepRequest, StepStatus, register_step
from core.models import User
from evidence.models import Evidence
from evidence.services import record_section


class LostCustomerForm(forms.Form):
    customer = forms.CharField(max_length=100, label="The customer you most want to win back")
    reason = forms.CharField(required=False, widget=forms.Textarea, label="Why they left")


def _status(customer: str, reason: str) -> StepStatus:
    missing = [label for value, label in ((customer, "the customer"), (reason, "why they left")) if not value]
    return StepStatus(
        complete=not missing, summary=f"Lost customer: {customer or 'not named yet'}.", missing=missing
    )


def build(sr: StepRequest) -> StepPage:
    saved = Evidence.objects.filter(portfolio=sr.portfolio, section_key=sr.step.key).first()
    customer, _, reason = (saved.description if saved else "").partition("\n")
    form = LostCustomerForm(sr.data, initial={"customer": customer, "reason": reason}, prefix="toy")

    def save(actor: User, token: str | None) -> StepStatus:
        status = _status(form.cleaned_data["customer"], form.cleaned_data["reason"])
        record_section(
            portfolio=sr.portfolio,
            key=sr.step.key,
            complete=status.complete,
            summary=f"{form.cleaned_data['customer']}\n{form.cleaned_data['reason']}",
            actor=actor,
        )
        return status

    return StepPage(parts={"form": form}, save=save, status=_status(customer, reason))


LOST_CUSTOMER = register_step(
    GuidedStep(
        key="toy.lost_customer",
        title="A customer to win back",
        order=900,
        stage="Toy",
        path="toy/lost-customer/",
        template="toy/step.html",
        build=build,
        guidance=Guidance(intro="Think of one customer who stopped buying after a poor reply online."),
        default_criteria={"STD": {"C1": "Names a customer lost to poor social service."}},
    )
)
