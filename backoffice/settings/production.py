"""Production settings (SPEC §9, §10): refuse to start on a weak or embedded configuration,
and the HTTPS settings `manage.py check --deploy --fail-level WARNING` asks for.

Required: ``DJANGO_SECRET_KEY`` (at least 50 characters, not the development key),
``DJANGO_ALLOWED_HOSTS`` (explicit names, no ``*``), ``DATABASE_URL=postgres://…`` and
``CELERY_BROKER_URL=redis://…`` (or ``amqp://…``). ``DJANGO_ALLOW_EMBEDDED=1`` is the explicit
opt-in to run on the SQLite file and the filesystem broker anyway (one machine, a demo).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from backoffice.settings.base import *  # noqa: F403
from backoffice.settings.base import ALLOWED_HOSTS, CELERY_BROKER_URL, DATABASES, DEV_SECRET_KEY
from backoffice.settings.env import env_bool, env_int, env_list, env_str

MIN_SECRET_KEY_LENGTH = 50


def _stop(message: str) -> None:
    raise ImproperlyConfigured(f"{message} (backoffice.settings.production; see README, Configuration)")


_key = os.environ.get("DJANGO_SECRET_KEY", "")
if not _key:
    _stop("DJANGO_SECRET_KEY must be set in production")
if _key == DEV_SECRET_KEY or _key.startswith("django-insecure-"):
    _stop("DJANGO_SECRET_KEY is the development key; generate a new one")
if len(_key) < MIN_SECRET_KEY_LENGTH:
    _stop(f"DJANGO_SECRET_KEY must have at least {MIN_SECRET_KEY_LENGTH} characters")
if not os.environ.get("DJANGO_ALLOWED_HOSTS") or not ALLOWED_HOSTS:
    _stop("DJANGO_ALLOWED_HOSTS must be set in production (comma-separated host names)")
if "*" in ALLOWED_HOSTS:
    _stop("DJANGO_ALLOWED_HOSTS must name the hosts explicitly, not '*'")

ALLOW_EMBEDDED = env_bool("DJANGO_ALLOW_EMBEDDED", False)
if not ALLOW_EMBEDDED:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        _stop("DATABASE_URL must be postgres://… in production (or set DJANGO_ALLOW_EMBEDDED=1 to run on SQLite)")
    if not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
        _stop(
            "CELERY_BROKER_URL must be redis://… (or amqp://…) in production "
            "(or set DJANGO_ALLOW_EMBEDDED=1 to use the filesystem broker)"
        )

DEBUG = env_bool("DJANGO_DEBUG", False)

# --- HTTPS behind a TLS-terminating proxy ----------------------------------------------------
#: The proxy says the original scheme in X-Forwarded-Proto; DJANGO_TRUST_X_FORWARDED_PROTO=0
#: when nothing in front sets (and strips) that header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_TRUST_X_FORWARDED_PROTO", True) else None
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
#: Health checks are probed over plain HTTP by load balancers (SPEC §10).
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
#: Origins allowed to POST forms (scheme + host); by default https:// and each allowed host.
CSRF_TRUSTED_ORIGINS = env_list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS if host != "*"]
)

# --- Mail: real SMTP unless told otherwise (never the console in production) -----------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# --- Web serving (SPEC §10): WhiteNoise serves the collected, hashed, compressed static files ---
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Persistent database connections (a new PostgreSQL connection per request halves throughput),
# checked before reuse so a restarted database costs one failed request, not a restart.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_CONN_HEALTH_CHECKS", True)  # noqa: F405
