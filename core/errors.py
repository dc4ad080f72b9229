"""Domain errors: each carries a machine code that the API turns into ``{"code", "detail"}``."""

from django.utils.translation import gettext


class DomainError(Exception):
    """A rule refused the request. ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, code: str, detail: str = "", *, status: int | None = None) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail or code
        if status is not None:
            self.status = status


class InvalidInput(DomainError):
    status = 400


class Conflict(DomainError):
    status = 409


class NotFound(DomainError):
    status = 404

    def __init__(self, code: str = "not_found", detail: str = "") -> None:
        super().__init__(code, detail or gettext("Not found."))


class IllegalTransition(Conflict):
    """A status change that the entity's transition table does not allow."""
