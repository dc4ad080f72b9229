"""Roles are Django groups; these helpers are the only place that knows their names."""

import json
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group, Permission, PermissionsMixin, User
from django.db.models import Aggregate, F, Field, OuterRef, Subquery

PLATFORM = "platform"  # 平台服务账号: posts events through the ingestion API
OPS_REVIEWER = "ops_reviewer"  # 运营审核: reviews reports, complaints, appeals
OPS_ADMIN = "ops_admin"  # 运营管理员: also edits policies, reply options, exemptions
MERCHANT = "merchant"  # 商家: member of one or more shops

DOMAIN_APPS = ("shops", "reports", "tickets", "complaints", "badges", "storefront", "workbench")
REVIEWER_CHANGE_APPS = ("reports", "tickets", "complaints", "badges", "workbench")

#: Whoever a request carries: a user, or the anonymous user.
AnyUser = AbstractBaseUser | AnonymousUser


def signed_in(user: AnyUser | None) -> User | None:
    """``user`` as an account of the user model (Django's ``auth.User``), or ``None`` for the
    anonymous user. Selectors scope queries by it, so no query compares a user column with the
    anonymous user."""
    return user if isinstance(user, User) and user.is_authenticated else None


def _in_group(user: AnyUser, name: str) -> bool:
    cache: set[str] | None = getattr(user, "_role_cache", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True)) if isinstance(user, PermissionsMixin) else set()
        vars(user)["_role_cache"] = cache  # per-instance, dropped by grant_role
    return name in cache


class _NameList(Aggregate):
    """The names of a set of rows as one value: a list on PostgreSQL (``ARRAY_AGG``), a JSON array
    elsewhere (``JSON_GROUP_ARRAY`` on SQLite) — never a joined string a name could forge."""

    function = "ARRAY_AGG"
    output_field = Field()  # no conversion: the list, or the JSON text ``remember_roles`` reads

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


def role_names(user_id: str) -> Subquery:
    """The names of the groups of the user whose id is the outer query's ``user_id`` field: read
    with the query that loads the user (``core.tokens.token_authenticate``), then given to
    ``remember_roles`` — the roles of a request then cost no query of their own."""
    memberships = User.groups.through.objects.filter(user_id=OuterRef(user_id)).order_by()
    names = memberships.values("user_id").annotate(names=_NameList(F("group__name")))
    return Subquery(names.values("names")[:1])  # type: ignore[misc]  # django-stubs: an annotation named in values()


def remember_roles(user: AnyUser, names: Any) -> None:
    """Cache ``user``'s group names as ``role_names`` read them (a list, a JSON array or ``None``
    for no group), as ``_in_group`` would have read them."""
    if isinstance(names, str):
        names = json.loads(names)
    vars(user)["_role_cache"] = set(names or ())


def _is_superuser(user: AnyUser) -> bool:
    return bool(getattr(user, "is_superuser", False))


def is_platform_user(user: AnyUser) -> bool:
    return user.is_authenticated and _in_group(user, PLATFORM)


def is_ops_reviewer(user: AnyUser) -> bool:
    return user.is_authenticated and (_is_superuser(user) or _in_group(user, OPS_REVIEWER) or _in_group(user, OPS_ADMIN))


def is_ops_admin(user: AnyUser) -> bool:
    return user.is_authenticated and (_is_superuser(user) or _in_group(user, OPS_ADMIN))


def is_merchant(user: AnyUser) -> bool:
    return user.is_authenticated and _in_group(user, MERCHANT)


def grant_role(user: User, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    if role in (OPS_REVIEWER, OPS_ADMIN) and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    vars(user).pop("_role_cache", None)


def ensure_role_groups(**kwargs: Any) -> None:
    """Create the four groups and give the ops groups their admin permissions (post_migrate)."""
    for name in (PLATFORM, MERCHANT):
        Group.objects.get_or_create(name=name)
    reviewer, _ = Group.objects.get_or_create(name=OPS_REVIEWER)
    admin, _ = Group.objects.get_or_create(name=OPS_ADMIN)
    domain = Permission.objects.filter(content_type__app_label__in=DOMAIN_APPS)
    reviewer_perms = (
        list(domain.filter(codename__startswith="view_"))
        + list(domain.filter(content_type__app_label__in=REVIEWER_CHANGE_APPS, codename__startswith="change_"))
        + list(domain.filter(codename__in=["add_unifiedexemption", "change_unifiedexemption"]))
    )
    reviewer_perms += list(Permission.objects.filter(content_type__app_label="core", codename__startswith="view_"))
    reviewer.permissions.set(reviewer_perms)
    admin_perms = list(domain.exclude(codename__startswith="delete_")) + list(
        Permission.objects.filter(content_type__app_label="core").exclude(codename__startswith="delete_")
    )
    admin.permissions.set(admin_perms)
