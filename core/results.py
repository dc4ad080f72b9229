"""Result classes the services of every app share."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Ingested:
    """A create-or-match answer: ``created`` → 201, else 200 (``changed`` says if it updated)."""

    obj: object
    created: bool
    changed: bool = False
