"""Settings of the gunicorn server ``bench.api`` starts: production, plus the bare endpoint."""

from backoffice.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench._api_urls"
