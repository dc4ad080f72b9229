import pytest

from core.models import AuditEntry, Policy
from core.policies import JUDGE_BY_REPORTS
from shops.tests.factories import sh

pytestmark = pytest.mark.django_db


def change_url(policy) -> str:
    return f"/admin/core/policy/{policy.pk}/change/"


def test_ops_admin_edits_a_policy_and_the_change_is_audited(client, ops_admin_user):
    policy = Policy.objects.get(key=JUDGE_BY_REPORTS)
    client.force_login(ops_admin_user)
    response = client.post(
        change_url(policy),
        {
            "title": policy.title,
            "effective_from_0": "2023-01-02",
            "effective_from_1": "00:00:00",
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy.refresh_from_db()
    assert policy.effective_from == sh(2023, 1, 2)
    entry = AuditEntry.objects.get(action="policy_changed", target_id=str(policy.pk))
    assert entry.actor == ops_admin_user
    assert entry.data["effective_from"][0].startswith("2022-12-28")


def test_ops_reviewer_can_view_but_not_edit_policies(client, ops_user):
    policy = Policy.objects.get(key=JUDGE_BY_REPORTS)
    client.force_login(ops_user)
    assert client.get("/admin/core/policy/").status_code == 200
    response = client.post(
        change_url(policy),
        {
            "title": "x",
            "effective_from_0": "2030-01-01",
            "effective_from_1": "00:00:00",
            "enabled": "on",
        },
    )
    assert response.status_code == 403
    policy.refresh_from_db()
    assert policy.title != "x"
    assert not AuditEntry.objects.filter(action="policy_changed").exists()
