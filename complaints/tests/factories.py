from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from complaints.models import Appeal, Complaint
from shops.tests.factories import OrderFactory, UserFactory, sh


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A pending buyer complaint filed 2022-12-30 12:00 Shanghai (under judge_by_reports)."""

    class Meta:
        model = Complaint

    event_id = factory.Sequence(lambda n: f"evt-{n:06d}")
    order = factory.SubFactory(OrderFactory)
    reason = Complaint.Reason.DELAYED_SHIPMENT
    source = Complaint.Source.BUYER
    filed_at = factory.LazyFunction(lambda: sh(2022, 12, 30, 12, 0))
    message = "一直不发货"
    evidence = factory.LazyFunction(lambda: ["https://img.example.com/1.jpg"])


class JudgedComplaintFactory(ComplaintFactory):
    """Judged merchant-liable an hour ago (inside the appeal window) with the penalty of a 100.00 order."""

    status = Complaint.Status.JUDGED
    verdict = Complaint.Verdict.MERCHANT_LIABLE
    penalty = Decimal("5.00")
    judged_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


class AppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appeal

    complaint = factory.SubFactory(JudgedComplaintFactory)
    report_no = ""
    statement = "已报备"
    created_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyAttribute(lambda a: a.complaint.judged_at + timedelta(hours=1))
