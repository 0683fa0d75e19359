"""The 個票 is findable and checkable: JSON-LD, Open Graph, titles, the RISS link,
「掲載内容の誤りを報告」; sitemap.xml, robots.txt and the favicon."""

import io
import json
import re

import pytest
from django.core.management import call_command

from supporters.models import Supporter
from tests.factories import SupporterFactory
from tests.mailbox import sent

pytestmark = pytest.mark.django_db


def jsonld(body: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S).group(1))


def test_the_detail_page_carries_a_schema_org_person(client):
    s = SupporterFactory(
        registration_no="000093",
        name="姓006 名006",
        regions=("kinki",),
        prefectures=("toyama",),
        themes=("policy", "assessment"),
        industries=("finance",),
        self_pr="</script><script>alert(1)</script>",
    )
    body = client.get(s.get_absolute_url()).content.decode()
    data = jsonld(body)
    assert data["@type"] == "Person" and data["name"] == "姓006 名006"
    assert data["identifier"]["value"] == "000093"
    assert data["url"] == "http://testserver/supporters/000093/"
    assert [area["name"] for area in data["areaServed"]] == ["近畿", "富山県"]
    assert data["knowsAbout"] == ["規程整備", "セキュリティアセスメント", "金融業"]
    assert data["description"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in body  # escaped inside the data block


def test_nationwide_is_the_whole_country_and_hidden_fields_stay_out(client):
    s = SupporterFactory(
        nationwide=True, email="secret@example.jp", self_pr="秘密", hidden_fields=["email", "self_pr", "residence"]
    )
    data = jsonld(client.get(s.get_absolute_url()).content.decode())
    assert data["areaServed"] == [{"@type": "Country", "name": "日本", "alternateName": "全国"}]
    assert not {"email", "description", "homeLocation"} & data.keys()


def test_open_graph_title_and_description_say_who_and_where(client):
    s = SupporterFactory(registration_no="000094", name="姓007 名007", regions=("kanto",), first_free=True)
    body = client.get(s.get_absolute_url()).content.decode()
    assert "<title>姓007 名007(登録番号 000094)- 関東で支援する専門家 | セキュリティ対策支援者リスト</title>" in body
    assert '<meta property="og:type" content="profile">' in body
    assert '<meta property="og:title" content="姓007 名007(登録番号 000094)| セキュリティ対策支援者リスト">' in body
    assert '<meta property="og:url" content="http://testserver/supporters/000094/">' in body
    assert re.search(r'<meta name="description" content="[^"]*初回相談無料', body)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in body


def test_the_registration_can_be_checked_at_riss_and_errors_reported(client):
    s = SupporterFactory(registration_no="000095")
    body = client.get(s.get_absolute_url()).content.decode()
    assert 'href="https://riss.ipa.go.jp/r?r=000095"' in body
    assert 'href="/supporters/000095/report/">掲載内容の誤りを報告</a>' in body


def test_an_error_report_reaches_the_office_and_the_reporter_stays_private(client, settings):
    s = SupporterFactory(registration_no="000096", name="姓008 名008")
    page = client.get("/supporters/000096/report/").content.decode()
    assert "掲載内容の誤りを報告" in page and '<meta name="robots" content="noindex">' in page
    response = client.post(
        "/supporters/000096/report/",
        {"item": "inactive", "detail": "メールを送っても届きません。", "email": "sme@example.jp"},
        follow=True,
    )
    assert "誤りのお知らせを受け付けました" in response.content.decode()
    (report,) = sent()
    assert report.to == [settings.LIST_OFFICE_EMAIL] and report.reply_to == ["sme@example.jp"]
    assert "000096" in report.subject and "メールを送っても届きません。" in report.body
    assert "この専門家は活動していない" in report.body and s.get_absolute_url() in report.body


def test_an_error_report_with_mistakes_says_which_field(client):
    SupporterFactory(registration_no="000097")
    response = client.post("/supporters/000097/report/", {"detail": "", "email": "not-mail"})
    body = response.content.decode()
    assert response.status_code == 400 and "<title>エラー: " in body
    for text in ["誤りのある項目を選んでください。", "どこが、どう違っているかを入力してください。", "name@example.jp"]:
        assert text in body
    assert sent() == []


def test_a_bot_filling_the_hidden_field_sends_nothing(client):
    SupporterFactory(registration_no="000098")
    data = {"item": "other", "detail": "spam", "website": "http://spam.example"}
    assert client.post("/supporters/000098/report/", data).status_code == 302
    assert sent() == []


def test_no_report_page_for_entries_that_are_not_listed(client):
    SupporterFactory(registration_no="000099", status=Supporter.Status.PENDING)
    assert client.get("/supporters/000099/report/").status_code == 404


def test_sitemap_lists_every_published_detail_page_and_nothing_else(client):
    SupporterFactory(registration_no="000101")
    SupporterFactory(registration_no="000102", status=Supporter.Status.PENDING)
    body = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/supporters/000101/</loc>" in body
    assert "000102" not in body
    assert "<loc>http://testserver/for-experts/</loc>" in body and "<lastmod>2026-10-01</lastmod>" in body


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_off_personal_and_endless_pages(client):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    for path in ["/admin/", "/accounts/", "/supporters/mine/", "/supporters/?", "/supporters/export"]:
        assert f"Disallow: {path}\n" in body


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"


def test_the_demo_has_experts_whose_address_is_private(client):
    call_command("load_demo", stdout=io.StringIO())
    private = Supporter.objects.published().filter(hidden_fields=["email"])
    assert private.count() >= 60
    first = private.order_by("registration_no").first()
    assert first.registration_no == "000031"
    body = client.get(first.get_absolute_url()).content.decode()
    assert 'action="/supporters/000031/contact/"' in body and first.email not in body
