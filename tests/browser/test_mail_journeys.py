"""Journeys of issue H in a real browser, by keyboard, at 375 px and 1280 px, axe-clean:
the bulk-send confirmation, an invitation opened with the wrong account, the sign-up link page."""

import os
import re
from pathlib import Path

import pytest

from assessments.catalogue import install_seed_catalogue
from assessments.models import Assessment
from config.models import OutgoingMail
from seminars import services
from seminars.surveys import INTENT_OPTIONS, add_default_questions
from tests.assessments.factories import expert_with_account
from tests.browser.conftest import follow_link, login, login_staff, press_button
from tests.factories import PASSWORD, UserFactory, make_staff
from tests.mailbox import sent
from tests.seminars.factories import ApplicationFactory, SurveyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = [375, 1280]
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/shienlist-shots"))


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_send_follow_up_reminders_after_confirming_the_count(page, axe, width):
    page.set_viewport_size({"width": width, "height": 900})
    survey = SurveyFactory()
    _, intent, _ = add_default_questions(survey)
    for n in range(3):
        application = ApplicationFactory(event=survey.event, email=f"keen{n}@example.jp", attended=True)
        services.submit_response(survey=survey, application=application, answers={intent: INTENT_OPTIONS[0]})
    staff = make_staff(email="staff-mail@example.jp")
    login_staff(page, staff, PASSWORD)

    page.goto("/seminars/report/follow-up/")
    axe(page)
    follow_link(page, "リマインドメールの送信へ進む(3名)")
    page.wait_for_url("**/seminars/report/follow-up/send/")
    assert "3名にリマインドメールを1通ずつ送ります" in page.locator("main").inner_text()
    axe(page)
    shot(page, f"bulk-send-confirm-{width}")
    press_button(page, "3名に送信する")
    page.wait_for_url("**/seminars/report/follow-up/")
    assert "3名へのリマインドメールを送信待ちにしました" in page.get_by_role("status").inner_text()
    axe(page)
    shot(page, f"bulk-send-done-{width}")
    assert OutgoingMail.objects.filter(status="queued").count() == 3  # queued, not sent in the request
    assert sorted(m.to[0] for m in sent()) == ["keen0@example.jp", "keen1@example.jp", "keen2@example.jp"]


@pytest.mark.parametrize("width", WIDTHS)
def test_an_invitation_opened_with_another_account_says_whose_it_is(page, axe, width):
    page.set_viewport_size({"width": width, "height": 900})
    install_seed_catalogue()  # a flushed database: the ★3 catalogue its migration installed is gone
    expert_user, expert = expert_with_account()
    expert_user.set_password(PASSWORD)
    expert_user.save()
    login(page, expert_user.email, PASSWORD)
    page.goto("/assessments/new/expert/")
    page.get_by_label("企業名").fill("招待テスト株式会社")
    page.get_by_label("企業のご担当者のメールアドレス").fill("invited@example.jp")
    press_button(page, "始める")
    link = re.search(r"https?://[^/]+(/assessments/join/\S+/)", sent()[-1].body).group(1)

    # Someone else, signed in, opens the forwarded link.
    page.context.clear_cookies()
    other = UserFactory(email="someone@example.jp")
    other.set_password(PASSWORD)
    other.save()
    login(page, other.email, PASSWORD)
    page.wait_for_url("**/")
    page.goto(link)
    main = page.locator("main").inner_text()
    assert "この招待は invited@example.jp 宛てです" in main and "someone@example.jp でログインしています" in main
    axe(page)
    shot(page, f"invitation-wrong-account-{width}")
    press_button(page, "ログアウトして invited@example.jp で参加する")
    page.wait_for_url(f"**{link}")
    assert page.get_by_role("heading", name="アカウントを作成して参加する").is_visible()
    axe(page)
    assert not Assessment.objects.get().company.members.exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_sign_up_link_page(page, axe, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/signup/")
    page.locator("#id_email").fill("new-person@example.jp")
    page.locator("#id_password1").fill("kiwi-orange-2026!")
    page.locator("#id_password2").fill("kiwi-orange-2026!")
    press_button(page, "確認メールを送る")
    link = re.search(r"https?://[^/]+(/accounts/verify/\S+/)", sent()[-1].body).group(1)
    page.goto(link)
    page.get_by_label(re.compile("^パスワード")).fill("wrong-password-1")
    press_button(page, "アカウントを有効にする")
    assert "パスワードが登録のときのものと違います" in page.locator(".error-summary").inner_text()
    axe(page)
    shot(page, f"verify-error-{width}")
    page.get_by_label(re.compile("^パスワード")).fill("kiwi-orange-2026!")
    press_button(page, "アカウントを有効にする")
    page.wait_for_url("**/")
    assert "アカウントを有効にしました" in page.get_by_role("status").inner_text()
