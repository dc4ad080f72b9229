import factory

from notifications.models import Notification
from shops.tests.factories import ShopFactory, UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    shop = factory.SubFactory(ShopFactory)
    kind = Notification.Kind.TASK_OPENED
    title = factory.Sequence(lambda n: f"通知 {n}")
    body = "正文"
