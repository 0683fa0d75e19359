"""The way in for experts: 「専門家として掲載を希望する方へ」, sign-up that leads on to
the application, a saved draft, the service area asked once, dates as people
write them, and the reason for 差戻し at the top of マイページ and of the form."""

import datetime
import re

import pytest
from django.urls import reverse

from supporters import services
from supporters.models import Supporter
from tests.factories import SupporterFactory, UserFactory
from tests.mailbox import sent

from .conftest import entry_data

pytestmark = pytest.mark.django_db
S = Supporter.Status


def test_the_page_for_experts_says_who_what_how_and_how_long(client, settings):
    settings.SUPPORTERS_REVIEW_DAYS = 7
    body = client.get("/for-experts/").content.decode()
    for text in ["掲載できる方", "公開される内容", "申請から掲載までの流れ", "7営業日ほど", "自己PR", "登録番号(6桁)"]:
        assert text in body, text
    assert 'href="/accounts/signup/?next=/supporters/apply/">アカウントを作って申請を始める</a>' in body


@pytest.mark.parametrize("path", ["/", "/seminars/faq/", "/accounts/login/", "/accounts/signup/"])
def test_the_page_for_experts_is_linked_from(client, path):
    assert 'href="/for-experts/"' in client.get(path).content.decode()


def test_signed_in_the_page_leads_straight_to_the_form(client):
    client.force_login(UserFactory())
    assert 'href="/supporters/apply/">申請フォームへ進む</a>' in client.get("/for-experts/").content.decode()


def test_sign_up_leads_on_to_the_application(client):
    data = {"email": "new-expert@example.jp", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    response = client.post("/accounts/signup/?next=/supporters/apply/", {**data, "next": "/supporters/apply/"})
    assert response.status_code == 200
    link = re.search(r"http://testserver(/accounts/verify/\S+)", sent()[0].body).group(1)
    assert link.endswith("?next=%2Fsupporters%2Fapply%2F")
    # The link's page asks for the sign-up password (config/accounts.py), then goes on to the form.
    assert client.get(link).status_code == 200
    response = client.post(link, {"password": data["password1"]})
    assert response["Location"] == "/supporters/apply/"


def test_sign_up_never_leads_off_the_site(client):
    data = {"email": "x@example.jp", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    client.post("/accounts/signup/", {**data, "next": "https://evil.example/"})
    assert "evil" not in sent()[0].body


def test_a_draft_is_saved_without_sending_and_resumed_later(expert_client, expert):
    partial = {
        "action": "draft",
        "registration_no": "654321",
        "name": "申請 花子",
        "self_pr": "書きかけ",
        "email": "bad",
    }
    response = expert_client.post("/supporters/apply/", partial)
    assert response["Location"] == "/supporters/apply/"
    draft = Supporter.objects.get()
    assert (draft.status, draft.user, draft.name, draft.self_pr) == (S.DRAFT, expert, "申請 花子", "書きかけ")
    assert draft.email == ""  # what was not valid is not kept
    assert not draft.decisions.exists() and sent() == []  # nothing sent for review
    mine = expert_client.get("/supporters/mine/").content.decode()
    assert "下書き" in mine and 'href="/supporters/apply/">申請の続きを入力する</a>' in mine
    form = expert_client.get("/supporters/apply/").content.decode()
    assert "一時保存した内容を表示しています" in form and "書きかけ" in form
    assert client_is_not_public(expert_client, "654321")
    # Finishing it sends the same entry for review.
    response = expert_client.post("/supporters/apply/", entry_data(registration_no="654321"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.PENDING and Supporter.objects.count() == 1


def client_is_not_public(client, number):
    return client.get(f"/supporters/{number}/").status_code == 404


def test_a_draft_needs_only_a_valid_registration_number(expert_client):
    response = expert_client.post("/supporters/apply/", {"action": "draft", "registration_no": "12a", "name": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "登録番号は6桁の数字で入力してください。" in body
    assert "氏名を入力してください" not in body  # other fields may still be empty
    assert not Supporter.objects.exists()


def test_a_draft_cannot_take_a_number_already_listed(expert_client):
    SupporterFactory(registration_no="654321")
    response = expert_client.post("/supporters/apply/", {"action": "draft", "registration_no": "654321"})
    assert "この登録番号はすでに登録されています" in response.content.decode()
    assert Supporter.objects.count() == 1


@pytest.mark.parametrize("written", ["R10.3.31", "2028年3月31日", "令和10年3月31日", "2028/3/31"])
def test_the_validity_date_is_read_as_people_write_it(expert_client, written):
    assert expert_client.post("/supporters/apply/", entry_data(valid_until=written)).status_code == 302
    assert Supporter.objects.get().valid_until == datetime.date(2028, 3, 31)


@pytest.mark.parametrize(
    "chosen, nationwide, regions, prefectures",
    [
        (["nationwide", "region:kinki", "pref:toyama"], True, [], []),  # 全国 covers the rest
        (["region:kinki", "pref:kyoto", "pref:toyama"], False, ["kinki"], ["toyama"]),  # 京都 is in 近畿
        (["pref:osaka", "pref:hyogo"], False, [], ["osaka", "hyogo"]),
        (["region:hokkaido", "region:okinawa"], False, ["hokkaido", "okinawa"], []),
    ],
)
def test_the_service_area_is_asked_once(expert_client, chosen, nationwide, regions, prefectures):
    assert expert_client.post("/supporters/apply/", entry_data(area=chosen)).status_code == 302
    entry = Supporter.objects.get()
    assert (entry.nationwide, entry.regions.ordered(), entry.prefectures.ordered()) == (
        nationwide,
        regions,
        prefectures,
    )


def test_the_service_area_is_one_question_with_every_region_folded(expert_client):
    body = expert_client.get("/supporters/apply/").content.decode()
    assert body.count('name="area"') == 1 + 10 + 45  # 全国, each region, each prefecture of the larger regions
    assert "<legend>支援できる地域" in body and body.count('<details class="area-region"') == 10
    for gone in ['name="nationwide"', 'name="regions"', 'name="prefectures"']:
        assert gone not in body


def test_an_entry_shows_its_area_ticked_when_changed(expert_client, listed):
    listed.regions = ["kinki"]
    listed.prefectures = ["toyama"]
    listed.save()
    body = expert_client.get("/supporters/mine/edit/").content.decode()
    assert re.search(r'value="region:kinki"[^>]*checked', body) and re.search(r'value="pref:toyama"[^>]*checked', body)
    assert '<details class="area-region" open>' in body


def test_the_reason_for_a_return_is_at_the_top_of_mine_and_of_the_form(expert_client, staff):
    expert_client.post("/supporters/apply/", entry_data())
    services.review(
        item=Supporter.objects.get(), action="return", by=staff, reason="企業支援内容を具体的に書いてください"
    )
    for url in ("/supporters/mine/", "/supporters/mine/edit/"):
        body = expert_client.get(url).content.decode()
        top = body[body.index("<h1>") : body.index("<h1>") + 1500]
        assert "申請が差し戻されました" in top and "企業支援内容を具体的に書いてください" in top, url
    assert (
        'href="/supporters/mine/edit/">申請内容を直して再申請する</a>'
        in expert_client.get("/supporters/mine/").content.decode()
    )


def test_a_returned_change_request_shows_its_reason_too(expert_client, listed, staff):
    services.submit_change(supporter=listed, data={"self_pr": "新しいPR"}, by=listed.user)
    services.review(item=listed.open_change, action="return", by=staff, reason="PRをもう少し具体的に")
    body = expert_client.get("/supporters/mine/").content.decode()
    top = body[body.index("<h1>") : body.index("<h1>") + 1500]
    assert "変更申請が差し戻されました" in top and "PRをもう少し具体的に" in top


def test_a_returned_application_can_be_saved_again_as_draft(expert_client, staff):
    expert_client.post("/supporters/apply/", entry_data())
    entry = Supporter.objects.get()
    services.review(item=entry, action="return", by=staff, reason="直してください")
    response = expert_client.post("/supporters/mine/edit/", {**entry_data(self_pr="途中まで直した"), "action": "draft"})
    assert response["Location"] == reverse("supporters:edit")
    entry.refresh_from_db()
    assert (entry.status, entry.self_pr) == (S.RETURNED, "途中まで直した")


def test_mine_without_an_entry_offers_each_way_forward(expert_client):
    body = expert_client.get("/supporters/mine/").content.decode()
    for link in [
        'href="/supporters/apply/"',
        'href="/assessments/new/"',
        'href="/supporters/"',
        'href="/for-experts/"',
    ]:
        assert link in body
