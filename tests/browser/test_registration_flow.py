"""An expert's whole registration lifecycle in a real browser, by keyboard,
with axe-core on every page the expert sees."""

import datetime
import re

import pytest
from django.utils import timezone

from supporters import services
from supporters.models import ChangeRequest, Supporter
from tests.factories import SupporterFactory, UserFactory
from tests.mailbox import sent

from .conftest import follow_link, press_button

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EMAIL = "browser-expert@example.jp"
PASSWORD = "kiwi-orange-2026!"


def type_into(page, selector, text):
    field = page.locator(selector)
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def tick(page, selector):
    page.locator(selector).focus()
    page.keyboard.press("Space")


def choose(page, selector, value):
    """Move a focused <select> with the arrow keys until it shows ``value``."""
    field = page.locator(selector)
    field.focus()
    for _ in range(60):
        if field.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{value} not reachable in {selector}")


def fill_application(page, kana):
    type_into(page, "#id_registration_no", "765432")
    valid = timezone.localdate() + datetime.timedelta(days=800)
    type_into(page, "#id_valid_until", valid.strftime("%Y/%m/%d"))
    type_into(page, "#id_name", "鍵盤 操作")
    type_into(page, "#id_name_kana", kana)
    choose(page, "#id_residence_prefecture", "kyoto")
    type_into(page, "#id_self_pr", "キーボードだけで申請しました。")
    type_into(page, "#id_support_description", "規程づくり")
    page.locator("summary", has_text="近畿").first.focus()
    page.keyboard.press("Enter")  # the region folds open
    tick(page, "input[name=area][value='region:kinki']")
    tick(page, "input[name=themes][value=policy]")
    tick(page, "input[name=forms][value=remote]")


def test_apply_return_fix_approve_change_confirm_and_end(page, axe):
    staff = UserFactory(email="staff-browser@example.jp", is_staff=True)
    SupporterFactory.create_batch(3)

    # Sign up and verify the address.
    page.goto("/accounts/signup/")
    axe(page)
    type_into(page, "#id_email", EMAIL)
    type_into(page, "#id_password1", PASSWORD)
    type_into(page, "#id_password2", PASSWORD)
    press_button(page, "確認メールを送る")
    page.wait_for_url("**/accounts/signup/")
    assert "確認メールを送りました" in page.content()
    axe(page)
    link = re.search(r"https?://\S+(/accounts/verify/\S+/)", sent()[-1].body).group(1)
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "アカウントを有効にする"
    axe(page)
    type_into(page, "#id_password", PASSWORD)
    press_button(page, "アカウントを有効にする")
    page.wait_for_url("**/")
    assert "アカウントを有効にしました" in page.content()

    # Apply, first with a mistake.
    page.goto("/supporters/mine/")
    axe(page)
    follow_link(page, "専門家(登録セキスペ)として掲載を申請する")
    page.wait_for_url("**/supporters/apply/")
    axe(page)
    fill_application(page, "Kenban")
    press_button(page, "この内容で申請する")
    page.wait_for_selector(".error-summary")
    assert "カタカナで入力してください" in page.locator(".error-summary").inner_text()
    axe(page)
    assert page.locator("#id_self_pr").input_value() == "キーボードだけで申請しました。"
    type_into(page, "#id_name_kana", "けんばん そうさ")
    press_button(page, "この内容で申請する")
    page.wait_for_url("**/supporters/mine/")
    assert "審査待ち" in page.content()
    axe(page)

    # Staff return it; the expert fixes and resubmits.
    entry = Supporter.objects.get(registration_no="765432")
    services.review(item=entry, action="return", by=staff, reason="企業支援内容を具体的に書いてください")
    page.reload()
    assert "企業支援内容を具体的に書いてください" in page.content()
    axe(page)
    follow_link(page, "申請内容を修正して再申請する")
    page.wait_for_url("**/supporters/mine/edit/")
    axe(page)
    assert page.locator("#id_name").input_value() == "鍵盤 操作"
    type_into(page, "#id_support_description", "情報セキュリティ規程の策定支援")
    press_button(page, "修正して再申請する")
    page.wait_for_url("**/supporters/mine/")

    # Staff approve: the entry is on the public list.
    entry.refresh_from_db()
    services.review(item=entry, action="approve", by=staff)
    page.goto("/supporters/")
    assert page.get_by_role("link", name="鍵盤 操作").is_visible()

    # A change waits for approval; the list keeps the published text.
    page.goto("/supporters/mine/")
    axe(page)
    follow_link(page, "掲載内容の変更を申請する")
    page.wait_for_url("**/supporters/mine/edit/")
    type_into(page, "#id_self_pr", "変更後の自己PRです。")
    press_button(page, "変更を申請する")
    page.wait_for_url("**/supporters/mine/")
    assert "変更申請(審査待ち)" in page.content()
    axe(page)
    page.goto("/supporters/765432/")
    assert "変更後の自己PRです。" not in page.content()
    services.review(item=ChangeRequest.objects.get(), action="approve", by=staff)
    page.reload()
    assert "変更後の自己PRです。" in page.content()

    # 内容に変更なし, then end the listing.
    page.goto("/supporters/mine/")
    press_button(page, "内容に変更なし")
    page.wait_for_url("**/supporters/mine/")
    assert "最終更新日を今日の日付にしました" in page.get_by_role("status").inner_text()
    follow_link(page, "掲載を終了する")
    page.wait_for_url("**/supporters/mine/end/")
    axe(page)
    type_into(page, "#id_reason", "活動を休止するため")
    press_button(page, "掲載を終了する")
    page.wait_for_url("**/supporters/mine/")
    assert "掲載終了" in page.content()
    axe(page)
    page.goto("/supporters/")
    assert page.get_by_role("link", name="鍵盤 操作").count() == 0


def test_contact_form_page_has_no_axe_violations(page, axe):
    SupporterFactory(registration_no="600001", hidden_fields=["email"], user=UserFactory())
    page.goto("/supporters/600001/")
    assert page.get_by_role("heading", name="この専門家に相談する").is_visible()
    axe(page)
    press_button(page, "この内容で専門家に送る")
    page.wait_for_selector(".error-summary")
    axe(page)
