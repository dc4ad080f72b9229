"""Configuration by environment (SPEC §8): each variable is honoured, booleans are strict, and
production refuses to start without a secret key. Each case loads the settings in a fresh
interpreter, as a deployment would."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'secret': s.SECRET_KEY, "
    "'db': s.DATABASES['default']['ENGINE'], 'db_name': str(s.DATABASES['default']['NAME']), "
    "'broker': s.CELERY_BROKER_URL, 'mail': [s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, "
    "s.DEFAULT_FROM_EMAIL]}))"
)
KEYS = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_EMAIL_BACKEND",
    "DJANGO_EMAIL_HOST",
    "DJANGO_EMAIL_PORT",
    "DJANGO_EMAIL_USE_TLS",
    "DJANGO_DEFAULT_FROM_EMAIL",
)


def load(module: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in KEYS}
    clean.update(DJANGO_SETTINGS_MODULE=module, **env)
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)


def values(module: str, **env) -> dict:
    done = load(module, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_defaults_need_no_server():
    got = values("backoffice.settings.base")
    assert got["db"] == "django.db.backends.sqlite3" and got["db_name"].endswith("db.sqlite3")
    assert got["broker"].startswith("filesystem://") and got["debug"] is True
    assert got["mail"][0] == "django.core.mail.backends.console.EmailBackend"


def test_every_variable_is_honoured():
    got = values(
        "backoffice.settings.base",
        DATABASE_URL="postgres://u:p@db.example:5432/bo",
        CELERY_BROKER_URL="redis://cache.example:6379/3",
        DJANGO_SECRET_KEY="s3cret",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="a.example, b.example",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DJANGO_EMAIL_HOST="smtp.example",
        DJANGO_EMAIL_PORT="587",
        DJANGO_EMAIL_USE_TLS="true",
        DJANGO_DEFAULT_FROM_EMAIL="bo@example.com",
    )
    assert got["db"] == "django.db.backends.postgresql" and got["db_name"] == "bo"
    assert got["broker"] == "redis://cache.example:6379/3"
    assert (got["secret"], got["debug"], got["hosts"]) == ("s3cret", False, ["a.example", "b.example"])
    assert got["mail"] == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example", 587, True, "bo@example.com"]


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("TRUE", True), ("0", False), ("false", False)])
def test_booleans(raw, expected):
    assert values("backoffice.settings.base", DJANGO_DEBUG=raw)["debug"] is expected


def test_a_boolean_that_is_not_one_is_refused():
    done = load("backoffice.settings.base", DJANGO_DEBUG="maybe")
    assert done.returncode != 0 and "DJANGO_DEBUG" in done.stderr


STRONG_KEY = "x7$Qp2-vL9!mZr4@Tk8#Wn3^Yb6&Hd1*Fs5(Gj0)Ce2_Ua7+Ro9=Ni4"
SERVERS = {"DATABASE_URL": "postgres://u:p@db.example:5432/bo", "CELERY_BROKER_URL": "redis://cache.example:6379/0"}
PROD = {"DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "bo.example", **SERVERS}


@pytest.mark.parametrize("env", [{}, {"DJANGO_SECRET_KEY": ""}])
def test_production_refuses_to_start_without_a_secret_key(env):
    done = load("backoffice.settings.production", DJANGO_ALLOWED_HOSTS="bo.example", **SERVERS, **env)
    assert done.returncode != 0 and "DJANGO_SECRET_KEY" in done.stderr


@pytest.mark.parametrize("key", ["k", "x" * 49, "dev-only-insecure-key-change-me", "django-insecure-" + "a1b2c3d4e5" * 5])
def test_production_refuses_a_weak_or_development_key(key):
    done = load("backoffice.settings.production", **{**PROD, "DJANGO_SECRET_KEY": key})
    assert done.returncode != 0 and "DJANGO_SECRET_KEY" in done.stderr


@pytest.mark.parametrize("hosts", [None, "", "*", "bo.example,*"])
def test_production_needs_explicit_hosts(hosts):
    env = {k: v for k, v in PROD.items() if k != "DJANGO_ALLOWED_HOSTS"}
    if hosts is not None:
        env["DJANGO_ALLOWED_HOSTS"] = hosts
    done = load("backoffice.settings.production", **env)
    assert done.returncode != 0 and "DJANGO_ALLOWED_HOSTS" in done.stderr


def test_production_is_not_debug_by_default():
    got = values("backoffice.settings.production", **PROD)
    assert got["debug"] is False and got["hosts"] == ["bo.example"]
    assert got["mail"][0] == "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", None),
        ("DATABASE_URL", "sqlite:////tmp/x.sqlite3"),
        ("CELERY_BROKER_URL", None),
        ("CELERY_BROKER_URL", "filesystem://localhost//"),
        ("CELERY_BROKER_URL", "memory://"),
    ],
)
def test_production_refuses_the_embedded_database_and_broker_without_the_opt_in(name, value):
    env = {k: v for k, v in PROD.items() if k != name}
    if value is not None:
        env[name] = value
    done = load("backoffice.settings.production", **env)
    assert done.returncode != 0 and name in done.stderr and "DJANGO_ALLOW_EMBEDDED" in done.stderr
    allowed = values("backoffice.settings.production", **env, DJANGO_ALLOW_EMBEDDED="1")
    assert allowed["debug"] is False


def _deploy_check(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in KEYS}
    clean.update(DJANGO_SETTINGS_MODULE="backoffice.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_only_the_four_variables():
    done = _deploy_check(**PROD)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


HTTPS_PROBE = (
    "import json; from django.conf import settings as s; from django.test import RequestFactory; "
    "from django.middleware.security import SecurityMiddleware as M; "
    "m = M(lambda r: None); f = RequestFactory(); "
    "print(json.dumps({'proxy': s.SECURE_PROXY_SSL_HEADER, 'csrf': s.CSRF_TRUSTED_ORIGINS, 'hsts': s.SECURE_HSTS_SECONDS, "
    "'cookies': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE], "
    "'redirect': {p: getattr(m.process_request(f.get(p, HTTP_HOST='bo.example')), 'status_code', None) "
    "for p in ['/healthz', '/readyz', '/', '/api/v1/reports/']}, "
    "'behind_proxy': getattr(m.process_request(f.get('/', HTTP_HOST='bo.example', HTTP_X_FORWARDED_PROTO='https')), "
    "'status_code', None)}))"
)


def _https(**env) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in KEYS}
    clean.update(DJANGO_SETTINGS_MODULE="backoffice.settings.production", **env)
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + HTTPS_PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_https_defaults_trust_the_proxy_redirect_all_but_health_checks():
    got = _https(**PROD)
    assert got["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert got["redirect"] == {"/healthz": None, "/readyz": None, "/": 301, "/api/v1/reports/": 301}
    assert got["behind_proxy"] is None  # X-Forwarded-Proto: https is trusted: no redirect
    assert got["hsts"] >= 31_536_000 and got["cookies"] == [True, True]
    assert got["csrf"] == ["https://bo.example"]


def test_https_variables_turn_the_proxy_header_off_and_set_csrf_origins():
    got = _https(
        **PROD, DJANGO_TRUST_X_FORWARDED_PROTO="0", DJANGO_CSRF_TRUSTED_ORIGINS="https://a.example,https://b.example:8443"
    )
    assert got["proxy"] is None and got["behind_proxy"] == 301
    assert got["csrf"] == ["https://a.example", "https://b.example:8443"]
