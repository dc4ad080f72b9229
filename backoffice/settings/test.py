"""Test settings: fast hashing, in-memory mail, an in-process broker unless one is configured."""

import os

if "CELERY_BROKER_URL" not in os.environ:
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault("CELERY_RESULT_BACKEND", "cache+memory://")

from backoffice.settings.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if os.environ.get("DJANGO_TEST_EMAIL_FILE_PATH"):  # a worker subprocess of a fault test: mail it sent, as files
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["DJANGO_TEST_EMAIL_FILE_PATH"]
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"merchant": "100000/min"}}  # noqa: F405
# The test client's login() calls authenticate() without a request, which django-axes refuses;
# the lock-out tests switch it on with the settings fixture.
AXES_ENABLED = False
