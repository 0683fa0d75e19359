"""A 「掲載者のみ」 workshop, end to end at 375 and 1280 px, by keyboard: the listed expert
applies from their account; someone who types a 登録番号 confirms through the
entry's own address; staff read the registrations over time."""

import datetime
import re

import pytest
from django.utils import timezone

from seminars.models import Application, Event, Reminder
from tests.browser.conftest import WIDTHS, check_page, login, login_staff, press, sized, submit, type_into
from tests.factories import PASSWORD, SupporterFactory, UserFactory, make_staff
from tests.mailbox import sent
from tests.seminars.factories import ApplicationFactory, EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workshop():
    start = timezone.now() + datetime.timedelta(days=30)
    event = EventFactory(
        title="ケース演習(福岡)",
        slug="fukuoka",
        kind=Event.Kind.WORKSHOP,
        eligibility=Event.Eligibility.LISTED,
        capacity=2,
        venue_name="福岡商工会議所",
        starts_at=start,
        applications_close_at=start - datetime.timedelta(days=7),
    )
    ApplicationFactory.create_batch(2, event=event)
    EventFactory(title="指導ツール活用セミナー", slug="next", capacity=50)
    return event


@pytest.mark.parametrize("width", WIDTHS)
def test_a_typed_number_is_confirmed_by_the_entrys_own_address(page, axe, workshop, width):
    SupporterFactory(registration_no="012345", name="山田 花子", email="yamada@expert.example.jp")
    sized(page, width)
    page.goto("/seminars/")
    card = page.get_by_role("listitem").filter(has_text="ケース演習(福岡)")
    assert "満席・キャンセル待ち" in card.inner_text() and "受付中" not in card.inner_text()
    assert "申込締切" in card.inner_text()
    check_page(page, axe, "seminar-list")
    submit(page.get_by_role("link", name="ケース演習(福岡)"))
    check_page(page, axe, "workshop")
    submit(page.get_by_role("link", name=re.compile("キャンセル待ちで申し込む")))
    assert "掲載情報に登録されたメールアドレスに確認のメールが届きます" in page.get_by_role("main").inner_text()
    assert page.get_by_label("メールアドレス(必須)").count() == 0  # the address is the entry's, never typed
    check_page(page, axe, "workshop-apply")
    type_into(page.get_by_label("氏名(必須)", exact=True), "山田 花子")
    type_into(page.get_by_label("氏名(カナ)(必須)"), "ヤマダ ハナコ")
    type_into(page.get_by_label("登録番号(必須)"), "012345")
    press(page.get_by_label("申込内容を事務局が"), "Space")
    submit(page.get_by_role("button", name="確認メールを送る"))
    assert "まだ申込は確定していません" in page.get_by_role("status").inner_text()
    check_page(page, axe, "workshop-confirm-sent")
    assert not Application.objects.filter(registration_no="012345").exists()

    (message,) = sent()
    assert message.to == ["yamada@expert.example.jp"]
    page.goto(re.search(r"https?://[^/]+(/seminars/confirm/\S+/)", message.body).group(1))
    check_page(page, axe, "workshop-confirm")
    submit(page.get_by_role("button", name="キャンセル待ちで申込を確定する"))
    page.wait_for_url("**/seminars/fukuoka/applied/")
    assert "キャンセル待ちとして受け付けました" in page.get_by_role("status").inner_text()
    check_page(page, axe)
    assert Application.objects.get(registration_no="012345").email == "yamada@expert.example.jp"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_listed_expert_applies_from_the_own_account(page, axe, workshop, width):
    user = UserFactory(email="listed@example.jp", last_name="鈴木", first_name="一郎")
    SupporterFactory(user=user, registration_no="024680", name="鈴木 一郎", name_kana="スズキ イチロウ")
    Application.objects.filter(event=workshop).first().delete()  # a seat is free
    sized(page, width)
    login(page, user.email, PASSWORD)
    page.goto("/seminars/fukuoka/apply/")
    assert "ログイン中のアカウントの掲載情報(登録番号 024680 鈴木 一郎)で申し込みます" in (
        page.get_by_role("main").inner_text()
    )
    assert page.get_by_label("登録番号").count() == 0
    check_page(page, axe, "workshop-apply-listed")
    press(page.get_by_label("申込内容を事務局が"), "Space")
    submit(page.get_by_role("button", name="申し込む"))
    page.wait_for_url("**/seminars/fukuoka/applied/")
    assert "参加が確定しました" in page.get_by_role("status").inner_text()
    check_page(page, axe)
    assert Application.objects.get(email="listed@example.jp").registration_no == "024680"


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_see_registrations_over_time_with_the_mails_marked(page, axe, width):
    staff = make_staff(email="staff@example.jp")
    for days in (40, 12, 11, 10, 3):
        entry = SupporterFactory()
        entry.created_at = timezone.now() - datetime.timedelta(days=days)
        entry.save(update_fields=["created_at"])
    Reminder.objects.create(email="a@example.jp", sent_at=timezone.now() - datetime.timedelta(days=13))
    sized(page, width)
    login_staff(page, staff, PASSWORD)
    page.goto("/seminars/report/")
    submit(page.get_by_role("link", name="支援者リスト新規登録件数推移"))
    chart = page.get_by_role("img", name=re.compile("支援者リスト新規登録件数推移"))
    assert chart.is_visible() and "登録案内メール1通" in page.get_by_role("table").inner_text()
    check_page(page, axe, "registrations")
