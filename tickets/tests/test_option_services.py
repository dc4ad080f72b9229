"""Reply options are written by audited services; the retirement rule is the service's."""

from datetime import timedelta

import pytest

from core.errors import InvalidInput
from core.models import AuditEntry
from shops.tests.factories import sh
from tickets.models import ReplyOption
from tickets.services import reply_option_create, reply_option_update

pytestmark = pytest.mark.django_db


def test_create_and_update_are_audited(ops_admin_user):
    option = reply_option_create(
        actor=ops_admin_user, values={"code": "later", "name": "稍后", "effective_from": sh(2023, 1, 1), "position": 9}
    )
    reply_option_update(actor=ops_admin_user, option=option, changes={"name": "稍后发货"})
    option.refresh_from_db()
    assert option.name == "稍后发货"
    actions = list(AuditEntry.objects.filter(target_id=str(option.pk)).order_by("pk").values_list("action", "data"))
    assert actions[0][0] == "reply_option_added" and actions[0][1]["code"] == "later"
    assert actions[1] == ("reply_option_changed", {"name": "稍后发货"})


@pytest.mark.parametrize("retired_after", [timedelta(0), -timedelta(seconds=1)])
def test_an_option_is_retired_only_after_it_became_effective(ops_admin_user, retired_after):
    start = sh(2023, 1, 1)
    with pytest.raises(InvalidInput) as refused:
        reply_option_create(
            actor=ops_admin_user,
            values={"code": "x", "name": "x", "effective_from": start, "retired_at": start + retired_after},
        )
    assert refused.value.code == "reply_option_retired_before_effective"
    option = ReplyOption.objects.get(code="shipped")
    with pytest.raises(InvalidInput) as refused:
        reply_option_update(actor=ops_admin_user, option=option, changes={"retired_at": option.effective_from + retired_after})
    assert refused.value.code == "reply_option_retired_before_effective"
    assert not ReplyOption.objects.filter(code="x").exists()
    assert not AuditEntry.objects.filter(action__startswith="reply_option").exists()
