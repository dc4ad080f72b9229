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


@pytest.mark.parametrize("env", [{}, {"DJANGO_SECRET_KEY": ""}])
def test_production_refuses_to_start_without_a_secret_key(env):
    done = load("backoffice.settings.production", DJANGO_ALLOWED_HOSTS="bo.example", **env)
    assert done.returncode != 0 and "DJANGO_SECRET_KEY" in done.stderr


def test_production_needs_hosts_and_is_not_debug_by_default():
    done = load("backoffice.settings.production", DJANGO_SECRET_KEY="k")
    assert done.returncode != 0 and "DJANGO_ALLOWED_HOSTS" in done.stderr
    got = values("backoffice.settings.production", DJANGO_SECRET_KEY="k", DJANGO_ALLOWED_HOSTS="bo.example")
    assert got["debug"] is False and got["hosts"] == ["bo.example"]
