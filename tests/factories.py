"""factory-boy factories for every model. Values are unique per call (sequences, faker)."""

import factory
from factory.django import DjangoModelFactory

from hiring.models import AuditEntry, OutboxEvent
from tenants.models import (
    Agency,
    AgencyMembership,
    AgencyRole,
    ClientMembership,
    ClientRole,
    Domain,
    Engagement,
    User,
)

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save(update_fields=["password"])


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency

    slug = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Faker("company")


class ClientMembershipFactory(DjangoModelFactory):
    class Meta:
        model = ClientMembership

    user = factory.SubFactory(UserFactory)
    role = ClientRole.HIRING_MANAGER


class AgencyMembershipFactory(DjangoModelFactory):
    class Meta:
        model = AgencyMembership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = AgencyRole.RECRUITER


class EngagementFactory(DjangoModelFactory):
    class Meta:
        model = Engagement

    agency = factory.SubFactory(AgencyFactory)
    ownership_window_days = 180


class DomainFactory(DjangoModelFactory):
    """Extra host names for an existing client (clients come from client_provision)."""

    class Meta:
        model = Domain

    domain = factory.Sequence(lambda n: f"extra{n}.example.test")
    is_primary = False


class AuditEntryFactory(DjangoModelFactory):
    class Meta:
        model = AuditEntry

    actor_kind = "system"
    actor_ref = "tests"
    action = factory.Sequence(lambda n: f"test.action{n}")
    object_type = "client"
    object_id = factory.Faker("uuid4")


class OutboxEventFactory(DjangoModelFactory):
    class Meta:
        model = OutboxEvent

    event_type = "test.happened"
    aggregate_type = "test"
    aggregate_id = factory.Faker("uuid4")
    payload = factory.LazyFunction(dict)
