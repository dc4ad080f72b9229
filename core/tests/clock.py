"""Freeze the clock of one module only.

``mock.patch("app.module.timezone.now")`` patches ``django.utils.timezone.now`` itself — every
module (Django's own, the audit, other apps) sees the fake clock while it lasts. ``frozen_now``
swaps the module's ``timezone`` name for a stand-in whose ``now()`` answers ``at``; everything
else keeps the real clock."""

import types
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.utils import timezone


@contextmanager
def frozen_now(module: types.ModuleType, at: datetime):
    """Within the block, ``module``'s ``timezone.now()`` returns ``at``."""
    stand_in = types.SimpleNamespace(**{name: getattr(timezone, name) for name in dir(timezone) if not name.startswith("__")})
    stand_in.now = lambda: at
    with mock.patch.object(module, "timezone", stand_in):
        yield
