from datetime import timedelta

import pytest

from core.models import Policy
from core.policies import (
    APPEAL_REQUIRES_PRIOR_REPORT,
    AUTO_APPROVE_WITH_COMMITMENT,
    EPIDEMIC_REPLY_OPTIONS_RETIRED,
    FAST_PICKUP_BADGE,
    JUDGE_BY_REPORTS,
    NO_AUTO_COMPLAINT_TAOBAO,
    UnknownPolicy,
    policy_effective_from,
    policy_in_force,
)
from shops.tests.factories import sh

pytestmark = pytest.mark.django_db

SEEDED = {
    AUTO_APPROVE_WITH_COMMITMENT: sh(2022, 12, 21),
    NO_AUTO_COMPLAINT_TAOBAO: sh(2022, 12, 18),
    FAST_PICKUP_BADGE: sh(2022, 12, 24),
    EPIDEMIC_REPLY_OPTIONS_RETIRED: sh(2022, 12, 27),
    JUDGE_BY_REPORTS: sh(2022, 12, 28),
    APPEAL_REQUIRES_PRIOR_REPORT: sh(2022, 12, 28),
}


@pytest.mark.parametrize(("key", "effective"), SEEDED.items())
def test_seeded_policy_switches_on_at_its_instant(key, effective):
    assert policy_effective_from(key) == effective
    assert not policy_in_force(key, effective - timedelta(seconds=1))
    assert policy_in_force(key, effective)
    assert policy_in_force(key, effective + timedelta(seconds=1))


def test_effective_instant_is_shanghai_midnight_not_utc():
    # 2022-12-28 00:00 in Shanghai is 2022-12-27 16:00 UTC.
    from datetime import UTC, datetime

    assert policy_in_force(JUDGE_BY_REPORTS, datetime(2022, 12, 27, 16, 0, 0, tzinfo=UTC))
    assert not policy_in_force(JUDGE_BY_REPORTS, datetime(2022, 12, 27, 15, 59, 59, tzinfo=UTC))


def test_disabled_policy_is_never_in_force():
    Policy.objects.filter(key=JUDGE_BY_REPORTS).update(enabled=False)
    assert policy_effective_from(JUDGE_BY_REPORTS) is None
    assert not policy_in_force(JUDGE_BY_REPORTS, sh(2030, 1, 1))


def test_policy_moved_by_ops_applies_from_the_new_date():
    Policy.objects.filter(key=FAST_PICKUP_BADGE).update(effective_from=sh(2023, 1, 1))
    assert not policy_in_force(FAST_PICKUP_BADGE, sh(2022, 12, 31, 23, 59, 59))
    assert policy_in_force(FAST_PICKUP_BADGE, sh(2023, 1, 1))


def test_unknown_policy_key_is_an_error_not_a_silent_false():
    with pytest.raises(UnknownPolicy):
        policy_in_force("no.such.policy", sh(2023, 1, 1))


@pytest.mark.django_db
def test_policy_update_is_audited_with_before_and_after(ops_admin_user):
    from core.models import AuditEntry
    from core.services import policy_update

    policy = Policy.objects.order_by("pk").first()
    before = policy.enabled
    policy_update(actor=ops_admin_user, policy=policy, changes={"enabled": not before})
    entry = AuditEntry.objects.get(action="policy_changed", target_id=str(policy.pk))
    assert entry.data == {"enabled": [str(before), str(not before)]}
    policy.refresh_from_db()
    assert policy.enabled is (not before)
