"""Test settings: fast hashing, in-memory mail, an in-process broker unless one is configured."""

import os

if "CELERY_BROKER_URL" not in os.environ:
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("CELERY_RESULT_BACKEND", "cache+memory://")

from backoffice.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"merchant": "100000/min"}}  # noqa: F405
# The test client's login() calls authenticate() without a request, which django-axes refuses;
# the lock-out tests switch it on with the settings fixture.
AXES_ENABLED = False
