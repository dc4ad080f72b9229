"""Text normalisation for library search: one function, used when storing and when searching."""

import unicodedata


def search_key(text: str) -> str:
    """NFKC (full-width → half-width, compatibility forms) then casefold, whitespace collapsed.

    ``search_key("ＩＰｈｏｎｅ 15　手机壳") == "iphone 15 手机壳"``.
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def search_terms(query: str) -> list[str]:
    """The normalised words of a query; every one must occur in the item's search text."""
    return [term for term in search_key(query).split(" ") if term]
