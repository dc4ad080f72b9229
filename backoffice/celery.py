"""The Celery application; tasks are discovered in each app's ``tasks.py``. Production settings
unless DJANGO_SETTINGS_MODULE says otherwise (the development Procfile sets it)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.production")

app = Celery("backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
