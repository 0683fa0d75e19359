"""The assessment pages outside the main flow, axe-clean with real data."""

import re

import pytest

from assessments.catalogue import install_seed_catalogue
from assessments.models import CompanyInvitation, Invitation, Side
from tests.assessments.factories import expert_with_account, hold_meetings, make_assessment
from tests.browser.conftest import WIDTHS, check_page, login, login_staff, sized
from tests.factories import PASSWORD, UserFactory, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def planning():
    install_seed_catalogue()
    company_user = UserFactory(email="company@example.jp")
    _, supporter = expert_with_account(registration_no="012345")
    a = make_assessment(company_user=company_user, expert=supporter, stage="planning")
    hold_meetings(a)
    revision = a.sheet_revisions.create(side=Side.COMPANY, version=1, data={}, saved_by=company_user)
    invitation, _ = Invitation.new(assessment=a, side=Side.EXPERT, supporter=supporter)
    invitation.save()
    return a, company_user, revision


def test_assessment_pages_have_no_axe_violations(page, axe, planning):
    a, company_user, revision = planning
    login(page, company_user.email, PASSWORD)
    base = f"/assessments/{a.pk}/"
    for path in [
        "/assessments/",
        base,
        base + "sheet/",
        base + "summary/",
        base + "plan/",
        base + "plan/1/",
        base + "meetings/",
        base + "invite/",
        base + "sheet/history/",
        f"{base}sheet/history/{revision.pk}/",
        base + "plan/edit/",
        "/assessments/new/",
        "/assessments/join/no-such-token/",
    ]:
        page.goto(path)
        axe(page)


def test_stale_save_page_has_no_axe_violations_and_keeps_input(page, browser, live_server, axe, planning):
    a, company_user, _ = planning
    login(page, company_user.email, PASSWORD)
    page.goto(f"/assessments/{a.pk}/sheet/edit/")
    field = page.get_by_label("結果に関するコメント(ポリシー)")
    field.fill("わたしの入力")
    # Someone else saves in the meantime.
    a.refresh_from_db()
    a.company_version += 1
    a.save(update_fields=["company_version"])
    page.get_by_role("button", name="保存する").press("Enter")
    page.wait_for_selector("#stale-title")
    assert page.get_by_label("結果に関するコメント(ポリシー)").input_value() == "わたしの入力"
    axe(page)


def test_error_summary_links_to_the_field(page, axe, planning):
    a, company_user, _ = planning
    login(page, company_user.email, PASSWORD)
    page.goto(f"/assessments/{a.pk}/meetings/")
    page.locator("#id_form-0-end_time").fill("13:00")
    page.get_by_role("button", name="保存する").press("Enter")
    summary = page.get_by_role("alert")
    summary.wait_for()
    link = summary.get_by_role("link", name=re.compile("終了時刻"))
    assert link.get_attribute("href") == "#id_form-0-end_time"
    axe(page)


def test_company_users_pages_have_no_axe_violations(page, axe, planning):
    a, company_user, _ = planning
    a.company.members.add(UserFactory(email="colleague@example.jp", last_name="佐藤", first_name="花子"))
    invitation, token = CompanyInvitation.new(company=a.company, email="new@example.jp", created_by=company_user)
    invitation.save()
    login(page, company_user.email, PASSWORD)
    page.goto(f"/assessments/companies/{a.company.pk}/members/")
    axe(page)
    page.get_by_label("招待する方のメールアドレス").fill("not-an-address")
    page.get_by_role("button", name="招待を送る").click()
    page.get_by_role("link", name=re.compile("name@example.jp")).click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    axe(page)
    page.context.clear_cookies()
    page.goto(f"/assessments/companies/join/{token}/")
    assert page.get_by_role("heading", name="アカウントを作成して参加する").is_visible()
    axe(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_read_an_assessment_at_both_widths(page, axe, planning, width):
    a, _, _ = planning
    staff = make_staff(email="staff@example.jp")
    sized(page, width)
    login_staff(page, staff, PASSWORD)
    base = f"/assessments/{a.pk}/"
    for path, name in [(base, "staff-detail"), (base + "sheet/", "staff-sheet"), (base + "plan/", "staff-plan")]:
        page.goto(path)
        check_page(page, axe, name)
    # Read only: no button to agree or edit.
    assert page.get_by_role("button", name="この内容で合意する").count() == 0
    page.goto(base + "sheet/")
    assert page.get_by_role("link", name=re.compile("を記入する")).count() == 0
    assert "SCS評価制度は現在立ち上げ検討中" in page.get_by_role("note").inner_text()
