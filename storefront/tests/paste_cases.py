"""The paste table: real-looking share tokens and item links creators paste into the add box.

Each case: (id, pasted text, what the parser returns — an ItemRef/TokenRef or an error code,
what the add endpoint answers — (platform, item_id) of the listed item or an error code).
The endpoint runs against ``LIBRARY`` / ``TOKENS`` below with a bound PID and a Youzan shop."""

from storefront.parsing import ItemRef, TokenRef

TAOBAO = ("taobao", "605123456789")
TMALL = ("tmall", "612345678901")
JD = ("jd", "100012043978")
YOUZAN = ("youzan", "2xabcdef12")
TAOBAO_NOT_IN_LIBRARY = ("taobao", "598765432109")
JD_UNKNOWN = ("jd", "100000000001")

LIBRARY = [
    (*TAOBAO, "【官方正品】象印保温杯 不锈钢真空 480ml"),
    (*TMALL, "Apple/苹果 iPhone 15 手机壳 硅胶保护套"),
    (*JD, "小米 Redmi K70 12GB+256GB 晴雪"),
    (*YOUZAN, "有赞优选 云南古树普洱茶饼 357g"),
]
TOKENS = {"AbC123xyz": TAOBAO, "3vB2dDpCBdS": TMALL, "Exp1red99X": TAOBAO}
EXPIRED_TOKENS = {"Exp1red99X"}


def _item(ref):
    return ItemRef(*ref)


CASES = [
    # --- share tokens (淘口令) ---------------------------------------------------------------------
    ("yen-fullwidth", "￥AbC123xyz￥", TokenRef("AbC123xyz"), TAOBAO),
    ("yen-halfwidth", "¥AbC123xyz¥", TokenRef("AbC123xyz"), TAOBAO),
    ("euro", "€AbC123xyz€", TokenRef("AbC123xyz"), TAOBAO),
    ("paren", "(AbC123xyz)", TokenRef("AbC123xyz"), TAOBAO),
    ("paren-fullwidth", "（AbC123xyz）", TokenRef("AbC123xyz"), TAOBAO),
    ("dollar", "$AbC123xyz$", TokenRef("AbC123xyz"), TAOBAO),
    ("pound", "₤AbC123xyz₤ 打开手淘", TokenRef("AbC123xyz"), TAOBAO),
    ("chinese-around", "复制这条信息￥AbC123xyz￥，打开【手机淘宝】即可查看", TokenRef("AbC123xyz"), TAOBAO),
    ("tmall-token", "【天猫】复制整段€3vB2dDpCBdS€，打开手机淘宝，即可进入活动内容", TokenRef("3vB2dDpCBdS"), TMALL),
    (
        "short-link-tk",
        "【淘宝】https://m.tb.cn/h.UQ1GEbW?tk=3vB2dDpCBdS 「手机壳」点击链接直接打开",
        TokenRef("3vB2dDpCBdS"),
        TMALL,
    ),
    ("token-beside-short-link", "￥AbC123xyz￥ https://m.tb.cn/h.UQ1GEbW 「象印保温杯」", TokenRef("AbC123xyz"), TAOBAO),
    ("token-blank-lines", "\n  ￥AbC123xyz￥  \n", TokenRef("AbC123xyz"), TAOBAO),
    ("token-unknown", "复制这条信息￥ZzZ999yyy￥，打开【手机淘宝】", TokenRef("ZzZ999yyy"), "token_unknown"),
    ("token-expired", "€Exp1red99X€", TokenRef("Exp1red99X"), "token_expired"),
    # --- taobao / tmall links --------------------------------------------------------------------
    ("taobao-desktop", "https://item.taobao.com/item.htm?id=605123456789", _item(TAOBAO), TAOBAO),
    (
        "taobao-extra-params",
        "http://item.taobao.com/item.htm?spm=a1z10.3-c.w4002-1.9.2a3b&id=605123456789&ns=1#detail",
        _item(TAOBAO),
        TAOBAO,
    ),
    ("taobao-no-scheme", "item.taobao.com/item.htm?id=605123456789", _item(TAOBAO), TAOBAO),
    ("taobao-uppercase-host", "HTTPS://ITEM.TAOBAO.COM/item.htm?id=605123456789", _item(TAOBAO), TAOBAO),
    ("taobao-intl-mobile", "https://m.intl.taobao.com/detail/detail.html?id=605123456789", _item(TAOBAO), TAOBAO),
    ("taobao-h5", "https://h5.m.taobao.com/awp/core/detail.htm?id=605123456789&spm=a2141.7631565", _item(TAOBAO), TAOBAO),
    (
        "taobao-not-in-library",
        "https://item.taobao.com/item.htm?id=598765432109",
        _item(TAOBAO_NOT_IN_LIBRARY),
        "item_not_in_library",
    ),
    ("tmall-desktop-sku", "https://detail.tmall.com/item.htm?id=612345678901&skuId=4567890123", _item(TMALL), TMALL),
    ("tmall-trailing-slash", "https://detail.tmall.com/item.htm/?id=612345678901", _item(TMALL), TMALL),
    ("tmall-mobile", "detail.m.tmall.com/item.htm?id=612345678901&sku_properties=1627207:28341", _item(TMALL), TMALL),
    # --- jd links --------------------------------------------------------------------------------
    ("jd-desktop", "https://item.jd.com/100012043978.html", _item(JD), JD),
    ("jd-params-fragment", "item.jd.com/100012043978.html?cu=true&utm_source=kong#crumb-wrap", _item(JD), JD),
    ("jd-mobile", "https://item.m.jd.com/product/100012043978.html?gx=RnFi&ad_od=share", _item(JD), JD),
    ("jd-in-chinese", "看看这个https://item.jd.com/100012043978.html，好物推荐", _item(JD), JD),
    ("jd-fullwidth-scheme", "ｈｔｔｐｓ：／／item.jd.com/100012043978.html", _item(JD), JD),
    ("jd-unknown-item", "https://item.jd.com/100000000001.html", _item(JD_UNKNOWN), "item_not_found"),
    # --- youzan links ----------------------------------------------------------------------------
    ("youzan-shop", "https://shop123.youzan.com/v2/goods/2xabcdef12", _item(YOUZAN), YOUZAN),
    ("youzan-h5-trailing", "https://h5.youzan.com/v2/goods/2xabcdef12/?reft=1650000000000&spm=f.1", _item(YOUZAN), YOUZAN),
    ("youzan-wscgoods", "shop123.m.youzan.com/wscgoods/detail/2xabcdef12", _item(YOUZAN), YOUZAN),
    # --- refused ---------------------------------------------------------------------------------
    ("empty", "", "input_empty", "input_empty"),
    ("blank", "   \n", "input_empty", "input_empty"),
    ("plain-chinese", "这个保温杯很好用，推荐给大家", "token_unrecognised", "token_unrecognised"),
    ("mismatched-symbols", "￥AbC123xyz€", "token_unrecognised", "token_unrecognised"),
    ("token-too-short", "￥AbC12￥", "token_unrecognised", "token_unrecognised"),
    ("digits-in-brackets", "规格(12345678)", "token_unrecognised", "token_unrecognised"),
    ("baidu", "https://www.baidu.com/s?wd=保温杯", "link_unsupported", "link_unsupported"),
    ("taobao-shop-page", "https://shop123456.taobao.com/", "link_unsupported", "link_unsupported"),
    ("short-link-no-tk", "【淘宝】https://m.tb.cn/h.UQ1GEbW 「保温杯」点击链接直接打开", "link_unsupported", "link_unsupported"),
    ("pinduoduo", "https://mobile.yangkeduo.com/goods.html?goods_id=123456789", "link_unsupported", "link_unsupported"),
    ("taobao-no-id", "https://item.taobao.com/item.htm?spm=a1z10.1-c", "link_item_id_missing", "link_item_id_missing"),
    ("taobao-bad-id", "https://item.taobao.com/item.htm?id=abc123", "link_item_id_missing", "link_item_id_missing"),
    ("jd-bad-id", "https://item.jd.com/abc.html", "link_item_id_missing", "link_item_id_missing"),
    (
        "two-items",
        "https://item.taobao.com/item.htm?id=605123456789 https://item.jd.com/100012043978.html",
        "input_ambiguous",
        "input_ambiguous",
    ),
    ("two-tokens", "￥AbC123xyz￥ €Zz9Yy8Xx7€", "input_ambiguous", "input_ambiguous"),
    ("too-long", "￥AbC123xyz￥" + "好" * 2000, "input_too_long", "input_too_long"),
]
