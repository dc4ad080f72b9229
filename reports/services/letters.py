"""Commitment letter versions (承诺书): published by ops, never edited afterwards."""

from datetime import datetime

from django.db import transaction

from core.audit import Actor, audit_record
from reports.models import CommitmentLetter


@transaction.atomic
def commitment_letter_publish(*, actor: Actor, version: str, text: str, published_at: datetime) -> CommitmentLetter:
    """Publish a new version; a published one is never changed (publish another instead)."""
    letter = CommitmentLetter.objects.create(version=version, text=text, published_at=published_at)
    audit_record(actor=actor, target=letter, action="commitment_letter_published", data={"version": version})
    return letter
