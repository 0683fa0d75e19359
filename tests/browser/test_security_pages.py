"""Second-factor pages and refusal pages: axe-clean and usable by keyboard, under the real CSP."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.catalogue import install_seed_catalogue
from tests.assessments.factories import make_assessment
from tests.browser.conftest import login, pass_second_factor
from tests.factories import PASSWORD, UserFactory, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_sets_up_totp_by_keyboard_and_reaches_admin(page, axe, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    UserFactory(email="staff@example.jp", is_staff=True)
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    login(page, "staff@example.jp", PASSWORD)
    page.goto("/admin/")
    page.wait_for_url("**/accounts/two-factor/**")
    axe(page)
    device = TOTPDevice.objects.get(user__username="staff@example.jp")
    page.get_by_label("確認コード(6桁)").fill("123")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("alert").is_visible()
    axe(page)
    page.get_by_label("確認コード(6桁)").fill(f"{totp(device.bin_key):06d}")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/")
    assert "管理" in page.title()
    assert csp_errors == []


def test_locked_out_page_is_accessible(page, axe):
    UserFactory(email="victim@example.jp")
    for _ in range(5):
        login(page, "victim@example.jp", "wrong-password")
    login(page, "victim@example.jp", PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "ログインを一時的に制限しています"
    axe(page)


def test_staff_pass_the_second_factor_once_then_every_staff_page_opens(page, axe):
    """A staff password alone opens no staff page; after the code, every one does, for the session."""
    install_seed_catalogue()
    assessment = make_assessment(company_user=UserFactory(email="company@example.jp"), stage="inviting")
    staff = make_staff(email="staff@example.jp")
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, staff.email, PASSWORD)
    page.goto("/seminars/report/")
    page.wait_for_url("**/accounts/two-factor/verify/?next=%2Fseminars%2Freport%2F")
    axe(page)
    pass_second_factor(page, staff)
    page.wait_for_url("**/seminars/report/")
    assert page.get_by_role("heading", level=1).inner_text() == "セミナー実施報告"
    page.set_viewport_size({"width": 1280, "height": 900})
    for path, heading in [
        ("/referrals/flow/", "案件発生状況"),
        ("/seminars/report/follow-up/", "登録フォローアップ"),
        (assessment.get_absolute_url(), assessment.company.name),
    ]:
        page.goto(path)
        assert page.url.endswith(path), f"asked again for {path}"
        assert heading in page.get_by_role("heading", level=1).inner_text()
    page.goto("/admin/")
    assert page.url.endswith("/admin/") and "管理" in page.title()


@pytest.mark.parametrize("width", [375, 1280])
def test_a_refused_request_says_why_in_japanese_and_leads_home(page, axe, width):
    page.set_viewport_size({"width": width, "height": 800})
    response = page.goto("/supporters/?" + "&".join(f"x{i}=1" for i in range(1_001)))
    assert response.status == 400
    assert page.get_by_role("heading", level=1).inner_text() == "リクエストを処理できませんでした(400)"
    assert "項目が多すぎます(上限は1,000個です)" in page.locator("main").inner_text()
    axe(page)
    page.keyboard.press("Tab")  # the skip link, then the way home
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert page.get_by_role("heading", level=1).count() == 1 and "/supporters/?" not in page.url
