"""The expert's pages: apply, mine, change, confirm, end."""

import datetime

import pytest
from django.utils import timezone

from supporters import services
from supporters.models import ChangeRequest, Decision, Supporter
from tests.factories import SupporterFactory, UserFactory
from tests.mailbox import sent

from .conftest import entry_data

pytestmark = pytest.mark.django_db
S = Supporter.Status


def test_pages_need_login(client):
    for path in ["/supporters/apply/", "/supporters/mine/", "/supporters/mine/edit/", "/supporters/mine/end/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_apply_creates_a_pending_entry_that_is_not_public(expert_client, expert, client):
    page = expert_client.get("/supporters/apply/").content.decode()
    assert "登録番号" in page and "公開する項目" in page
    response = expert_client.post(
        "/supporters/apply/", entry_data(registration_no="０１２３４５", name_kana="しんせい はなこ")
    )
    assert response.status_code == 302
    entry = Supporter.objects.get()
    assert (entry.status, entry.user, entry.registration_no) == (S.PENDING, expert, "012345")
    assert entry.name_kana == "シンセイ ハナコ"
    # 公開用メールアドレス is published only when ticked.
    assert entry.hidden_fields == ["email"]
    assert entry.decisions.get().action == Decision.Action.SUBMITTED
    assert sent()[0].to == [expert.email]
    assert client.get("/supporters/012345/").status_code == 404
    assert "申請 花子" not in client.get("/supporters/").content.decode()


def test_publication_choices_map_to_hidden_fields(expert_client):
    expert_client.post("/supporters/apply/", entry_data(published_fields=["email", "residence"]))
    assert Supporter.objects.get().hidden_fields == [
        "name_kana",
        "organization",
        "qualifications",
        "groups",
        "self_pr",
        "url",
    ]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("registration_no", "1234567", "6桁の数字"),
        ("registration_no", "12345a", "6桁の数字"),
        ("name_kana", "Hanako", "カタカナ"),
        ("name_kana", "申請", "カタカナ"),
        ("valid_until", "2001-01-01", "有効期限が過ぎています"),
        ("area", [], "支援できる地域を選んでください"),
        ("themes", [], "支援可能な指導テーマを1つ以上選んでください。"),
        ("email", "not-mail", "公開用メールアドレスは「name@example.jp」のような形で入力してください。"),
        ("name", "", "氏名を入力してください。"),
        ("valid_until", "2028/2/30", "ない日付です"),
        ("valid_until", "来年", "「2028年3月31日」「2028/3/31」「R10.3.31」のように"),
    ],
)
def test_apply_errors_are_clear_and_nothing_is_saved(expert_client, field, value, message):
    response = expert_client.post("/supporters/apply/", entry_data(**{field: value}))
    body = response.content.decode()
    assert response.status_code == 400
    assert "入力内容を確認してください" in body
    assert message in body
    assert f'href="#id_{field}' in body
    assert not Supporter.objects.exists()
    # What was typed is still there.
    assert "よろしくお願いします。" in body


def test_registration_number_must_be_unique_among_live_entries(expert_client):
    SupporterFactory(registration_no="654321", status=S.PUBLISHED)
    body = expert_client.post("/supporters/apply/", entry_data()).content.decode()
    assert "この登録番号はすでに登録されています" in body


def test_number_of_an_ended_entry_can_be_used_again(expert_client):
    SupporterFactory(registration_no="654321", status=S.ENDED)
    assert expert_client.post("/supporters/apply/", entry_data()).status_code == 302


def test_second_application_goes_to_mine(expert_client, listed):
    response = expert_client.get("/supporters/apply/")
    assert response["Location"] == "/supporters/mine/"


def test_returned_application_keeps_what_was_typed_and_can_be_resubmitted(expert_client, staff):
    expert_client.post("/supporters/apply/", entry_data())
    entry = Supporter.objects.get()
    services.review(item=entry, action="return", by=staff, reason="企業支援内容を具体的に")
    mine = expert_client.get("/supporters/mine/").content.decode()
    assert "差戻し" in mine and "企業支援内容を具体的に" in mine
    edit = expert_client.get("/supporters/mine/edit/").content.decode()
    assert "規程づくり" in edit and "申請 花子" in edit
    response = expert_client.post("/supporters/mine/edit/", entry_data(support_description="規程づくりと研修"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.support_description) == (S.PENDING, "規程づくりと研修")


def test_pending_application_cannot_be_edited(expert_client):
    expert_client.post("/supporters/apply/", entry_data())
    response = expert_client.get("/supporters/mine/edit/", follow=True)
    assert "内容を変更できません" in response.content.decode()


def test_mine_shows_status_publication_and_history(expert_client, listed, staff):
    body = expert_client.get("/supporters/mine/").content.decode()
    assert "掲載中" in body and "123456" in body
    assert "非公開" in body  # self_pr is hidden
    assert "内容に変更なし" in body
    assert "supporters/_mine_extra.html" not in body


def test_mine_without_entry_offers_to_apply(expert_client):
    body = expert_client.get("/supporters/mine/").content.decode()
    assert 'href="/supporters/apply/"' in body


def test_mine_shows_only_own_entry(client, listed):
    other = UserFactory()
    client.force_login(other)
    body = client.get("/supporters/mine/").content.decode()
    assert "123456" not in body and "公開 太郎" not in body


def test_change_request_leaves_published_entry_as_it_was(expert_client, listed, client, staff):
    form = expert_client.get("/supporters/mine/edit/").content.decode()
    assert "公開 太郎" in form and "disabled" in form  # registration number fixed
    data = entry_data(registration_no=None, name="公開 太郎", self_pr="新しいPR", published_fields=["email", "self_pr"])
    assert expert_client.post("/supporters/mine/edit/", data).status_code == 302
    listed.refresh_from_db()
    assert listed.self_pr == "ひみつのPR" and listed.name_kana != "シンセイ ハナコ"
    change = ChangeRequest.objects.get()
    assert change.status == ChangeRequest.Status.PENDING
    mine = expert_client.get("/supporters/mine/").content.decode()
    assert "変更申請(審査待ち)" in mine and "新しいPR" in mine
    # A second change waits for the first.
    assert "審査中の変更申請があります" in expert_client.get("/supporters/mine/edit/", follow=True).content.decode()
    public = client.get("/supporters/123456/").content.decode()
    assert "新しいPR" not in public

    services.review(item=change, action="return", by=staff, reason="PRを短く")
    edit = expert_client.get("/supporters/mine/edit/").content.decode()
    assert "新しいPR" in edit  # nothing typed is lost
    expert_client.post("/supporters/mine/edit/", {**data, "self_pr": "短いPR"})
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PENDING and change.data["self_pr"] == "短いPR"
    assert ChangeRequest.objects.count() == 1

    services.review(item=change, action="approve", by=staff)
    listed.refresh_from_db()
    assert listed.self_pr == "短いPR" and listed.is_public("self_pr") and listed.status == S.PUBLISHED
    assert "短いPR" in client.get("/supporters/123456/").content.decode()


def test_withdraw_change(expert_client, listed):
    services.submit_change(supporter=listed, data={"self_pr": "x"}, by=listed.user)
    expert_client.post("/supporters/mine/withdraw-change/")
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.WITHDRAWN
    response = expert_client.post("/supporters/mine/withdraw-change/", follow=True)
    assert "取り下げる変更申請はありません" in response.content.decode()


def test_expired_entry_is_restored_by_a_change_with_a_new_date(expert_client, listed, staff):
    Supporter.objects.filter(pk=listed.pk).update(status=S.EXPIRED, valid_until=datetime.date(2020, 1, 1))
    data = entry_data(registration_no=None, valid_until="2020-01-01")
    assert "有効期限が過ぎています" in expert_client.post("/supporters/mine/edit/", data).content.decode()
    new_date = timezone.localdate() + datetime.timedelta(days=365)
    expert_client.post("/supporters/mine/edit/", {**data, "valid_until": new_date.isoformat()})
    services.review(item=ChangeRequest.objects.get(), action="approve", by=staff)
    listed.refresh_from_db()
    assert (listed.status, listed.valid_until) == (S.PUBLISHED, new_date)


def test_confirm_unchanged_refreshes_updated_on_without_review(expert_client, listed):
    Supporter.objects.filter(pk=listed.pk).update(updated_on=datetime.date(2024, 1, 1))
    response = expert_client.post("/supporters/mine/confirm/", follow=True)
    assert "最終更新日を今日の日付にしました" in response.content.decode()
    listed.refresh_from_db()
    assert listed.updated_on == timezone.localdate()
    assert not ChangeRequest.objects.exists()
    assert listed.decisions.get().action == Decision.Action.CONFIRMED


def test_confirm_refused_when_not_published(expert_client, listed):
    Supporter.objects.filter(pk=listed.pk).update(status=S.PENDING)
    response = expert_client.post("/supporters/mine/confirm/", follow=True)
    assert "できません" in response.content.decode()


def test_confirm_needs_post(expert_client, listed):
    assert expert_client.get("/supporters/mine/confirm/").status_code == 405


def test_end_listing(expert_client, listed, client):
    assert "掲載を終了する" in expert_client.get("/supporters/mine/end/").content.decode()
    response = expert_client.post("/supporters/mine/end/", {"reason": "退職のため"}, follow=True)
    assert "掲載を終了しました" in response.content.decode()
    listed.refresh_from_db()
    assert listed.status == S.ENDED
    assert listed.decisions.get().reason == "退職のため"
    assert "掲載を終了しました" in sent()[-1].body
    assert client.get("/supporters/123456/").status_code == 404
    # Nothing left to end; a new application is possible.
    assert "終了できる掲載はありません" in expert_client.get("/supporters/mine/end/", follow=True).content.decode()
    assert expert_client.get("/supporters/apply/").status_code == 200


def test_a_double_submitted_change_request_answers_with_a_message(expert_client, listed, monkeypatch):
    """Two submits of the change form race: the second saw no open change when it loaded the entry."""
    data = entry_data(registration_no=None, name="公開 太郎", self_pr="新しいPR", published_fields=["email", "self_pr"])
    form_page = expert_client.get("/supporters/mine/edit/")
    assert form_page.status_code == 200
    assert expert_client.post("/supporters/mine/edit/", data).status_code == 302
    monkeypatch.setattr(Supporter, "open_change", property(lambda entry: None))
    response = expert_client.post("/supporters/mine/edit/", data, follow=True)
    monkeypatch.undo()
    assert response.status_code == 200
    assert "審査中の変更申請がすでにあります" in response.content.decode()
    assert ChangeRequest.objects.count() == 1
