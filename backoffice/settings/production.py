"""Production settings: refuse to start without a real secret key and explicit hosts."""

import os

from django.core.exceptions import ImproperlyConfigured

from backoffice.settings.base import *  # noqa: F403
from backoffice.settings.env import env_bool

if not os.environ.get("DJANGO_SECRET_KEY"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production")
if not os.environ.get("DJANGO_ALLOWED_HOSTS"):
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production")

DEBUG = env_bool("DJANGO_DEBUG", False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
