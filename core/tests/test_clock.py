from datetime import UTC, datetime

from django.utils import timezone

from core.tests.clock import frozen_now

AT = datetime(2022, 12, 31, 2, 0, tzinfo=UTC)


def test_frozen_now_changes_one_module_only():
    from tickets.services import replies

    with frozen_now(replies, AT):
        assert replies.timezone.now() == AT
        assert timezone.now() != AT  # django.utils.timezone and every other module: the real clock
        assert replies.timezone.localtime(AT) == timezone.localtime(AT)
    assert replies.timezone is timezone
