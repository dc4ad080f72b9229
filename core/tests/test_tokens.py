"""SPEC §9 tokens: stored hashed, expiring, listed and revoked; ``issue_token`` prints a new key
each run and adding a role keeps the others. Login lock-out for the portal and the admin."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import ApiToken, AuditEntry
from core.roles import is_merchant, is_ops_reviewer, is_platform_user
from core.tokens import key_digest, token_issue
from shops.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(command, *args) -> list[str]:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue().strip().splitlines()


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_key_is_never_stored_only_its_digest(shop):
    key = run("issue_token", "bob", "--shop", shop.code)[-1]
    token = ApiToken.objects.get()
    assert token.digest == key_digest(key) and token.prefix == key[:8]
    stored = [str(v) for v in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.concrete_fields]).get()]
    assert key not in stored
    assert AuditEntry.objects.filter(action="token_issued").count() == 1


def test_merchant_and_ops_tokens_expire_after_90_days_platform_by_setting(shop, settings):
    now = timezone.now()
    for args, kind in ((["m", "--shop", shop.code], "merchant"), (["o", "--ops"], "ops")):
        run("issue_token", *args)
        token = ApiToken.objects.get(kind=kind)
        assert abs(token.expires_at - (now + timedelta(days=90))) < timedelta(minutes=1)
    settings.API_PLATFORM_TOKEN_DAYS = 0
    run("issue_token", "p", "--platform")
    assert ApiToken.objects.get(kind="platform").expires_at is None
    settings.API_PLATFORM_TOKEN_DAYS = 30
    run("issue_token", "p", "--platform")
    assert ApiToken.objects.filter(kind="platform", expires_at__isnull=False).count() == 1


def test_an_expired_or_revoked_or_unknown_token_is_401(shop):
    user = UserFactory(username="m1")
    shop.memberships.create(user=user)
    from core.roles import MERCHANT, grant_role

    grant_role(user, MERCHANT)
    token, key = token_issue(user=user, kind="merchant")
    assert _client(key).get("/api/v1/reports/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _client(key).get("/api/v1/reports/").status_code == 401
    token2, key2 = token_issue(user=user, kind="merchant")
    run("revoke_token", key2[:8])
    assert _client(key2).get("/api/v1/reports/").status_code == 401
    assert _client("f" * 40).get("/api/v1/reports/").status_code == 401
    assert AuditEntry.objects.filter(action="token_revoked").count() == 1


def test_adding_a_role_keeps_the_others(shop):
    run("issue_token", "carol", "--ops")
    run("issue_token", "carol", "--shop", shop.code)
    run("issue_token", "carol", "--platform")
    user = get_user_model().objects.get(username="carol")
    assert is_ops_reviewer(user) and is_merchant(user) and is_platform_user(user)
    assert ApiToken.objects.filter(user=user).count() == 3


def test_list_tokens_shows_prefixes_never_keys(shop):
    key = run("issue_token", "dan", "--shop", shop.code)[-1]
    other = run("issue_token", "erin", "--ops")[-1]
    lines = run("list_tokens")
    text = "\n".join(lines)
    assert key[:8] in text and other[:8] in text and key not in text and other not in text
    assert "active" in text and "dan" in text
    run("revoke_token", "--user", "dan")
    assert "dan" not in "\n".join(run("list_tokens"))
    assert "revoked" in "\n".join(run("list_tokens", "--all", "--user", "dan"))


def test_revoke_token_refuses_vague_requests():
    with pytest.raises(CommandError):
        run("revoke_token")
    with pytest.raises(CommandError):
        run("revoke_token", "abc")
    with pytest.raises(CommandError, match="No live token"):
        run("revoke_token", "abcdef12")


def test_the_admin_lists_and_revokes_tokens(client, ops_admin_user, ops_user, shop):
    key = run("issue_token", "fay", "--shop", shop.code)[-1]
    token = ApiToken.objects.get(user__username="fay")
    client.force_login(ops_user)  # a reviewer: no token page
    assert client.get(reverse("admin:core_apitoken_changelist")).status_code == 403
    client.force_login(ops_admin_user)
    page = client.get(reverse("admin:core_apitoken_changelist")).content.decode()
    assert key[:8] in page and key not in page
    client.post(reverse("admin:core_apitoken_changelist"), {"action": "revoke_tokens", ACTION_CHECKBOX_NAME: [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _client(key).get("/api/v1/reports/").status_code == 401


# --- login lock-out ------------------------------------------------------------------------------


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_repeated_failures_lock_the_login_with_a_chinese_message(client, axes_on, url_name):
    user = UserFactory(username="gina", is_staff=True)
    user.set_password("right-password")
    user.save()
    url = reverse(url_name)
    for _ in range(3):
        client.post(url, {"username": "gina", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    locked = client.post(url, {"username": "gina", "password": "right-password"}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "登录失败次数过多" in body and "15" in body
    assert "_auth_user_id" not in client.session
    # the lock is per user and address: the same user from elsewhere still logs in
    other = client.post(url, {"username": "gina", "password": "right-password"}, REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, axes_on):
    user = UserFactory(username="hana")
    user.set_password("pw-123456")
    user.save()
    url = reverse("login")
    for _ in range(2):
        client.post(url, {"username": "hana", "password": "x"}, REMOTE_ADDR="10.0.0.3")
    assert client.post(url, {"username": "hana", "password": "pw-123456"}, REMOTE_ADDR="10.0.0.3").status_code == 302
    client.logout()
    for _ in range(2):
        client.post(url, {"username": "hana", "password": "x"}, REMOTE_ADDR="10.0.0.3")
    assert client.post(url, {"username": "hana", "password": "pw-123456"}, REMOTE_ADDR="10.0.0.3").status_code == 302


def test_a_token_request_reads_its_user_and_roles_in_one_query(shop):
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.roles import PLATFORM, grant_role

    user = UserFactory(username="bot")
    grant_role(user, PLATFORM)
    _token, key = token_issue(user=user, kind="platform")
    client = _client(key)
    client.get("/api/v1/reports/")  # the first use writes last_used_at (hourly)
    with CaptureQueriesContext(connection) as queries:
        # a platform endpoint: the role check needs the groups; a body it refuses, so nothing else is read
        response = client.post("/api/v1/platform/urges/", {}, format="json")
    assert response.status_code == 400  # authenticated and allowed: the body is what is refused
    assert len([q for q in queries.captured_queries if "auth_user_groups" in q["sql"]]) == 1
    assert len(queries.captured_queries) == 1
    # roles are read on every request: a role taken away is gone on the next one
    user.groups.remove(Group.objects.get(name=PLATFORM))
    assert client.post("/api/v1/platform/urges/", {}, format="json").status_code == 403


@pytest.mark.parametrize("name", ["platform,merchant", '["platform"]', "platform ", "Platform"])
def test_a_group_named_like_a_role_grants_nothing_through_a_token(shop, name):
    from django.contrib.auth.models import Group

    user = UserFactory(username="mallory")
    user.groups.add(Group.objects.create(name=name))
    _token, key = token_issue(user=user, kind="platform")
    assert _client(key).post("/api/v1/platform/urges/", {}, format="json").status_code == 403
    assert not is_platform_user(user)
