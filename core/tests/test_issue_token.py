from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core.roles import is_merchant, is_ops_reviewer, is_platform_user

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_platform_token_is_the_last_line_and_authenticates(api):
    lines = run("bot", "--platform")
    user = get_user_model().objects.get(username="bot")
    assert len(lines[-1]) == 40 and is_platform_user(user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {lines[-1]}")
    response = api.post("/api/v1/platform/shops/", {"code": "s1", "name": "店", "kind": "taobao"}, format="json")
    assert response.status_code == 201


def test_ops_token_makes_a_staff_reviewer():
    run("alice", "--ops")
    user = get_user_model().objects.get(username="alice")
    assert is_ops_reviewer(user) and user.is_staff


def test_shop_token_makes_a_member_and_each_run_prints_a_new_key(shop, api):
    first = run("bob", "--shop", shop.code)[-1]
    second = run("bob", "--shop", shop.code)[-1]
    user = get_user_model().objects.get(username="bob")
    assert first != second  # SPEC §9: a new key each time; both work until revoked or expired
    for key in (first, second):
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get("/api/v1/reports/").status_code == 200
    assert is_merchant(user)
    assert list(user.shops.values_list("code", flat=True)) == [shop.code]


def test_unknown_shop_is_a_clear_error_and_creates_no_user():
    with pytest.raises(CommandError, match="does not exist"):
        run("carol", "--shop", "nope")
    assert not get_user_model().objects.filter(username="carol").exists()


def test_a_role_is_required():
    with pytest.raises(CommandError):
        run("dave")
