"""「掲載者のみ」 events: who may apply is proven, never taken from a typed 登録番号.

Two ways in: the listed expert's own account, or a link mailed to the
address the entry has on file (the applicant never chooses that address).
"""

import datetime
import re

import pytest
from django.utils import timezone

from seminars.models import Application, Event, PendingApplication
from tests.factories import SupporterFactory, UserFactory
from tests.mailbox import sent

from .factories import ApplicationFactory, EventFactory

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "name": "山田 花子",
        "name_kana": "ヤマダ ハナコ",
        "email": "someone-else@example.jp",
        "organization": "",
        "registration_no": "012345",
        "question": "",
        "consent": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def workshop():
    return EventFactory(title="ケース演習(福岡)", eligibility=Event.Eligibility.LISTED, capacity=2)


@pytest.fixture
def entry():
    return SupporterFactory(registration_no="012345", email="yamada@expert.example.jp")


def confirm_link(message) -> str:
    return re.search(r"http://testserver(/seminars/confirm/\S+/)", message.body).group(1)


def test_a_typed_public_number_only_sends_a_link_to_the_entrys_own_address(client, workshop, entry):
    response = client.post(f"/seminars/{workshop.slug}/apply/", form_data(), follow=True)
    page = response.content.decode()
    # Nothing is booked yet; the mail went to the entry's address, not to one typed in the form.
    assert not Application.objects.exists()
    assert "まだ申込は確定していません" in page and "ya****@expert.example.jp" in page
    assert len(sent()) == 1 and sent()[0].to == ["yamada@expert.example.jp"]
    assert "someone-else@example.jp" not in sent()[0].body
    assert sent()[0].subject == "【申込の確認】ケース演習(福岡)"

    link = confirm_link(sent()[0])
    # Opening the link (as a mail scanner would) books nothing.
    page = client.get(link).content.decode()
    assert "申込を確定する</button>" in page and not Application.objects.exists()
    response = client.post(link)
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.email, application.registration_no, application.name) == (
        "yamada@expert.example.jp",
        "012345",
        "山田 花子",
    )
    assert application.status == Application.Status.CONFIRMED
    assert sent()[-1].subject == "【申込受付】ケース演習(福岡)"
    # The link works once.
    response = client.post(link)
    assert response.status_code == 409 and "すでに使われたか" in response.content.decode()
    assert Application.objects.count() == 1


def test_an_expired_link_confirms_nothing(client, workshop, entry):
    client.post(f"/seminars/{workshop.slug}/apply/", form_data())
    PendingApplication.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    link = confirm_link(sent()[0])
    response = client.get(link)
    assert response.status_code == 410 and "有効期限(24時間)が切れています" in response.content.decode()
    assert client.post(link).status_code == 409
    assert not Application.objects.exists()


def test_a_bad_token_is_not_found(client):
    assert client.get("/seminars/confirm/not-a-token/").status_code == 404


def test_the_listed_expert_signed_in_applies_with_the_own_entry(client, workshop):
    user = UserFactory(email="listed@example.jp", last_name="山田", first_name="花子")
    SupporterFactory(user=user, registration_no="024680", name="山田 花子", name_kana="ヤマダ ハナコ")
    client.force_login(user)
    page = client.get(f"/seminars/{workshop.slug}/apply/").content.decode()
    assert "ログイン中のアカウントの掲載情報(登録番号 024680 山田 花子)で申し込みます" in page
    assert 'name="registration_no"' not in page  # no number to type: the account proves it
    data = form_data(email="listed@example.jp", registration_no="999999")  # a typed number is ignored
    assert client.post(f"/seminars/{workshop.slug}/apply/", data).status_code == 302
    assert Application.objects.get().registration_no == "024680"


def test_a_signed_in_user_without_a_listed_entry_confirms_by_mail(client, workshop, entry):
    client.force_login(UserFactory(email="company@example.jp"))
    page = client.get(f"/seminars/{workshop.slug}/apply/").content.decode()
    assert "ログイン中のアカウントには、掲載中の掲載情報がありません" in page
    client.post(f"/seminars/{workshop.slug}/apply/", form_data())
    assert not Application.objects.exists() and sent()[0].to == ["yamada@expert.example.jp"]


def test_an_entry_without_an_address_cannot_be_confirmed_by_mail(client, workshop):
    SupporterFactory(registration_no="012345", email="")
    page = client.post(f"/seminars/{workshop.slug}/apply/", form_data()).content.decode()
    assert "メールアドレスが登録されていないため、メールでご本人を確認できません" in page
    assert not sent()


def test_an_entry_gets_at_most_three_confirmation_mails_a_day(client, workshop, entry):
    for _ in range(3):
        client.post(f"/seminars/{workshop.slug}/apply/", form_data())
    page = client.post(f"/seminars/{workshop.slug}/apply/", form_data()).content.decode()
    assert "24時間以内に確認メールを3回お送りしました" in page
    assert len(sent()) == 3


def test_the_deadline_holds_at_confirmation_too(client, workshop, entry):
    client.post(f"/seminars/{workshop.slug}/apply/", form_data())
    Event.objects.filter(pk=workshop.pk).update(applications_close_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.post(confirm_link(sent()[0]))
    assert response.status_code == 409 and "申込の受付は終了しました。" in response.content.decode()
    assert not Application.objects.exists()


def test_a_full_workshop_confirms_onto_the_waiting_list(client, workshop, entry):
    ApplicationFactory.create_batch(2, event=workshop)
    client.post(f"/seminars/{workshop.slug}/apply/", form_data())
    link = confirm_link(sent()[0])
    assert "キャンセル待ちで申込を確定する" in client.get(link).content.decode()
    client.post(link)
    assert Application.objects.get(registration_no="012345").status == Application.Status.WAITLISTED


def test_the_deadline_must_come_before_the_start():
    from django.core.exceptions import ValidationError

    event = EventFactory.build(applications_close_at=timezone.now() + datetime.timedelta(days=30))
    with pytest.raises(ValidationError, match="申込締切は開始日時より前にしてください。"):
        event.clean()
