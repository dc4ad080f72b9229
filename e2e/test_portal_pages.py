"""Every portal page opens in a real browser at desktop and at phone size (SPEC §11: on a 390 px
wide screen every page fits its width)."""

import pytest

from e2e.conftest import DESKTOP, PHONE
from e2e.pages import portal_data, portal_pages

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_portal_page_renders_and_fits(browser, size):
    # given a merchant with a report, a task, complaints and a storefront
    data = portal_data()
    browser.login(data.merchant)
    browser.size(*size)
    problems = []
    for label, path in portal_pages(data):
        # when the merchant opens the page
        browser.get(path)
        browser.shot(f"{label}-{size[0]}")
        # then it is the portal page (not a login, error or debug page), in Chinese
        heading = browser.find_all("main h1")
        if not heading or not browser.find_all("header.topbar"):
            problems.append(f"{label}: no portal heading ({browser.driver.title})")
            continue
        if "商家" not in browser.find("header.topbar").get_attribute("textContent"):
            problems.append(f"{label}: the navigation is not in Chinese")
        # and nothing is wider than the screen
        overflow = browser.overflow()
        if overflow["scroll"] > overflow["viewport"]:
            problems.append(f"{label}: {overflow['scroll']}px wide in a {overflow['viewport']}px viewport: {overflow['wide']}")
    assert not problems, "\n".join(problems)


def test_phone_navigation_folds_into_a_menu(browser):
    # given a merchant on a phone
    data = portal_data()
    browser.login(data.merchant)
    browser.size(*PHONE)
    browser.get("/tickets/metrics/")
    links = browser.find_all(".mainnav a")
    # then the sections are behind the menu button
    assert links and not any(link.is_displayed() for link in links)
    # when they tap it, the sections show, and only the page's own tab is highlighted
    browser.click(".menu-toggle")
    assert all(link.is_displayed() for link in links)
    assert [link.text for link in browser.find_all(".mainnav a.active")] == ["服务指标"]
    browser.shot("menu-open")
