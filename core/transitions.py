"""Explicit status machines: a table of allowed moves and one guard."""

from collections.abc import Mapping

from django.utils.translation import gettext

from core.errors import IllegalTransition


def guard_transition(table: Mapping[str, set[str]], *, current: str, target: str, code: str, entity: str) -> None:
    """Raise ``IllegalTransition`` (409, ``code``) unless ``current → target`` is in ``table``."""
    if target not in table.get(current, set()):
        raise IllegalTransition(
            code,
            gettext("%(entity)s cannot move from %(current)s to %(target)s.")
            % {"entity": entity, "current": current, "target": target},
        )
