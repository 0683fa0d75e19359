"""A chamber member refers an expert end to end, by keyboard, axe-clean."""

import re

import pytest
from playwright.sync_api import expect

from supporters.referrals.models import Referral
from tests.browser.conftest import WIDTHS, check_page, login, login_staff, sized
from tests.factories import PASSWORD, SupporterFactory, UserFactory, make_staff
from tests.referrals.factories import ExpertFactory, OrganisationFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def press(page, locator):
    """Activate a link or button the way a keyboard user does."""
    locator.focus()
    page.keyboard.press("Enter")


def tick(page, locator):
    locator.focus()
    page.keyboard.press("Space")


@pytest.fixture
def people():
    chamber = OrganisationFactory(name="テスト商工会議所", contact_email="madoguchi@chamber.example.jp")
    member = member_of(chamber, email="chamber@example.jp")
    expert = ExpertFactory(
        name="適任 専門家",
        regions=["kanto"],
        industries=["construction"],
        themes=["incident-response"],
        user=UserFactory(email="expert@example.jp"),
    )
    SupporterFactory(
        name="地域外 専門家", regions=["kyushu"], industries=["construction"], themes=["incident-response"]
    )
    SupporterFactory.create_batch(3, regions=["kanto"], industries=["retail"])
    staff = make_staff(email="staff@example.jp")
    return member, expert, staff


@pytest.mark.parametrize("width", WIDTHS)
def test_chamber_refers_and_expert_follows_to_support_start(page, axe, people, width):
    member, expert, staff = people
    SupporterFactory(
        name="口座 なし",
        email="",
        contact_email="",
        regions=["kanto"],
        industries=["construction"],
        themes=["incident-response"],
    )
    sized(page, width)
    login(page, member.email, PASSWORD)
    page.goto("/referrals/")
    page.wait_for_url("**/referrals/cases/")
    check_page(page, axe)

    press(page, page.get_by_role("link", name="新しい相談案件を登録する"))
    page.wait_for_url("**/referrals/cases/new/")
    check_page(page, axe)
    press(page, page.get_by_role("button", name="登録する"))
    summary = page.get_by_role("alert")
    assert "企業名: 企業名を入力してください。" in summary.inner_text()
    check_page(page, axe, "case-form-errors")

    page.get_by_label("企業名").focus()
    page.keyboard.type("株式会社テスト建設")
    page.get_by_label("所在地(都道府県)").select_option("tokyo")
    page.get_by_label("業種").select_option("construction")
    tick(page, page.get_by_role("group", name="相談したい指導テーマ").get_by_label("インシデント対応"))
    press(page, page.get_by_role("button", name="登録する"))
    page.wait_for_url(re.compile(r"/referrals/cases/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("株式会社テスト建設")
    check_page(page, axe)

    press(page, page.get_by_role("link", name="候補の専門家を探す"))
    page.wait_for_url(re.compile(r"/shortlist/$"))
    results = page.get_by_role("region", name=re.compile("専門家"))
    assert "適任 専門家" in results.inner_text() and "地域外 専門家" not in results.inner_text()
    check_page(page, axe)
    # Before any click, each result says how a referral would reach that expert.
    assert "サイトとメールで届きます" in results.get_by_role("row", name=re.compile("適任 専門家")).inner_text()
    assert "サイトからは届きません" in results.get_by_role("row", name=re.compile("口座 なし")).inner_text()
    check_page(page, axe, "shortlist-search")
    press(page, page.get_by_role("button", name=re.compile("候補に追加.*適任 専門家さん")))
    page.wait_for_url(re.compile(r"/shortlist/$"))
    assert "第1希望: 適任 専門家" in page.locator(".shortlist-summary").inner_text()
    with page.expect_navigation():
        press(page, page.get_by_role("button", name=re.compile("候補に追加.*口座 なしさん")))
    check_page(page, axe)

    press(page, page.get_by_role("link", name="案件に戻って順番を並べ替える・紹介する"))
    page.wait_for_url(re.compile(r"/referrals/cases/\d+/#shortlist-heading$"))
    press(page, page.get_by_role("link", name="紹介票を開く(印刷用)"))
    page.wait_for_url(re.compile(r"/sheet/$"))
    assert "第1希望 適任 専門家" in page.get_by_role("main").inner_text()
    check_page(page, axe)
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="サイト全体").is_visible()
    page.emulate_media(media="screen")
    press(page, page.get_by_role("link", name="案件のページに戻る"))
    page.wait_for_url(re.compile(r"/referrals/cases/\d+/$"))

    # The candidate without an account: said plainly, and no button that would fail.
    shortlist = page.get_by_role("list", name=re.compile("候補"))
    assert "サイトからは届きません" in shortlist.get_by_role("listitem").filter(has_text="口座 なし").inner_text()
    assert page.get_by_role("link", name=re.compile("紹介する.*口座 なしさん")).count() == 0
    check_page(page, axe, "case-shortlist")
    # Sending asks first, on a page of its own.
    press(page, page.get_by_role("link", name=re.compile("紹介する.*適任 専門家さん")))
    page.wait_for_url(re.compile(r"/refer/$"))
    assert "サイトの「紹介された相談」とメールで届きます。" in page.get_by_role("main").inner_text()
    check_page(page, axe, "refer-confirm")
    assert not Referral.objects.exists()
    press(page, page.get_by_role("button", name="適任 専門家さんに紹介を送る"))
    expect(page.get_by_role("status")).to_contain_text("適任 専門家さんに紹介を送りました。")
    check_page(page, axe)
    referral = Referral.objects.get()
    page.goto("/referrals/cases/")
    assert "専門家の回答を待っています。" in page.get_by_role("main").inner_text()
    check_page(page, axe, "case-list")

    with page.expect_navigation():
        press(page, page.get_by_role("button", name="ログアウト"))
    login(page, "expert@example.jp", PASSWORD)
    page.goto("/referrals/")
    page.wait_for_url("**/referrals/inbox/")
    assert "テスト建設" not in page.get_by_role("main").inner_text()
    check_page(page, axe)
    press(page, page.get_by_role("link", name="テスト商工会議所"))
    page.wait_for_url(f"**/referrals/inbox/{referral.pk}/")
    assert "テスト建設" not in page.get_by_role("main").inner_text()
    check_page(page, axe)

    for choice, status in [("受諾する", "受諾"), ("面談済にする", "面談済"), ("支援開始にする", "支援開始")]:
        tick(page, page.get_by_role("radio", name=choice))
        press(page, page.get_by_role("button", name="記録する"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"状況 {status}")
        check_page(page, axe)
    assert "株式会社テスト建設" in page.get_by_role("main").inner_text()

    with page.expect_navigation():
        press(page, page.get_by_role("button", name="ログアウト"))
    login(page, member.email, PASSWORD)
    page.goto(f"/referrals/cases/{referral.case_id}/referrals/{referral.pk}/")
    history = page.get_by_role("main").inner_text()
    assert "面談済 → 支援開始" in history
    check_page(page, axe)
    page.goto("/referrals/cases/")
    states = page.get_by_role("main").inner_text()
    assert "支援開始" in states and "支援が終わったら「完了」を記録します。" in states
    check_page(page, axe, "case-list-started")


def test_flow_and_inbox_panel_pages_are_axe_clean(page, axe, people):
    member, expert, staff = people
    from supporters.referrals.models import Case

    case = Case.objects.create(
        organisation=member.referral_membership.organisation,
        company_name="X社",
        prefecture="tokyo",
        industry="retail",
        themes=["policy"],
    )
    Referral.objects.start(case=case, supporter=expert, actor=member)
    login_staff(page, staff, PASSWORD)
    page.goto("/referrals/flow/")
    assert page.locator("svg[role=img] title").count() == 5
    axe(page)
