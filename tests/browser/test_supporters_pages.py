"""The public directory in a real browser: axe-clean and usable by keyboard."""

import re

import pytest

from tests.factories import SupporterFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def supporters():
    SupporterFactory(
        name="姓001 名001",
        regions=("kinki",),
        residence_prefecture="osaka",
        residence_city="大阪市",
        industries=("finance",),
    )
    SupporterFactory.create_batch(25)
    SupporterFactory(status="pending", name="審査中の人")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/supporters/",
        "/supporters/?region=kinki&industry=finance&theme=policy&sort=-updated",
        "/help/",
        "/supporters/?region=nowhere",
        "/no-such-page/",
        "/accounts/login/",
    ],
)
def test_pages_have_no_axe_violations(page, axe, supporters, path):
    page.goto(path)
    axe(page)


def test_detail_page_has_no_axe_violations(page, axe, supporters):
    page.goto("/supporters/?region=kinki")
    page.get_by_role("link", name="姓001 名001").click()
    page.wait_for_url(re.compile(r"/supporters/\d{6}/\?region=kinki$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("姓001 名001")
    axe(page)
    # The breadcrumb leads back to the same filtered list.
    page.get_by_role("navigation", name="現在位置").get_by_role("link", name="専門家を探す(検索結果)").click()
    page.wait_for_url(re.compile(r"/supporters/\?region=kinki$"))


def test_filter_by_keyboard_only(page, supporters):
    page.goto("/supporters/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へスキップ")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    # Reach the 近畿 checkbox by Tab alone, tick it with Space, submit with Enter.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.value") == "kinki":
            break
    else:
        pytest.fail("近畿 checkbox is not reachable by Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_url("**region=kinki*")
    assert "1件が見つかりました" in page.get_by_role("status").inner_text()
    assert page.get_by_role("link", name="姓001 名001").is_visible()


def test_table_keeps_row_headers_when_scrolled_sideways_at_320px(page, supporters):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/supporters/")
    region = page.get_by_role("region", name="専門家一覧")
    before = page.locator("tbody th").first.bounding_box()
    region.evaluate("el => el.scrollLeft = 600")
    after = page.locator("tbody th").first.bounding_box()
    assert region.evaluate("el => el.scrollLeft") > 0
    assert after["x"] == pytest.approx(before["x"], abs=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
