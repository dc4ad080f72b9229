"""The exception reporter filter (SPEC §9): error pages and error mails never show secrets."""

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

#: Django's own list plus names ending in _URL (DATABASE_URL, CELERY_BROKER_URL, …), PASSWORD
#: and BACKEND (a result backend URL carries its password too).
HIDDEN_NAMES = re.compile(r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|_URL$|URL|BACKEND|DSN", flags=re.I)
#: Any value that carries credentials: ``scheme://user:password@host…``.
CREDENTIALS_IN_VALUE = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]*:[^/@\s]*@", flags=re.I)


class SecretMaskingReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = HIDDEN_NAMES

    def cleanse_setting(self, key: int | str, value: Any) -> Any:
        if type(value) is str and CREDENTIALS_IN_VALUE.match(value):  # not lazy proxies of str
            return self.cleansed_substitute
        return super().cleanse_setting(key, value)
