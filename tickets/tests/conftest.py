import importlib

import pytest


@pytest.fixture
def reference_data(db):
    """Re-seed the migration-loaded reference rows (regions, policies, commitment letter, reply
    options) for transactional tests: an earlier transactional test's flush removes them.
    Every seed function is idempotent. (``serialized_rollback`` is not used: its reload clashes
    with the role groups that a plain transactional test's flush recreates.)"""
    from django.apps import apps

    for module, function in [("shops.migrations.0002_load_regions", "load"),
                             ("core.migrations.0002_seed_policies", "seed"),
                             ("reports.migrations.0002_commitment_letter", "seed"),
                             ("tickets.migrations.0002_seed_reply_options", "seed")]:
        getattr(importlib.import_module(module), function)(apps, None)
