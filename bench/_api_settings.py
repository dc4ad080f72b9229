"""Settings of the gunicorn server ``bench.api`` starts: production, plus the bare endpoint."""

from backoffice.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench._api_urls"

# The bench server is reached over plain HTTP on 127.0.0.1, with no TLS proxy in front.
SECURE_SSL_REDIRECT = False
