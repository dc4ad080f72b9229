"""Load a realistic demo data set. Idempotent: running it again adds nothing twice.

Each app contributes through a ``demo.py`` module with ``ORDER`` (int) and
``seed(stdout) -> list[str]`` (lines to print at the end, e.g. logins).
"""

import importlib
from types import ModuleType
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


def demo_modules() -> list[ModuleType]:
    found = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        found.append(module)
    return sorted(found, key=lambda m: getattr(m, "ORDER", 100))


class Command(BaseCommand):
    help = "Load realistic demo data (shops, products, orders, reports, tasks…) — idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        summary: list[str] = []
        for module in demo_modules():
            with transaction.atomic():
                summary += module.seed(self.stdout) or []
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        for line in summary:
            self.stdout.write(line)
