"""The WSGI application (gunicorn: ``backoffice/gunicorn.conf.py``). Production settings unless
DJANGO_SETTINGS_MODULE says otherwise; the development entry points (manage.py, Makefile,
Procfile) set the development settings explicitly."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.production")
application = get_wsgi_application()
