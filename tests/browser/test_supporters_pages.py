"""The public directory in a real browser at 375 px and 1280 px: an SME finds,
compares and contacts an expert; a search with no result widens; by keyboard,
axe-clean. Set SCREENSHOT_DIR to keep a screenshot of every step."""

import os
import re

import pytest

from tests.factories import SupporterFactory
from tests.mailbox import sent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
SIZES = {"375": PHONE, "1280": DESKTOP}


def snap(page, name):
    """Keep a full-page screenshot to look at (SCREENSHOT_DIR=/tmp/shots make test)."""
    if folder := os.environ.get("SCREENSHOT_DIR"):
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def press(page, locator):
    """Activate a link or button the way a keyboard user does."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, locator, text):
    locator.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.fixture
def supporters():
    SupporterFactory(
        registration_no="000001",
        name="姓001 名001",
        regions=(),
        prefectures=("osaka",),
        residence_prefecture="osaka",
        residence_city="大阪市",
        industries=("finance",),
        themes=("policy", "incident-response"),
        fee="10k-20k",
        first_free=True,
    )
    SupporterFactory(
        registration_no="000002",
        name="姓002 名002",
        regions=("kinki",),
        residence_prefecture="kyoto",
        industries=("finance", "retail"),
        themes=("cloud",),
        fee="30k-40k",
        hidden_fields=["email"],
        self_pr="京都を中心に支援しています。",
    )
    SupporterFactory.create_batch(25)
    SupporterFactory(status="pending", name="審査中の人")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/supporters/",
        "/supporters/?region=kinki&industry=finance&theme=policy&sort=-updated",
        "/supporters/?prefecture=toyama&industry=defense",
        "/help/",
        "/for-experts/",
        "/supporters/?region=nowhere",
        "/no-such-page/",
        "/accounts/login/",
    ],
)
@pytest.mark.parametrize("size", SIZES)
def test_pages_have_no_axe_violations(page, axe, supporters, path, size):
    page.set_viewport_size(SIZES[size])
    page.goto(path)
    axe(page)
    no_sideways_scroll(page)


@pytest.mark.parametrize("size", SIZES)
def test_an_sme_finds_compares_and_contacts_an_expert(page, axe, supporters, size):
    page.set_viewport_size(SIZES[size])
    page.goto("/")
    axe(page)
    snap(page, f"sme-{size}-1-home")

    # The company is in 大阪: choose the prefecture on the home page, by keyboard.
    page.get_by_label("都道府県", exact=True).focus()
    page.get_by_label("都道府県", exact=True).select_option("osaka")
    press(page, page.get_by_role("button", name="この都道府県で支援できる専門家を探す"))
    page.wait_for_url("**/supporters/?prefecture=osaka")
    axe(page)
    no_sideways_scroll(page)
    snap(page, f"sme-{size}-2-results")

    # Results first: the count, then the applied filter as a removable tag.
    status = page.get_by_role("status")
    assert "2件の専門家が見つかりました" in status.inner_text()
    assert status.bounding_box()["y"] < (500 if size == "375" else 300)
    tag = page.get_by_role("link", name=re.compile(r"都道府県:\s*大阪府"))
    assert tag.is_visible()
    filters = page.locator(".filter-form")
    if size == "375":
        assert not filters.is_visible()  # folded away behind its toggle
        assert page.locator(".supporter-cards").is_visible() and not page.locator(".supporters-table").is_visible()
        card = page.locator(".supporter-card").first
        assert "初回相談無料" in card.inner_text() and "規程整備" in card.inner_text()
        page.locator(".filter-toggle").focus()
        page.keyboard.press("Enter")
        assert filters.is_visible()
    else:
        assert filters.is_visible()  # beside the results
        assert filters.bounding_box()["x"] < page.locator(".list-results").bounding_box()["x"]
        assert page.locator(".supporters-table").is_visible() and not page.locator(".supporter-cards").is_visible()

    # Compare: open one, back to the same results, open the other.
    first = page.get_by_role("link", name=re.compile("詳しく見る.*姓001") if size == "375" else "姓001 名001")
    press(page, first)
    page.wait_for_url(re.compile(r"/supporters/000001/\?prefecture=osaka$"))
    assert "初回相談無料" in page.locator(".key-facts").inner_text()
    axe(page)
    snap(page, f"sme-{size}-3-detail-mail")
    press(page, page.get_by_role("navigation", name="現在位置").get_by_role("link", name="専門家を探す(検索結果)"))
    page.wait_for_url(re.compile(r"/supporters/\?prefecture=osaka$"))
    second = page.get_by_role("link", name=re.compile("詳しく見る.*姓002") if size == "375" else "姓002 名002")
    press(page, second)
    page.wait_for_url(re.compile(r"/supporters/000002/"))

    # Contact the second one through the relay form; a mistake first.
    box = page.get_by_role("region", name="この専門家に相談する")
    assert "書いていただくと、話が早く進みます" in box.inner_text()
    type_into(page, page.get_by_label("お名前"), "中小 企業")
    type_into(page, page.get_by_label("メールアドレス"), "sme-at-example")
    type_into(page, page.get_by_label("相談したい内容"), "取引先からセキュリティ対策を求められました。")
    press(page, page.get_by_role("button", name="この内容で専門家に送る"))
    summary = page.get_by_role("alert")
    assert summary.bounding_box()["y"] < 600
    text = summary.inner_text()
    assert "メールアドレスは「name@example.jp」のような形で入力してください。" in text
    assert "にチェックを入れてください" in text or "同意が必要です" in text
    axe(page)
    snap(page, f"sme-{size}-4-contact-errors")
    press(page, summary.get_by_role("link", name=re.compile("メールアドレス")))
    assert page.evaluate("document.activeElement.id") == "id_email"
    type_into(page, page.get_by_label("メールアドレス"), "sme@example.jp")
    page.get_by_label(re.compile("同意します")).focus()
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="この内容で専門家に送る"))
    page.wait_for_url("**/supporters/000002/")
    assert "姓002 名002さんへ相談の内容を送りました" in page.get_by_role("status").inner_text()
    axe(page)
    snap(page, f"sme-{size}-5-contact-sent")
    relayed, copy = sent()
    assert relayed.reply_to == ["sme@example.jp"] and copy.to == ["sme@example.jp"]


@pytest.mark.parametrize("size", SIZES)
def test_a_search_with_no_result_offers_wider_ones(page, axe, supporters, size):
    page.set_viewport_size(SIZES[size])
    page.goto("/supporters/?prefecture=osaka&industry=defense")
    status = page.get_by_role("status")
    assert "条件に合う専門家は見つかりませんでした" in status.inner_text()
    assert status.bounding_box()["y"] < 500
    axe(page)
    snap(page, f"none-{size}-1-nothing")
    press(page, page.get_by_role("link", name="「得意とする業界」の条件を外す"))
    page.wait_for_url("**/supporters/?prefecture=osaka")
    assert "2件の専門家が見つかりました" in page.get_by_role("status").inner_text()
    snap(page, f"none-{size}-2-widened")


def test_filter_by_keyboard_only(page, supporters):
    page.set_viewport_size(DESKTOP)
    page.goto("/supporters/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へスキップ")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    # Tab to the region group, open it, tick 近畿 with Space, send with the button.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith("支援対象地域"):
            break
    else:
        pytest.fail("支援対象地域 is not reachable by Tab")
    page.keyboard.press("Enter")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.value") == "kinki":
            break
    else:
        pytest.fail("近畿 checkbox is not reachable by Tab")
    page.keyboard.press("Space")
    with page.expect_navigation():
        press(page, page.get_by_role("button", name="この条件で探す"))
    assert "2件の専門家が見つかりました" in page.get_by_role("status").inner_text()
    with page.expect_navigation():
        press(page, page.get_by_role("link", name=re.compile(r"地域:\s*近畿")))
    assert "27件の専門家が見つかりました" in page.get_by_role("status").inner_text()


def test_a_320px_screen_gets_cards_and_no_sideways_scroll(page, supporters):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/supporters/")
    assert page.locator(".supporter-card").first.is_visible()
    no_sideways_scroll(page)


def test_the_1280px_table_fits_without_sideways_scroll(page, supporters):
    SupporterFactory(
        registration_no="000099",
        name="長い 名前の専門家さん",
        nationwide=False,
        regions=("kanto", "kinki", "tokai"),
        prefectures=("toyama", "ishikawa", "fukui"),
        themes=("policy", "risk-analysis", "cloud", "incident-response", "staff-training", "assessment"),
        industries=("automotive", "semiconductor", "manufacturing-other", "construction", "defense"),
        updated_on="2020-01-01",
    )
    page.set_viewport_size(DESKTOP)
    page.goto("/supporters/?sort=-registration_no")
    table = page.locator(".supporters-table")
    assert table.bounding_box()["x"] + table.bounding_box()["width"] <= 1280
    no_sideways_scroll(page)
    snap(page, "table-1280")
