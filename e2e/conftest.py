"""Real-browser tests: Selenium drives the Debian Chromium (headless) against pytest-django's
live server.

* Every test here carries the ``browser`` marker (added below). ``make test`` runs them when
  ``chromium`` and ``chromedriver`` are installed and skips them with the reason otherwise;
  ``.ci/run`` installs both, so CI always runs them.
* One Chromium for the whole session (starting it is the slow part); each test gets it with its
  cookies cleared and the window size it asks for.
* When a test fails, the page it was on is written to ``var/screenshots/<test>.png`` (and its
  HTML beside it). ``BROWSER_SCREENSHOTS=all`` also keeps a picture of every page a test looks at
  (``shot()``), which is how the phone layout is reviewed by eye.
"""

import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOT_DIR", settings.BASE_DIR / "var" / "screenshots"))
DESKTOP = (1280, 900)
PHONE = (390, 844)  # iPhone 12–15 CSS pixels


def _missing() -> str:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    if missing:
        return f"browser tests need {' and '.join(missing)} (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "browser tests need selenium (pip install -r requirements.txt)"
    return ""


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _await_request_threads(timeout: float = 10) -> None:
    """Wait for the live server's request threads: each ends by closing its database connections,
    which for the in-memory SQLite test database is the shared one, allowed only while the server
    runs (a ``DatabaseError`` in the thread otherwise)."""
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout)


@pytest.fixture(scope="session")
def _chromium(live_server):
    """Chromium depends on the live server so that it quits first: its keep-alive connections
    close, and their request threads end, before the server stops sharing the database connection."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="e2e-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--lang=zh-CN",
        f"--user-data-dir={profile}",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        _await_request_threads()
        shutil.rmtree(profile, ignore_errors=True)


class Browser:
    """The session's Chromium with the helpers the tests share."""

    def __init__(self, driver, live_server, test_name: str):
        self.driver = driver
        self.base = live_server.url
        self.test_name = re.sub(r"[^\w.-]+", "_", test_name)
        self.shots = 0

    # --- navigation and input -------------------------------------------------------------
    def get(self, path: str) -> None:
        self.driver.get(self.base + path)

    def find(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait_for(self, css: str, timeout: float = 10):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))

    def wait_text(self, css: str, text: str, timeout: float = 10):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.driver, timeout).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))

    def click(self, css: str) -> None:
        element = self.find(css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        element.click()

    def follow(self, css: str, timeout: float = 10) -> None:
        """Click what leads to another page (a link, a form's submit) and wait until that page
        has replaced this one: a wait for an element right after a plain click can find it on
        the page being left and then read a node the new page has removed ("stale element")."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        leaving = self.driver.find_element(By.TAG_NAME, "html")
        self.click(css)

        def left(driver) -> bool:
            # Chromium answers a node of the replaced document with "stale element" or with
            # "Node with given id does not belong to the document" (a plain WebDriverException).
            try:
                leaving.is_enabled()
            except WebDriverException:
                return True
            return False

        wait = WebDriverWait(self.driver, timeout)
        wait.until(left)
        wait.until(lambda driver: driver.execute_script("return document.readyState") == "complete")

    def fill(self, css: str, value: str) -> None:
        element = self.find(css)
        element.clear()
        element.send_keys(value)

    def set_value(self, css: str, value: str) -> None:
        """For inputs whose typing is locale-dependent (datetime-local): set and fire change."""
        self.driver.execute_script(
            "const el = document.querySelector(arguments[0]); el.value = arguments[1];"
            "el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));",
            css,
            value,
        )

    @property
    def text(self) -> str:
        return self.find("body").text

    # --- sessions and sizes ---------------------------------------------------------------
    def login(self, user) -> None:
        """Sign ``user`` in without the form (the login form itself is covered by a flow test)."""
        from django.conf import settings as django_settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        self.get("/accounts/login/")  # a page on the live server's origin, so the cookie can be set
        self.driver.delete_all_cookies()
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        self.driver.add_cookie({"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "path": "/"})

    def size(self, width: int, height: int) -> None:
        """Emulate a device of this CSS size (a phone honours the viewport meta tag)."""
        mobile = width < 600
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 2 if mobile else 1, "mobile": mobile},
        )

    def overflow(self) -> dict:
        """How far the page is wider than the viewport, and the widest offending elements."""
        return self.driver.execute_script(
            """
            const vw = document.documentElement.clientWidth;
            const wide = [];
            document.querySelectorAll('body *').forEach(el => {
              const r = el.getBoundingClientRect();
              if (r.right > vw + 1 && r.width > 0) {
                let inside = false;
                for (let p = el.parentElement; p; p = p.parentElement) {
                  const s = getComputedStyle(p);
                  if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') { inside = true; break; }
                }
                const name = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '');
                if (!inside) wide.push(name + ' ' + Math.round(r.right));
              }
            });
            return {scroll: document.documentElement.scrollWidth, viewport: vw, wide: wide.slice(0, 8)};
            """
        )

    def shot(self, label: str, *, force: bool = False) -> Path | None:
        """Keep a picture of the page when ``BROWSER_SCREENSHOTS=all`` (or ``force``)."""
        if not force and os.environ.get("BROWSER_SCREENSHOTS") != "all":
            return None
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        safe = re.sub(r"[^\w.-]+", "_", label)
        path = SCREENSHOTS / f"{self.test_name}-{self.shots:02d}-{safe}.png"
        self.full_page_screenshot(path)
        return path

    def full_page_screenshot(self, path: Path) -> None:
        """The whole page, not only the part in the viewport (Chrome DevTools protocol)."""
        import base64

        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1},
            },
        )
        path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture
def browser(request, _chromium, live_server):
    """The shared Chromium at desktop size with no cookies; a failing test leaves its page in
    ``var/screenshots/``."""
    browser = Browser(_chromium, live_server, request.node.name)
    _chromium.delete_all_cookies()
    browser.size(*DESKTOP)
    yield browser
    call = getattr(request.node, "rep_call", None)
    if call is not None and call.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        stem = SCREENSHOTS / f"FAILED-{browser.test_name}"
        try:
            browser.full_page_screenshot(stem.with_suffix(".png"))
            stem.with_suffix(".html").write_text(_chromium.page_source, encoding="utf-8")
        except Exception as exc:  # the picture must never hide the failure itself
            print(f"could not save a screenshot: {exc}")
        else:
            print(f"screenshot of the failing page: {stem.with_suffix('.png')}")
    try:
        _chromium.delete_all_cookies()
    except Exception:
        pass
