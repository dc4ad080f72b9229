"""The parser alone, table-driven (no database)."""

import pytest

from core.errors import InvalidInput
from storefront.parsing import ItemRef, TokenRef, find_tokens, is_token_code, parse_pid, parse_product_ref
from storefront.tests.paste_cases import CASES


def test_the_table_is_big_enough():
    assert len(CASES) >= 30
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize(("text", "expected"), [pytest.param(c[1], c[2], id=c[0]) for c in CASES])
def test_paste_table(text, expected):
    if isinstance(expected, ItemRef | TokenRef):
        assert parse_product_ref(text) == expected
    else:
        with pytest.raises(InvalidInput) as error:
            parse_product_ref(text)
        assert error.value.code == expected
        assert error.value.detail


@pytest.mark.parametrize("symbol", ["₳", "₴", "₰", "℗", "《", "¢"])
def test_other_taobao_token_symbols(symbol):
    assert parse_product_ref(f"{symbol}AbC123xyz{symbol}") == TokenRef("AbC123xyz")


def test_token_codes_keep_their_case():
    assert find_tokens("￥aBc123XyZ￥") == ["aBc123XyZ"]


def test_the_same_token_twice_is_one_token():
    assert parse_product_ref("￥AbC123xyz￥ 再说一遍 ￥AbC123xyz￥") == TokenRef("AbC123xyz")


def test_a_supported_link_wins_over_a_token():
    text = "€AbC123xyz€ https://item.jd.com/100012043978.html"
    assert parse_product_ref(text) == ItemRef("jd", "100012043978")


def test_an_invalid_link_beside_a_valid_one_is_ignored():
    text = "https://item.jd.com/abc.html 或 https://item.jd.com/100012043978.html"
    assert parse_product_ref(text) == ItemRef("jd", "100012043978")


def test_id_parameter_given_twice_with_different_values_is_missing():
    with pytest.raises(InvalidInput) as error:
        parse_product_ref("https://item.taobao.com/item.htm?id=605123456789&id=605123456780")
    assert error.value.code == "link_item_id_missing"


def test_taobao_legacy_mobile_link():
    assert parse_product_ref("http://a.m.taobao.com/i605123456789.htm?sid=1") == ItemRef("taobao", "605123456789")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("mm_12345678_2345678_34567890", ("12345678", "2345678", "34567890")),
        ("  mm_1_2_3 ", ("1", "2", "3")),
        ("ｍｍ＿12345678＿2345678＿34567890", ("12345678", "2345678", "34567890")),
    ],
)
def test_pid_valid(text, parts):
    pid = parse_pid(text)
    assert (pid.member_id, pid.site_id, pid.adzone_id) == parts
    assert pid.pid == "mm_" + "_".join(parts)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "mm_12345678_2345678",
        "mm_12345678_2345678_34567890_1",
        "MM_12345678_2345678_34567890",
        "mm_1234a678_2345678_34567890",
        "pid=mm_12345678_2345678_34567890",
        "12345678_2345678_34567890",
        "mm_1234567890123_1_1",
    ],
)
def test_pid_invalid(text):
    with pytest.raises(InvalidInput) as error:
        parse_pid(text)
    assert error.value.code == "pid_invalid"


@pytest.mark.parametrize(
    ("code", "ok"), [("AbC123xyz", True), ("12345678", False), ("Ab1", False), ("AbC123xyz!", False), ("A" * 21, False)]
)
def test_is_token_code(code, ok):
    assert is_token_code(code) is ok
