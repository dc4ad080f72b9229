"""Result classes the services of every app share."""

from dataclasses import dataclass
from typing import Generic, TypeVar

_T = TypeVar("_T")


@dataclass(frozen=True)
class Ingested(Generic[_T]):
    """A create-or-match answer: ``created`` → 201, else 200 (``changed`` says if it updated)."""

    obj: _T
    created: bool
    changed: bool = False
