"""A layperson's way in, in a real browser at 375 px and 1280 px, by keyboard:
the guided search's questions to the list, a tile of the map to its
prefecture's list, the incident page, and the open figures; axe-clean."""

import re

import pytest

from tests.browser.conftest import WIDTHS, check_page, press, sized, submit
from tests.factories import SupporterFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory():
    SupporterFactory(name="東京 規程", regions=("kanto",), themes=("policy",), forms=("visit", "remote"))
    SupporterFactory(name="全国 対応", nationwide=True, regions=(), themes=("policy", "incident-response"))
    SupporterFactory(name="大阪 クラウド", regions=(), prefectures=("osaka",), themes=("cloud",), fee="free")


def choose(page, label):
    """Tick a radio by keyboard (focus, Space)."""
    press(page.get_by_label(label, exact=True), "Space")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_layperson_answers_the_questions_and_reaches_the_list(page, axe, directory, width):
    sized(page, width)
    page.goto("/")
    check_page(page, axe, "guide-0-home")
    submit(page.get_by_role("link", name="質問に答えて専門家を探す").first)
    page.wait_for_url("**/guide/")
    check_page(page, axe, "guide-1-prefecture")

    # A question skipped: told why, at the top, with a link to the question.
    submit(page.get_by_role("button", name="次の質問へ"))
    alert = page.get_by_role("alert")
    assert "答えを1つ選んでください" in alert.inner_text()
    check_page(page, axe)

    select = page.get_by_label("会社はどの都道府県にありますか?")
    select.focus()
    select.select_option("tokyo")
    submit(page.get_by_role("button", name="次の質問へ"))
    page.wait_for_url("**/guide/industry/?prefecture=tokyo")
    assert "質問 2 / 5" in page.inner_text("main")
    check_page(page, axe, "guide-2-industry")
    choose(page, "わからない・業種は問わない")
    submit(page.get_by_role("button", name="次の質問へ"))

    page.wait_for_url("**/guide/worry/**")
    check_page(page, axe, "guide-3-worry")
    choose(page, "社内のルール(情報セキュリティの決まりごと)がない")
    submit(page.get_by_role("button", name="次の質問へ"))

    page.wait_for_url("**/guide/how/**")
    choose(page, "こだわらない")
    submit(page.get_by_role("button", name="次の質問へ"))

    page.wait_for_url("**/guide/budget/**")
    check_page(page, axe, "guide-4-budget")
    choose(page, "まだ決めていない・こだわらない")
    submit(page.get_by_role("button", name="合う専門家を表示する"))

    page.wait_for_url(re.compile(r"/supporters/\?prefecture=tokyo&theme=policy&worry=no-rules&how=any&budget=any$"))
    assert "2件の専門家が見つかりました" in page.get_by_role("status").inner_text()
    note = page.locator(".guided-note")
    assert (
        "困っていること「社内のルール(情報セキュリティの決まりごと)がない」→ 指導テーマ: 規程整備" in note.inner_text()
    )
    assert "都道府県の代わりに地域(関東)全体で探す" in note.inner_text()
    check_page(page, axe, "guide-5-list")

    # Back goes to the last question, its answer still chosen.
    page.go_back()
    page.wait_for_url("**/guide/budget/**")
    assert page.get_by_label("まだ決めていない・こだわらない", exact=True).is_checked()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_incident_now_comes_first_then_experts_for_emergencies(page, axe, directory, width):
    sized(page, width)
    page.goto("/guide/worry/?prefecture=osaka&industry=any")
    choose(page, "ランサムウェアや不審なメールなど、今まさに被害が起きている")
    submit(page.get_by_role("button", name="次の質問へ"))
    page.wait_for_url("**/guide/urgent/**")
    main = page.inner_text("main")
    assert "ネットワークから切り離します" in main and "110番" in main
    assert (
        page.get_by_role("link", name="IPA 情報セキュリティ安心相談窓口").get_attribute("href").startswith("https://")
    )
    check_page(page, axe, "guide-urgent")
    submit(page.get_by_role("link", name="予算は決めずに、いますぐ専門家を表示する"))
    page.wait_for_url(re.compile(r"/supporters/\?prefecture=osaka&theme=incident-response&form=emergency"))
    # Nobody here offers 緊急対応: the page says how to widen, not a dead end.
    assert "条件に合う専門家は見つかりませんでした" in page.get_by_role("status").inner_text()
    assert page.get_by_role("link", name="都道府県の代わりに地域(近畿)全体で探す").is_visible()
    assert page.get_by_role("link", name="質問に答えて専門家を探す").count() >= 1
    check_page(page, axe, "guide-urgent-list")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_map_tile_leads_to_its_prefecture_and_the_figures_are_open(page, axe, directory, width):
    sized(page, width)
    page.goto("/")
    tile = page.get_by_role("link", name="大阪府 2人")
    submit(tile)
    page.wait_for_url("**/supporters/?prefecture=osaka")
    assert "2件の専門家が見つかりました" in page.get_by_role("status").inner_text()
    assert page.get_by_role("link", name="大阪府 2人").count() == 1  # the map on the list too
    check_page(page, axe, "map-list")

    page.goto("/stats/")
    assert "掲載中の専門家3人" in page.inner_text("main")
    assert page.get_by_role("table", name="指導テーマ別の専門家数(複数登録あり)").is_visible()
    check_page(page, axe, "stats")
    with page.expect_download() as download:
        press(page.get_by_role("link", name="すべての数をCSV(Excel用)でダウンロード"))
    assert download.value.suggested_filename.startswith("shienlist-stats-")
