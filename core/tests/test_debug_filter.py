"""SPEC §9: error pages and error mails never show secrets — *_URL, *_KEY, *_PASSWORD, *_SECRET
settings and request variables, and any value with credentials in it."""

import sys

from django.test import RequestFactory
from django.views.debug import get_default_exception_reporter_filter, technical_500_response

SECRET = "hunter2-very-secret"


def test_the_reporter_filter_is_ours():
    from core.debug import SecretMaskingReporterFilter

    assert isinstance(get_default_exception_reporter_filter(), SecretMaskingReporterFilter)


def test_settings_with_secrets_are_masked(settings):
    settings.DATABASE_URL = f"postgres://bo:{SECRET}@db:5432/bo"
    settings.CELERY_BROKER_URL = f"redis://:{SECRET}@cache:6379/0"
    settings.CELERY_RESULT_BACKEND = f"redis://:{SECRET}@cache:6379/1"
    settings.SOME_KEY = SECRET
    settings.SMTP_PASSWORD = SECRET
    settings.PAYMENT_SECRET = SECRET
    settings.UNRELATED_NAME = f"amqp://guest:{SECRET}@mq//"  # credentials in the value itself
    safe = get_default_exception_reporter_filter().get_safe_settings()
    assert SECRET not in repr(safe)
    assert safe["CELERY_BROKER_URL"].startswith("****")


def test_the_debug_error_page_shows_no_secret(settings):
    settings.DEBUG = True
    settings.CELERY_BROKER_URL = f"redis://:{SECRET}@cache:6379/0"
    request = RequestFactory().get("/", DATABASE_URL=f"postgres://bo:{SECRET}@db/bo", HTTP_X_API_KEY=SECRET)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        page = technical_500_response(request, *sys.exc_info()).content.decode()
    assert "boom" in page and SECRET not in page
