"""factory_boy factories for every model the tests build."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from core.models import (
    Cohort,
    Criterion,
    CriterionGroup,
    EqaGrant,
    Framework,
    Invitation,
    Membership,
    Portfolio,
    Role,
    User,
)

TEST_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    role = Role.LEARNER
    password = factory.django.Password(TEST_PASSWORD)


class LearnerFactory(UserFactory):
    role = Role.LEARNER


class AssessorFactory(UserFactory):
    role = Role.ASSESSOR


class TutorFactory(UserFactory):
    role = Role.TUTOR


class IqaFactory(UserFactory):
    role = Role.IQA


class EqaFactory(UserFactory):
    role = Role.EQA


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"FW{n}")
    title = factory.Sequence(lambda n: f"Framework {n}")
    kind = Framework.Kind.STANDARD


class CriterionGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionGroup

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"G{n}")
    title = factory.Sequence(lambda n: f"Group {n}")
    order = factory.Sequence(lambda n: n)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    group = factory.SubFactory(CriterionGroupFactory)
    framework = factory.SelfAttribute("group.framework")
    code = factory.Sequence(lambda n: f"C{n}")
    text = factory.Sequence(lambda n: f"criterion wording {n}")
    order = factory.Sequence(lambda n: n)


def framework_with_criteria(code: str = "STD", count: int = 3) -> Framework:
    framework = FrameworkFactory(code=code)
    if framework.criteria.exists():
        return framework
    group = CriterionGroupFactory(framework=framework, code="A", title="Group A")
    for index in range(1, count + 1):
        CriterionFactory(group=group, code=f"{code[0]}{index}", order=index)
    return group.framework


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Customer service cohort {n}")
    code = factory.Sequence(lambda n: f"cohort-{n}")
    organisation = "Northfield College"
    start_date = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    end_date = factory.LazyFunction(lambda: date.today() + timedelta(days=150))
    created_by = factory.SubFactory(TutorFactory)

    @factory.post_generation
    def tutors(self, create, extracted, **kwargs):
        if create:
            for tutor in extracted or [self.created_by]:
                Membership.objects.get_or_create(cohort=self, user=tutor, role=Role.TUTOR)

    @factory.post_generation
    def frameworks(self, create, extracted, **kwargs):
        if create:
            self.frameworks.set(extracted if extracted is not None else [framework_with_criteria()])


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    cohort = factory.SubFactory(CohortFactory)
    learner = factory.SubFactory(LearnerFactory)
    assessor = None


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    cohort = factory.SubFactory(CohortFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.LEARNER
    invited_by = factory.SelfAttribute("cohort.created_by")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class EqaGrantFactory(factory.django.DjangoModelFactory):
    """A live grant of 30 days; pass ``portfolios`` or ``versions`` (lists) to share them."""

    class Meta:
        model = EqaGrant
        skip_postgeneration_save = True

    cohort = factory.SubFactory(CohortFactory)
    eqa = factory.SubFactory(EqaFactory)
    email = factory.LazyAttribute(lambda grant: grant.eqa.email if grant.eqa else "eqa@example.org")
    granted_by = factory.SelfAttribute("cohort.created_by")
    starts_at = factory.LazyFunction(timezone.now)
    ends_at = factory.LazyAttribute(lambda grant: grant.starts_at + timedelta(days=30))
    accepted_at = factory.LazyAttribute(lambda grant: grant.starts_at if grant.eqa else None)

    @factory.post_generation
    def portfolios(self, create, extracted, **kwargs):
        if create and extracted:
            self.portfolios.set(extracted)

    @factory.post_generation
    def versions(self, create, extracted, **kwargs):
        if create and extracted:
            self.versions.set(extracted)
