"""Issue J's end of two journeys in a real browser, by keyboard, at 375 px and 1280 px, axe-clean:
an imported expert claims the entry through the mailed link and changes it; an expert without an
account accepts a referral through the mailed link and only then sees the company."""

import re

import pytest
from playwright.sync_api import expect

from supporters.models import Supporter
from supporters.referrals.models import Referral
from tests.browser.conftest import WIDTHS, check_page, login, press, sized, submit, type_into
from tests.factories import PASSWORD, SupporterFactory, UserFactory
from tests.mailbox import sent
from tests.referrals.factories import CaseFactory, OrganisationFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CLAIM = re.compile(r"http://\S+(/supporters/claim/[^/\s]+/)")
ANSWER = re.compile(r"http://\S+(/referrals/answer/[^/\s]+/)")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_imported_expert_claims_the_entry_and_changes_it(page, axe, width):
    entry = SupporterFactory(
        registration_no="510001",
        name="取込 花子",
        contact_email="hanako-private@example.jp",
        self_pr="取り込んだときの自己PR",
    )
    UserFactory(email="hanako@example.jp")
    sized(page, width)
    login(page, "hanako@example.jp", PASSWORD)
    page.goto("/supporters/mine/")
    check_page(page, axe)
    submit(page.get_by_role("link", name=re.compile("このアカウントに連携する")))
    expect(page.get_by_role("heading", level=1)).to_have_text("掲載中の登録をアカウントに連携する")
    check_page(page, axe, "claim-request")
    type_into(page.get_by_label("掲載情報に登録されている連絡用メールアドレス"), "hanako-private@example.jp")
    submit(page.get_by_role("button", name="連携用のリンクを送る"))
    expect(page.get_by_role("heading", level=1)).to_have_text("連携用のリンクについて")
    check_page(page, axe)

    (message,) = sent()
    assert message.to == ["hanako-private@example.jp"]
    page.goto(CLAIM.search(message.body).group(1))
    assert "登録番号 510001" in page.get_by_role("main").inner_text()
    check_page(page, axe, "claim-link")
    submit(page.get_by_role("button", name="この登録をアカウントに連携する"))
    page.wait_for_url("**/supporters/mine/")
    expect(page.get_by_role("status")).to_contain_text("登録番号 510001 の登録を、このアカウントに連携しました")
    assert "アカウント連携" in page.get_by_role("main").inner_text()
    check_page(page, axe, "claimed-mine")
    assert Supporter.objects.get(pk=entry.pk).user.email == "hanako@example.jp"

    submit(page.get_by_role("link", name="掲載内容の変更を申請する"))
    field = page.get_by_role("textbox", name="自己PR")
    field.fill("")
    type_into(field, "連携したので自分で更新しました。")
    submit(page.get_by_role("button", name="変更を申請する"))
    page.wait_for_url("**/supporters/mine/")
    expect(page.get_by_role("status")).to_contain_text("変更申請を受け付けました")
    assert "連携したので自分で更新しました。" in page.get_by_role("main").inner_text()
    check_page(page, axe)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_expert_without_an_account_accepts_a_mailed_referral(page, axe, width):
    chamber = OrganisationFactory(name="ブラウザ商工会議所")
    member = member_of(chamber, email="chamber-browser@example.jp")
    case = CaseFactory(organisation=chamber, company_name="株式会社ブラウザ商事", contact_phone="03-9999-0000")
    expert = SupporterFactory(name="メール 太郎", contact_email="taro-private@example.jp")
    entry = case.add_candidate(expert)
    sized(page, width)
    login(page, member.email, PASSWORD)
    page.goto(case.get_absolute_url())
    candidate = page.get_by_role("list", name=re.compile("候補")).get_by_role("listitem").first
    assert "登録の連絡先メールアドレス(非公開)にメールで届きます" in candidate.inner_text()
    check_page(page, axe)
    submit(page.get_by_role("link", name=re.compile("紹介する.*メール 太郎さん")))
    assert "メールで届きます" in page.get_by_role("main").inner_text()
    check_page(page, axe)
    submit(page.get_by_role("button", name="メール 太郎さんに紹介を送る"))
    expect(page.get_by_role("status")).to_contain_text("メール 太郎さんに紹介を送りました")
    with page.expect_navigation():
        press(page.get_by_role("button", name="ログアウト"))

    (message,) = sent()
    assert message.to == ["taro-private@example.jp"] and "株式会社ブラウザ商事" not in message.body
    page.goto(ANSWER.search(message.body).group(1))
    main = page.get_by_role("main")
    assert "ブラウザ商工会議所からの紹介" in main.inner_text() and "株式会社ブラウザ商事" not in main.inner_text()
    check_page(page, axe, "referral-answer")
    radio = page.get_by_role("radio", name="受諾する")
    radio.focus()
    page.keyboard.press("Space")
    submit(page.get_by_role("button", name="回答する"))
    expect(page.get_by_role("status")).to_contain_text("紹介を受諾しました")
    assert "株式会社ブラウザ商事" in main.inner_text() and "03-9999-0000" in main.inner_text()
    check_page(page, axe, "referral-accepted")
    assert Referral.objects.get(case=case, supporter=expert).status == "accepted"
    assert entry.supporter_id == expert.pk
