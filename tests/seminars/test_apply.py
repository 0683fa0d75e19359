"""Applying, the confirmation e-mail, cancelling and the waiting list."""

import datetime
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from config.transitions import TransitionRefused
from seminars import services
from seminars.models import Application, Event
from tests.factories import SupporterFactory
from tests.mailbox import sent

from .factories import ApplicationFactory, EventFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "name": "山田 花子",
        "name_kana": "やまだ はなこ",
        "email": "Hanako@Example.jp",
        "organization": "サンプル株式会社",
        "registration_no": "",
        "question": "ツールは無償で使えますか?",
        "consent": "on",
    }
    data.update(overrides)
    return data


def link_in(message) -> str:
    return re.search(r"http://testserver(/seminars/applications/\S+/)", message.body).group(1)


def test_apply_confirms_and_mails_a_cancellation_link(client):
    event = EventFactory(title="第1回セミナー", capacity=2)
    response = client.post(f"/seminars/{event.slug}/apply/", form_data())
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == Application.Status.CONFIRMED
    assert application.email == "hanako@example.jp"
    assert application.name_kana == "ヤマダ ハナコ"
    page = client.get(response["Location"]).content.decode()
    assert "参加が確定しました" in page and "hanako@example.jp" in page
    assert len(sent()) == 1
    message = sent()[0]
    assert message.to == ["hanako@example.jp"]
    assert "【申込受付】第1回セミナー" in message.subject
    assert "山田 花子 様" in message.body
    # The personal page shows the join URL to the accepted applicant.
    personal = client.get(link_in(message)).content.decode()
    assert "secret-room" in personal and "参加確定" in personal


def test_applied_page_needs_the_session(client):
    event = EventFactory()
    assert client.get(f"/seminars/{event.slug}/applied/").status_code == 404


@pytest.mark.parametrize(
    "overrides, field_message",
    [
        ({"name": ""}, "氏名を入力してください。"),
        ({"name_kana": "Yamada"}, "カタカナで入力してください"),
        ({"email": "not-an-address"}, "メールアドレスの形式が正しくありません。"),
        ({"consent": ""}, "申し込むには同意が必要です。"),
        ({"registration_no": "12a"}, "6桁の数字"),
    ],
)
def test_bad_input_is_refused_with_a_japanese_message(client, overrides, field_message):
    event = EventFactory()
    response = client.post(f"/seminars/{event.slug}/apply/", form_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert field_message in html and "入力内容を確認してください" in html
    assert not Application.objects.exists() and not sent()


def test_duplicate_application_is_refused_kindly(client):
    event = EventFactory()
    ApplicationFactory(event=event, email="hanako@example.jp")
    response = client.post(f"/seminars/{event.slug}/apply/", form_data(email="HANAKO@example.jp"))
    assert response.status_code == 400
    assert "すでにお申し込みいただいています" in response.content.decode()
    assert Application.objects.count() == 1


def test_service_refuses_duplicates_too():
    event = EventFactory()
    services.apply(event_id=event.pk, data={"name": "a", "name_kana": "ア", "email": "a@example.jp"})
    with pytest.raises(services.ApplicationRefused):
        services.apply(event_id=event.pk, data={"name": "a", "name_kana": "ア", "email": "A@example.jp"})


def test_listed_only_event_refuses_numbers_that_are_not_listed(client):
    event = EventFactory(eligibility=Event.Eligibility.LISTED)
    SupporterFactory(registration_no="054321", status="pending")
    url = f"/seminars/{event.slug}/apply/"
    assert "登録番号を入力してください。" in client.post(url, form_data()).content.decode()
    assert "支援者リストに掲載されていません" in client.post(url, form_data(registration_no="054321")).content.decode()
    assert "支援者リストに掲載されていません" in client.post(url, form_data(registration_no="099999")).content.decode()
    assert not Application.objects.exists() and not sent()


def test_closed_or_not_yet_open_events_refuse_applications(client):
    closed = EventFactory(status=Event.Status.CLOSED)
    later = EventFactory(applications_open_at=timezone.now() + datetime.timedelta(days=1))
    past_deadline = EventFactory(applications_close_at=timezone.now() - datetime.timedelta(minutes=1))
    for event, message in ((closed, "受付は終了しました"), (later, "からです"), (past_deadline, "受付は終了しました")):
        response = client.post(f"/seminars/{event.slug}/apply/", form_data())
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Application.objects.exists()


def test_full_event_waitlists_then_promotes_in_order_on_cancellation(client):
    event = EventFactory(capacity=1)
    for email in ("first@example.jp", "second@example.jp", "third@example.jp"):
        client.post(f"/seminars/{event.slug}/apply/", form_data(email=email))
    first, second, third = Application.objects.order_by("created_at", "id")
    assert [a.status for a in (first, second, third)] == ["confirmed", "waitlisted", "waitlisted"]
    assert "キャンセル待ち" in sent()[1].body
    # The waiting applicant sees their place and no join URL.
    waiting_page = client.get(link_in(sent()[2])).content.decode()
    assert "2番目" in waiting_page and "secret-room" not in waiting_page

    cancel_url = link_in(sent()[0])
    sent().clear()
    response = client.post(cancel_url)
    assert response.status_code == 302
    assert "申込を取り消しました" in client.get(cancel_url).content.decode()
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert first.status == "cancelled" and second.status == "confirmed" and third.status == "waitlisted"
    assert [m.to for m in sent()] == [["second@example.jp"]]
    assert "【繰り上げ参加確定】" in sent()[0].subject
    # Cancelling twice changes nothing.
    client.post(cancel_url)
    third.refresh_from_db()
    assert third.status == "waitlisted"


def test_cancellation_link_is_single_purpose_and_tamper_proof(client):
    application = ApplicationFactory()
    assert client.get("/seminars/applications/garbage/").status_code == 404
    token = services.application_token(application)
    assert client.get(f"/seminars/applications/{token[:-2]}xx/").status_code == 404
    # A survey link for the same application does not open the cancellation page.
    assert client.get(f"/seminars/applications/{services.survey_token(application)}/").status_code == 404


def test_illegal_transitions_are_refused():
    application = ApplicationFactory(status="cancelled")
    with pytest.raises(TransitionRefused, match="取消済み"):
        application.cancel()
    with pytest.raises(TransitionRefused):
        application.mark_attended()
    event = EventFactory(status=Event.Status.CANCELLED)
    with pytest.raises(TransitionRefused):
        event.publish()


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_overbook():
    if connection.vendor == "sqlite":
        pytest.skip("row locks (select_for_update) need PostgreSQL; CI runs this on PostgreSQL")
    event = EventFactory(capacity=3)
    barrier = threading.Barrier(8)
    codes = []

    def apply(n):
        try:
            barrier.wait()
            response = Client().post(f"/seminars/{event.slug}/apply/", form_data(email=f"racer{n}@example.jp"))
            codes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [302] * 8
    assert event.applications.filter(status="confirmed").count() == 3
    assert event.applications.filter(status="waitlisted").count() == 5


def test_past_event_cannot_be_cancelled(client):
    start = timezone.now() - datetime.timedelta(days=3)
    application = ApplicationFactory(event=EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=1)))
    url = f"/seminars/applications/{services.application_token(application)}/"
    assert "申込を取り消す" not in client.get(url).content.decode()
    client.post(url)
    application.refresh_from_db()
    assert application.status == "confirmed"
    assert "取り消せません" in client.get(url).content.decode()


def test_a_double_submitted_application_is_refused_kindly(client, monkeypatch):
    """Two submits of the form at once: the second saw no application when it checked (SQLite takes no row locks)."""
    from django.db.models import QuerySet

    event = EventFactory()
    assert client.post(f"/seminars/{event.slug}/apply/", form_data()).status_code == 302
    original = QuerySet.exists
    monkeypatch.setattr(QuerySet, "exists", lambda qs: False if qs.model is Application else original(qs))
    response = client.post(f"/seminars/{event.slug}/apply/", form_data())
    monkeypatch.undo()
    assert response.status_code == 400
    assert "すでにお申し込みいただいています" in response.content.decode()
    assert Application.objects.count() == 1 and len(sent()) == 1
