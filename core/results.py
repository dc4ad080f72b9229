"""Result classes the services of every app share."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Ingested:
    """A create-or-match answer: ``created`` → 201, else 200 (``changed`` says if it updated)."""

    obj: Any
    created: bool
    changed: bool = False
