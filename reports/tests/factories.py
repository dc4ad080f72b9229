from datetime import timedelta

import factory

from reports.models import CommitmentLetter, DeliveryReport, Scenario, UnifiedExemption
from shops.regions import region_prefix
from shops.tests.factories import ShopFactory, UserFactory, sh


def current_letter() -> CommitmentLetter:
    return CommitmentLetter.objects.order_by("-published_at")[0]


class DeliveryReportFactory(factory.django.DjangoModelFactory):
    """An approved whole-shop epidemic report valid 2022-12-27 00:00 – 2023-01-05 00:00."""

    class Meta:
        model = DeliveryReport
        skip_postgeneration_save = True

    report_no = factory.Sequence(lambda n: f"BB20221227{n:05d}")
    shop = factory.SubFactory(ShopFactory)
    scenario = Scenario.EPIDEMIC
    scope = DeliveryReport.Scope.SHOP
    starts_at = factory.LazyFunction(lambda: sh(2022, 12, 27))
    ends_at = factory.LazyFunction(lambda: sh(2023, 1, 5))
    promised_ship_by = factory.SelfAttribute("ends_at")
    commitment_letter = factory.LazyFunction(current_letter)
    submitted_by = factory.SubFactory(UserFactory)
    commitment_accepted_by = factory.SelfAttribute("submitted_by")
    submitted_at = factory.SelfAttribute("starts_at")
    commitment_accepted_at = factory.SelfAttribute("submitted_at")
    status = DeliveryReport.Status.APPROVED
    approved_at = factory.LazyAttribute(lambda r: r.submitted_at if r.status == "approved" else None)
    decided_at = factory.SelfAttribute("approved_at")
    decided_by_system = True

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        for product in extracted or []:
            self.product_links.create(product=product)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        for code in extracted or []:
            self.region_links.create(region_id=code, prefix=region_prefix(code))


class UnifiedExemptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnifiedExemption
        skip_postgeneration_save = True

    title = "统一免责"
    scenario = Scenario.EPIDEMIC
    applies_to = UnifiedExemption.AppliesTo.RECEIVER
    starts_at = factory.LazyFunction(lambda: sh(2022, 12, 27))
    ends_at = factory.LazyFunction(lambda: sh(2022, 12, 31) - timedelta(seconds=1))

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        for code in extracted or []:
            self.region_links.create(region_id=code, prefix=region_prefix(code))
