"""Chinese first: the language is the one the user chose (cookie), else ``LANGUAGE_CODE``.

Django's LocaleMiddleware would follow the browser's Accept-Language, which puts ops reviewers
on an English browser into English; here the browser is not consulted.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation

GetResponse = Callable[[HttpRequest], HttpResponse]


class ChosenLanguageMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulCharactersMiddleware:
    """A NUL character (``%00``) in the URL path or query string is a 400 before any view runs.

    PostgreSQL cannot hold or compare NUL in text, so every lookup that passed one on (a report
    number in the path, an ``order_no`` or ``q`` filter, a portal search) was a 500 there — and on
    SQLite merely "not found". No code or search term of this application contains one. Bodies
    are left to the forms and serializers (their CharFields already refuse NUL)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path
            or "%00" in request.META.get("QUERY_STRING", "")
            or "\x00" in request.META.get("QUERY_STRING", "")
        ):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "null_characters_not_allowed", "detail": "The URL contains a NUL character (%00)."}, status=400
            )
        return HttpResponseBadRequest("The URL contains a NUL character (%00).")
