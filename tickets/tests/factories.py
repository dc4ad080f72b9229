from datetime import timedelta

import factory

from shops.tests.factories import OrderFactory, sh
from tickets.models import UrgeTask


class UrgeTaskFactory(factory.django.DjangoModelFactory):
    """An open task opened 2022-12-28 12:00 Shanghai, due 24 hours later."""

    class Meta:
        model = UrgeTask

    order = factory.SubFactory(OrderFactory)
    shop = factory.SelfAttribute("order.shop")
    status = UrgeTask.Status.OPEN
    opened_at = factory.LazyFunction(lambda: sh(2022, 12, 28, 12, 0))
    reply_due_at = factory.LazyAttribute(lambda t: t.opened_at + timedelta(hours=24))
