"""Headless Chromium (Debian's) driven by Playwright, checked with axe-core.

In CI the browser must be there: a missing browser fails the run instead of
skipping the tests.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="ja-JP", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def axe():
    from axe_playwright_python.sync_playwright import Axe

    checker = Axe()

    def check(page):
        results = checker.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        return results

    return check


def press_button(page, name):
    """Press a button by keyboard (focus, Enter) and wait for the page it leads to."""
    page.get_by_role("button", name=name).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def follow_link(page, name):
    """Follow a link by keyboard (focus, Enter)."""
    page.get_by_role("link", name=name).first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def login(page, email, password):
    """Log in through the real login form."""
    page.goto("/accounts/login/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()


def pass_second_factor(page, user):
    """On the second-factor page: type the current code of ``user``'s authenticator."""
    from django_otp.oath import totp

    page.wait_for_url("**/accounts/two-factor/**")
    device = user.totpdevice_set.get(confirmed=True)
    page.get_by_label("確認コード(6桁)").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="確認する").click()


def login_staff(page, user, password):
    """Log a staff account in as staff do: the password, then the second factor."""
    login(page, user.email, password)
    page.goto("/accounts/two-factor/verify/")
    pass_second_factor(page, user)
    page.wait_for_load_state()


def press(locator, key="Enter"):
    """Act as a keyboard user would on a control reached by Tab."""
    locator.focus()
    locator.page.keyboard.press(key)


def submit(locator):
    """Press Enter on a button or link and wait for the page it leads to."""
    with locator.page.expect_navigation():
        press(locator)


def type_into(locator, text):
    locator.focus()
    locator.page.keyboard.type(text)


WIDTHS = (375, 1280)  # a phone and a laptop
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-results" / "screenshots")
)


def sized(page, width: int):
    """Give ``page`` a viewport ``width`` pixels wide."""
    page.set_viewport_size({"width": width, "height": 900})
    return page


def check_page(page, axe, name: str = ""):
    """The page as every journey step checks it: axe-clean, no sideways pan of the page at
    its width, and (given a ``name``) a full-page screenshot under test-results/screenshots/."""
    axe(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} pans sideways by {overflow} px at {page.viewport_size['width']} px"
    if name:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png", full_page=True)
