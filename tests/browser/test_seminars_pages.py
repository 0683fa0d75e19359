"""Seminars in a real browser: find, apply, confirm, cancel, answer — by keyboard, axe-clean."""

import datetime
import re

import pytest
from django.utils import timezone

from seminars import services
from seminars.models import Application, Event, FaqEntry, ProgrammeItem, Speaker
from seminars.surveys import INTENT_OPTIONS, SATISFACTION_OPTIONS, add_default_questions
from tests.browser.conftest import login_staff
from tests.factories import PASSWORD, make_staff
from tests.mailbox import sent
from tests.seminars.factories import ApplicationFactory, EventFactory, SurveyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def events():
    upcoming = EventFactory(title="指導ツール活用セミナー", slug="next", capacity=50)
    ProgrammeItem.objects.create(
        event=upcoming,
        order=1,
        starts_at=datetime.time(13),
        title="指導ツールの説明",
        presenter="IPA",
        duration_minutes=50,
    )
    Speaker.objects.create(event=upcoming, name="久保田 秀男氏", work_form="副業", case_study="A株式会社【非公開】")
    full = EventFactory(
        title="ケース演習(大阪)", slug="full", kind=Event.Kind.WORKSHOP, capacity=1, venue_name="大阪商工会議所"
    )
    ApplicationFactory(event=full)
    start = timezone.now() - datetime.timedelta(days=20)
    past = EventFactory(
        title="第1回セミナー",
        slug="past",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        status=Event.Status.CLOSED,
        archive_url="https://example.jp/archive",
    )
    FaqEntry.objects.create(event=past, question="ツールは無償ですか?", answer="はい。", is_published=True)
    survey = SurveyFactory(event=past)
    add_default_questions(survey)
    respondent = ApplicationFactory(event=past, name="回答 太郎", attended=True)
    return {"upcoming": upcoming, "full": full, "past": past, "survey": survey, "respondent": respondent}


def tab_to(page, selector, limit=80):
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} is not reachable by Tab")


@pytest.mark.parametrize(
    "path",
    [
        "/seminars/",
        "/seminars/next/",
        "/seminars/full/",
        "/seminars/past/",
        "/seminars/next/apply/",
        "/seminars/full/apply/",
        "/seminars/faq/",
    ],
)
def test_public_pages_have_no_axe_violations(page, axe, events, path):
    page.goto(path)
    axe(page)


def test_find_apply_confirm_cancel_and_answer_by_keyboard(page, axe, events):
    page.goto("/seminars/")
    tab_to(page, "a[href='/seminars/next/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/seminars/next/")
    assert "残り50席" in page.content()
    tab_to(page, "a[href='/seminars/next/apply/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/seminars/next/apply/")

    # A first try with the consent left out shows the error summary.
    for field_id, text in (
        ("id_name", "山田 花子"),
        ("id_name_kana", "ヤマダ ハナコ"),
        ("id_email", "hanako@example.jp"),
    ):
        tab_to(page, f"#{field_id}")
        page.keyboard.type(text)
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "申し込むには同意が必要です。" in page.get_by_role("alert").inner_text()
    axe(page)
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/seminars/next/applied/")
    assert "参加が確定しました" in page.get_by_role("status").first.inner_text()
    axe(page)

    # The confirmation e-mail carries the personal cancellation link.
    assert len(sent()) == 1
    link = re.search(r"https?://[^/]+(/seminars/applications/\S+/)", sent()[0].body).group(1)
    page.goto(link)
    assert "secret-room" in page.content()  # the join URL, for the accepted applicant only
    axe(page)
    tab_to(page, "button.danger")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "申込を取り消しました" in page.get_by_role("status").inner_text()
    assert Application.objects.get(email="hanako@example.jp").status == "cancelled"
    axe(page)

    # The survey of a past seminar, through a personal link.
    page.goto("/seminars/surveys/answer/" + services.survey_token(events["respondent"]) + "/")
    axe(page)
    tab_to(page, f"input[value='{SATISFACTION_OPTIONS[0]}']")
    page.keyboard.press("Space")
    tab_to(page, f"input[value='{INTENT_OPTIONS[0]}']")
    page.keyboard.press("Space")
    tab_to(page, "textarea")
    page.keyboard.type("報酬の目安がほしい")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "回答ありがとうございました"
    axe(page)
    answers = sorted(a.choice or a.text for a in events["respondent"].survey_response.answers.all())
    assert answers == sorted([SATISFACTION_OPTIONS[0], INTENT_OPTIONS[0], "報酬の目安がほしい"])


def test_waiting_list_application_in_browser(page, axe, events):
    page.goto("/seminars/full/apply/")
    assert "キャンセル待ち" in page.content()
    page.get_by_label("氏名(必須)", exact=True).fill("待ち 一郎")
    page.get_by_label("氏名(カナ)(必須)").fill("マチ イチロウ")
    page.get_by_label("メールアドレス(必須)").fill("wait@example.jp")
    page.get_by_label("申込内容を事務局が").check()
    page.get_by_role("button", name="キャンセル待ちで申し込む").click()
    page.wait_for_url("**/seminars/full/applied/")
    assert "キャンセル待ちとして受け付けました" in page.content()
    axe(page)


def test_staff_pages_have_no_axe_violations(page, axe, events):
    staff = make_staff(email="staff@example.jp")
    _, intent, free = events["survey"].questions.all()
    services.submit_response(
        survey=events["survey"], application=events["respondent"], answers={intent: INTENT_OPTIONS[0], free: "不安"}
    )
    login_staff(page, staff, PASSWORD)
    for path in [
        "/seminars/report/",
        f"/seminars/report/surveys/{events['survey'].pk}/",
        "/seminars/report/follow-up/",
        "/seminars/report/past/attendance/",
    ]:
        page.goto(path)
        assert page.get_by_role("heading", level=1).is_visible()
        axe(page)
    page.goto(f"/seminars/report/surveys/{events['survey'].pk}/")
    assert page.get_by_role("img", name=re.compile("支援者リストへの登録・活動意向")).is_visible()
