"""Headless Chromium (Debian's) driven by Playwright, checked with axe-core.

In CI the browser must be there: a missing browser fails the run instead of
skipping the tests.
"""

import os

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
