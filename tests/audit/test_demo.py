from __future__ import annotations

import pytest

from audit import selectors
from audit.models import OrganisationProfile, ServiceDataImport, ServiceGap
from demo.audit import build_demo_content
from evidence.models import Evidence

pytestmark = pytest.mark.django_db


def test_the_demo_learner_gets_six_complete_steps_and_a_dataset(learner, other_learner, cohort):
    portfolios = {"learner": learner.portfolios.get(), "learner2": other_learner.portfolios.get()}

    build_demo_content(cohort=cohort, portfolios=portfolios)
    counts = (ServiceDataImport.objects.count(), ServiceGap.objects.count(), Evidence.objects.count())
    build_demo_content(cohort=cohort, portfolios=portfolios)

    assert (ServiceDataImport.objects.count(), ServiceGap.objects.count(), Evidence.objects.count()) == counts
    assert OrganisationProfile.objects.get(portfolio=portfolios["learner"]).name == "Fernleaf Home"
    steps = Evidence.objects.filter(portfolio=portfolios["learner"], kind="section")
    assert steps.count() == 6
    assert all(steps.values_list("section_complete", flat=True))
    assert ServiceDataImport.objects.get(portfolio=portfolios["learner"]).row_count == 3000
    assert len(selectors.service_data_frame(portfolio=portfolios["learner"])) == 3000
    # The second learner has a light, incomplete start.
    assert not Evidence.objects.get(portfolio=portfolios["learner2"]).section_complete
