"""Journeys by role at 375 px and 1280 px, by keyboard, axe-clean: an expert
finds the way in and applies (with a saved draft); each role lands on its own
start page with a menu of what it can use; IPA staff approve from the queue."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from supporters.models import Supporter
from tests.browser.conftest import login, pass_second_factor
from tests.browser.test_supporters_pages import SIZES, no_sideways_scroll, press, snap, type_into
from tests.factories import SupporterFactory
from tests.mailbox import sent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "kiwi-orange-2026!"


def menu(page) -> list[str]:
    return page.get_by_role("navigation", name="サイト全体").get_by_role("link").all_inner_texts()


def open_details(page, summary_text):
    page.locator("summary", has_text=summary_text).first.focus()
    page.keyboard.press("Enter")


def tick(page, selector):
    page.locator(selector).focus()
    page.keyboard.press("Space")


@pytest.mark.parametrize("size", SIZES)
def test_an_expert_finds_the_way_in_and_applies(page, axe, size):
    SupporterFactory.create_batch(3)
    page.set_viewport_size(SIZES[size])
    page.goto("/")
    press(page, page.get_by_role("link", name="専門家として掲載を希望する方へ").last)
    page.wait_for_url("**/for-experts/")
    axe(page)
    no_sideways_scroll(page)
    snap(page, f"expert-{size}-1-for-experts")
    press(page, page.get_by_role("link", name="アカウントを作って申請を始める"))
    page.wait_for_url("**/accounts/signup/?next=/supporters/apply/")
    email = f"way-in-{size}@example.jp"
    type_into(page, page.get_by_label("メールアドレス"), email)
    type_into(page, page.locator("#id_password1"), PASSWORD)
    type_into(page, page.locator("#id_password2"), PASSWORD)
    press(page, page.get_by_role("button", name="確認メールを送る"))
    link = re.search(r"https?://\S+(/accounts/verify/\S+)", sent()[-1].body).group(1)
    page.goto(link)
    # The link's page asks for the sign-up password (only the mailbox's owner knows both), then goes on.
    axe(page)
    type_into(page, page.get_by_label("パスワード"), PASSWORD)
    press(page, page.get_by_role("button", name="アカウントを有効にする"))
    page.wait_for_url("**/supporters/apply/")
    assert "メールアドレスを確認し" in page.get_by_role("status").inner_text()
    axe(page)
    assert "専門家として登録を申請する" in page.get_by_role("heading", level=1).inner_text()

    # Part of it now, saved as a draft.
    type_into(page, page.locator("#id_registration_no"), "765432")
    type_into(page, page.locator("#id_name"), "入口 見つけ")
    press(page, page.get_by_role("button", name="一時保存する(まだ申請しない)"))
    page.wait_for_url("**/supporters/apply/")
    assert "一時保存しました" in page.get_by_role("status").inner_text()
    assert page.locator("#id_name").input_value() == "入口 見つけ"
    assert Supporter.objects.get(registration_no="765432").status == Supporter.Status.DRAFT
    snap(page, f"expert-{size}-2-draft")

    # The rest, with the date as it is on the card, and the area asked once.
    type_into(page, page.locator("#id_valid_until"), "R10.3.31")
    type_into(page, page.locator("#id_name_kana"), "いりぐち みつけ")
    page.locator("#id_residence_prefecture").select_option("osaka")
    open_details(page, "近畿")
    tick(page, "input[name=area][value='pref:osaka']")
    tick(page, "input[name=area][value='pref:kyoto']")
    tick(page, "input[name=themes][value=policy]")
    axe(page)
    snap(page, f"expert-{size}-3-form")
    press(page, page.get_by_role("button", name="この内容で申請する"))
    page.wait_for_url("**/supporters/mine/")
    assert "登録申請を受け付けました" in page.get_by_role("status").inner_text()
    assert "審査待ち" in page.content()
    axe(page)
    snap(page, f"expert-{size}-4-mine")
    entry = Supporter.objects.get(registration_no="765432")
    assert entry.status == Supporter.Status.PENDING and str(entry.valid_until) == "2028-03-31"
    assert entry.prefectures.ordered() == ["kyoto", "osaka"]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


ROLES = {
    "expert": ("demo-expert@example.jp", "/supporters/mine/", ["マイページ", "紹介された相談"], ["紹介案件"]),
    "company": ("demo-company@example.jp", "/assessments/", ["アセスメント"], ["マイページ", "紹介案件"]),
    "organisation": ("demo-chamber@example.jp", "/referrals/cases/", ["紹介案件"], ["マイページ", "アセスメント"]),
}


@pytest.mark.parametrize("size", SIZES)
def test_each_role_lands_on_its_start_page(page, axe, demo, size):
    page.set_viewport_size(SIZES[size])
    for role, (email, start, shown, hidden) in ROLES.items():
        page.context.clear_cookies()
        login(page, email, "demo-password")
        page.wait_for_url(f"**{start}")
        items = menu(page)
        assert set(shown) <= set(items) and not set(hidden) & set(items), (role, items)
        axe(page)
        no_sideways_scroll(page)
        snap(page, f"start-{size}-{role}")
    # Staff: the password, the second factor, then the review queue.
    page.context.clear_cookies()
    staff = get_user_model().objects.get(username="demo-staff@example.jp")
    login(page, staff.email, "demo-password")
    pass_second_factor(page, staff)
    page.wait_for_url("**/admin/supporters/supporter/review-queue/")
    assert "審査待ち 6件" in page.content()
    snap(page, f"start-{size}-staff")


@pytest.mark.parametrize("size", SIZES)
def test_staff_approve_from_the_queue(page, axe, demo, size):
    page.set_viewport_size(SIZES[size])
    staff = get_user_model().objects.get(username="demo-staff@example.jp")
    login(page, staff.email, "demo-password")
    pass_second_factor(page, staff)
    page.goto("/admin/")
    tasks = page.get_by_role("region", name="対応を待っているもの")
    assert "新規の掲載申請\n5件\n掲載内容の変更申請\n1件" in tasks.inner_text()
    axe(page)
    snap(page, f"staff-{size}-1-admin-index")
    press(page, tasks.get_by_role("link", name=re.compile("新規の掲載申請")))
    page.wait_for_url("**/review-queue/")
    axe(page)
    press(page, page.get_by_role("link", name=re.compile(r"審査する.*申請01 太郎の新規申請")))
    page.wait_for_url("**/review/")
    axe(page)
    page.get_by_label("承認する(掲載・反映)").focus()
    page.keyboard.press("Space")
    snap(page, f"staff-{size}-2-review")
    press(page, page.get_by_role("button", name="この判断で確定し、本人に通知する"))
    page.wait_for_url("**/review-queue/")
    assert "900001 申請01 太郎: 申請を承認し、リストに掲載しました。本人にメールで知らせました。" in page.content()
    assert "審査待ち 5件" in page.content()
    snap(page, f"staff-{size}-3-approved")
    assert Supporter.objects.get(registration_no="900001").status == Supporter.Status.PUBLISHED
    page.goto("/supporters/900001/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("申請01 太郎")
