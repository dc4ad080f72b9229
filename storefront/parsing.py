"""What a creator pastes into the add-product box → an item reference or a share token.

Pure functions, no database. ``parse_product_ref(text)`` returns ``ItemRef(platform, item_id)``
for a supported item link, or ``TokenRef(code)`` for a share token (淘口令), and raises
``InvalidInput`` with a machine code otherwise:

- ``input_empty`` / ``input_too_long`` — nothing pasted, or more than a share text can be;
- ``input_ambiguous`` — two different items or tokens in one paste;
- ``link_item_id_missing`` — an item page of a supported platform without a valid item id;
- ``link_unsupported`` — a link that is not an item page of taobao / tmall / jd / youzan;
- ``token_unrecognised`` — no link and no token of a form merchants really paste.

Precedence when a paste holds several things: a supported item link, then a token, then the
most specific link error. Share texts often carry a short link (``m.tb.cn``) beside the token;
the token wins, and a short link with ``tk=`` is read as that token.
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.utils.translation import gettext as _

from core.errors import InvalidInput

MAX_INPUT_LENGTH = 2000


@dataclass(frozen=True)
class ItemRef:
    platform: str
    item_id: str


@dataclass(frozen=True)
class TokenRef:
    code: str


ProductRef = ItemRef | TokenRef

# --- share tokens --------------------------------------------------------------------------
# After NFKC: ￥→¥, ＄→$, ￠→¢, （）→(). Taobao wraps the code in one symbol on both sides
# (￥…￥, €…€, $…$, ₤…₤, ¢…¢, ₳…₳, ₴…₴, ₰…₰, ℗…℗, 《…《) or in parentheses.
_TOKEN_BODY = r"[A-Za-z0-9]{8,20}"
_SAME_SYMBOL_TOKEN = re.compile(rf"([¥€$₤¢₳₴₰℗《])({_TOKEN_BODY})\1")
_PAREN_TOKEN = re.compile(rf"\(({_TOKEN_BODY})\)")
_HAS_LETTER = re.compile(r"[A-Za-z]")

# --- links -----------------------------------------------------------------------------------
_URL = re.compile(
    r"(?<![A-Za-z0-9.\-@])(?:https?://)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?::\d{1,5})?"
    r"(?:[/?#][A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*)?",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,;:!?'\")]}"
_NUMERIC_ID = re.compile(r"\d{5,20}")
_ALIAS_ID = re.compile(r"[0-9a-z]{6,32}", re.IGNORECASE)


@dataclass(frozen=True)
class _LinkRule:
    platform: str
    hosts: frozenset[str]
    path: re.Pattern
    id_param: str | None = None  # the item id is this query parameter, else the path's ``id`` group
    host_suffix: str | None = None  # any subdomain of this host (youzan shops)

    def host_matches(self, host: str) -> bool:
        if host in self.hosts:
            return True
        if not self.host_suffix:
            return False
        return host.endswith(self.host_suffix)


def _rule(platform, hosts, path, id_param=None, host_suffix=None) -> _LinkRule:
    return _LinkRule(platform, frozenset(hosts), re.compile(path, re.IGNORECASE), id_param, host_suffix)


_LINK_RULES = [
    _rule("taobao", {"item.taobao.com"}, r"/item\.htm", "id"),
    _rule("taobao", {"m.intl.taobao.com"}, r"/detail/detail\.html", "id"),
    _rule("taobao", {"h5.m.taobao.com"}, r"/awp/core/detail\.htm", "id"),
    _rule("taobao", {"a.m.taobao.com"}, r"/i(?P<id>[^/]*)\.htm"),
    _rule("tmall", {"detail.tmall.com", "detail.m.tmall.com"}, r"/item\.htm", "id"),
    _rule("jd", {"item.jd.com"}, r"/(?P<id>[^/]*)\.html"),
    _rule("jd", {"item.m.jd.com"}, r"/product/(?P<id>[^/]*)\.html"),
    _rule("youzan", set(), r"/v2/goods/(?P<id>[^/]*)", host_suffix=".youzan.com"),
    _rule("youzan", set(), r"/wscgoods/detail/(?P<id>[^/]*)", host_suffix=".youzan.com"),
]
_ITEM_ID_FORMS = {"taobao": _NUMERIC_ID, "tmall": _NUMERIC_ID, "jd": _NUMERIC_ID, "youzan": _ALIAS_ID}
_SHORT_LINK_HOSTS = frozenset({"m.tb.cn", "tb.cn"})

_LINK_UNSUPPORTED = "link_unsupported"
_LINK_ID_MISSING = "link_item_id_missing"


class _LinkError(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def find_tokens(text: str) -> list[str]:
    """The distinct share-token codes in ``text``, in order."""
    text = _normalise(text)
    found = [m.group(2) for m in _SAME_SYMBOL_TOKEN.finditer(text)]
    found += [m.group(1) for m in _PAREN_TOKEN.finditer(text)]
    return list(dict.fromkeys(code for code in found if _HAS_LETTER.search(code)))


def find_links(text: str) -> list[str]:
    """The URL-looking substrings of ``text``, with trailing punctuation stripped."""
    links = []
    for match in _URL.finditer(text):
        link = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        if link:
            links.append(link)
    return links


def parse_link(link: str) -> ProductRef:
    """One link → ``ItemRef`` (or ``TokenRef`` for a short link carrying ``tk=``).

    Raises ``_LinkError`` with ``link_unsupported`` or ``link_item_id_missing``."""
    if not re.match(r"https?://", link, re.IGNORECASE):
        link = "https://" + link
    try:
        parts = urlsplit(link)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise _LinkError(_LINK_UNSUPPORTED)
    if host.startswith("www."):
        host = host[4:]
    query = parse_qs(parts.query, keep_blank_values=True)
    if host in _SHORT_LINK_HOSTS:
        tk = (query.get("tk") or [""])[0]
        if re.fullmatch(_TOKEN_BODY, tk) and _HAS_LETTER.search(tk):
            return TokenRef(tk)
        raise _LinkError(_LINK_UNSUPPORTED)
    path = parts.path.rstrip("/") or "/"
    for rule in _LINK_RULES:
        if not rule.host_matches(host):
            continue
        match = rule.path.fullmatch(path)
        if match is None:
            continue
        if rule.id_param:
            values = [v.strip() for v in query.get(rule.id_param, []) if v.strip()]
            item_id = values[0] if len(set(values)) == 1 else ""
        else:
            item_id = match.group("id")
        if not _ITEM_ID_FORMS[rule.platform].fullmatch(item_id):
            raise _LinkError(_LINK_ID_MISSING)
        return ItemRef(rule.platform, item_id)
    raise _LinkError(_LINK_UNSUPPORTED)


def parse_product_ref(text: str) -> ProductRef:
    """Parse a paste (a token or a link, usually with Chinese text around it). See module doc."""
    if text is None or not text.strip():
        raise InvalidInput("input_empty", _("Paste a share token or an item link."))
    if len(text) > MAX_INPUT_LENGTH:
        message = _("The pasted text is longer than %(limit)s characters.") % {"limit": MAX_INPUT_LENGTH}
        raise InvalidInput("input_too_long", message)
    normalised = _normalise(text)

    items: list[ItemRef] = []
    link_tokens: list[str] = []
    link_errors: list[str] = []
    for link in find_links(normalised):
        try:
            ref = parse_link(link)
        except _LinkError as exc:
            link_errors.append(exc.code)
            continue
        if isinstance(ref, ItemRef):
            items.append(ref)
        else:
            link_tokens.append(ref.code)

    distinct_items = list(dict.fromkeys(items))
    if len(distinct_items) > 1:
        raise InvalidInput("input_ambiguous", _("The text holds links to more than one item; paste one."))
    if distinct_items:
        return distinct_items[0]

    tokens = list(dict.fromkeys(find_tokens(normalised) + link_tokens))
    if len(tokens) > 1:
        raise InvalidInput("input_ambiguous", _("The text holds more than one share token; paste one."))
    if tokens:
        return TokenRef(tokens[0])

    if _LINK_ID_MISSING in link_errors:
        raise InvalidInput(_LINK_ID_MISSING, _("The link is an item page but carries no valid item id."))
    if link_errors:
        raise InvalidInput(
            _LINK_UNSUPPORTED,
            _(
                "Only item links of Taobao, Tmall, JD and Youzan are supported "
                "(for a short link, open it and copy the item link)."
            ),
        )
    raise InvalidInput("token_unrecognised", _("No share token or item link was recognised in the text."))


# --- affiliate PID ---------------------------------------------------------------------------
_PID = re.compile(r"mm_(\d{1,12})_(\d{1,12})_(\d{1,14})")


@dataclass(frozen=True)
class Pid:
    pid: str
    member_id: str
    site_id: str
    adzone_id: str


def parse_pid(text: str) -> Pid:
    """A Taobao affiliate PID ``mm_<member>_<site>_<adzone>`` (digits), e.g.
    ``mm_12345678_2345678_34567890``. Full-width input and surrounding blanks are accepted."""
    value = _normalise(text or "").strip()
    match = _PID.fullmatch(value)
    if match is None:
        raise InvalidInput("pid_invalid", _("A PID looks like mm_12345678_2345678_34567890 (digits)."))
    return Pid(value, *match.groups())


def is_token_code(code: str) -> bool:
    """True for a share-token code as the parser extracts it (8–20 letters/digits, a letter)."""
    return bool(re.fullmatch(_TOKEN_BODY, code or "")) and bool(_HAS_LETTER.search(code))
