"""Public seminar pages: list, detail, calendar file, FAQ, materials."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from seminars.ical import escape, fold
from seminars.models import Event, FaqEntry, Material, ProgrammeItem, Speaker, validate_pdf

from .factories import ApplicationFactory, EventFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def past_event(**kwargs):
    start = timezone.now() - datetime.timedelta(days=30)
    return EventFactory(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2), status=Event.Status.CLOSED, **kwargs
    )


def test_list_shows_upcoming_first_then_past_and_hides_drafts(client, django_assert_num_queries):
    later = EventFactory(title="後のセミナー", starts_at=timezone.now() + datetime.timedelta(days=20))
    sooner = EventFactory(title="先のセミナー")
    old = past_event(title="終わったセミナー")
    EventFactory(title="下書きのセミナー", status=Event.Status.DRAFT)
    ApplicationFactory.create_batch(3, event=sooner)
    for _ in range(5):
        EventFactory()
    with django_assert_num_queries(2):
        response = client.get("/seminars/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(sooner.title) < html.index(later.title) < html.index("終了したイベント") < html.index(old.title)
    assert "下書きのセミナー" not in html
    assert "残り97席" in html


def test_detail_shows_programme_speakers_and_remaining_seats(client, django_assert_num_queries):
    event = EventFactory(
        capacity=5, venue_name="大阪商工会議所", venue_room="402号会議室-B", venue_address="大阪市中央区"
    )
    ProgrammeItem.objects.create(
        event=event,
        order=1,
        starts_at=datetime.time(13, 0),
        title="指導ツールの説明",
        presenter="IPA",
        duration_minutes=90,
    )
    Speaker.objects.create(event=event, name="久保田 秀男氏", work_form="副業", case_study="A株式会社【非公開】")
    FaqEntry.objects.create(event=event, question="公開の質問", answer="回答です", is_published=True)
    FaqEntry.objects.create(event=event, question="非公開の質問", answer="")
    ApplicationFactory.create_batch(2, event=event)
    ApplicationFactory(event=event, status="cancelled")
    with django_assert_num_queries(5):
        response = client.get(event.get_absolute_url())
    html = response.content.decode()
    assert "残り3席" in html
    assert "指導ツールの説明" in html and "1時間30分" in html and "13:00" in html
    assert "久保田 秀男氏" in html and "副業" in html
    assert "公開の質問" in html and "非公開の質問" not in html
    assert "402号会議室-B" in html
    # The join URL is for accepted applicants only.
    assert "secret-room" not in html


def test_full_event_offers_the_waiting_list(client):
    event = EventFactory(capacity=1)
    ApplicationFactory(event=event)
    ApplicationFactory(event=event, status="waitlisted")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "満席。キャンセル待ち1名、申込はキャンセル待ちで受け付けます" in html and "キャンセル待ちで申し込む" in html
    assert '<span class="badge badge-full">満席・キャンセル待ち</span>' in html and "受付中" not in html


def test_the_list_says_a_full_event_is_full_not_open(client):
    full = EventFactory(title="満席のセミナー", capacity=2)
    ApplicationFactory.create_batch(2, event=full)
    ApplicationFactory.create_batch(3, event=full, status="waitlisted")
    EventFactory(title="空きのあるセミナー", capacity=10)
    html = client.get("/seminars/").content.decode()
    full_card = html.split("満席のセミナー")[1].split("</li>")[0]
    open_card = html.split("空きのあるセミナー")[1].split("</li>")[0]
    assert '<span class="badge badge-full">満席・キャンセル待ち</span>' in full_card and "受付中" not in full_card
    assert "定員2名・満席(キャンセル待ち3名)" in full_card
    assert '<span class="badge badge-open">受付中</span>' in open_card and "残り10席" in open_card


def test_the_application_deadline_is_shown_in_the_list_and_on_the_page(client):
    start = timezone.localtime() + datetime.timedelta(days=20)
    close = (start - datetime.timedelta(days=3)).replace(hour=17, minute=0, second=0, microsecond=0)
    event = EventFactory(title="締切のあるセミナー", starts_at=start, applications_close_at=close)
    no_deadline = EventFactory(title="締切を決めていないセミナー", starts_at=start)
    weekday = "月火水木金土日"[close.weekday()]
    shown = f"{close.year}年{close.month}月{close.day}日({weekday}) 17:00</time>まで"
    assert shown in client.get("/seminars/").content.decode()
    page = client.get(event.get_absolute_url()).content.decode()
    assert '<th scope="row">申込締切</th>' in page and shown in page
    page = client.get(no_deadline.get_absolute_url()).content.decode()
    assert '<th scope="row">申込締切</th><td>開始時刻(<time' in page


@pytest.mark.parametrize("status", [Event.Status.DRAFT])
def test_draft_event_is_not_found(client, status):
    event = EventFactory(status=status)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(f"/seminars/{event.slug}/calendar.ics").status_code == 404
    assert client.get(f"/seminars/{event.slug}/apply/").status_code == 404


def test_ics_export_escapes_and_folds():
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    long = "SUMMARY:" + "セキュリティ" * 20
    folded = fold(long)
    for piece in folded.split("\r\n"):
        assert len(piece.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == long


def test_ics_download(client):
    event = EventFactory(title="説明会, 第1回; 大阪", summary="1行目\n2行目", venue_name="会場")
    response = client.get(f"/seminars/{event.slug}/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:説明会\\, 第1回\\; 大阪\r\n" in unfolded
    assert "DESCRIPTION:1行目\\n2行目" in unfolded
    start = event.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}\r\n" in unfolded
    assert "LOCATION:会場\r\n" in unfolded
    assert "\n" not in body.replace("\r\n", "")


def test_faq_page_lists_general_and_event_entries(client):
    event = past_event(title="第1回")
    FaqEntry.objects.create(question="全体の質問", answer="全体の回答", is_published=True)
    FaqEntry.objects.create(event=event, question="<script>x</script>", answer="回答", is_published=True)
    FaqEntry.objects.create(
        event=EventFactory(status=Event.Status.DRAFT), question="下書きイベントの質問", answer="回答", is_published=True
    )
    html = client.get("/seminars/faq/").content.decode()
    assert "全体の質問" in html and "第1回" in html
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert "下書きイベントの質問" not in html


def test_past_event_shows_archive_and_serves_material_as_attachment(client):
    event = past_event(archive_url="https://example.jp/archive/1")
    material = Material.objects.create(event=event, title="説明資料", file=SimpleUploadedFile("slides.pdf", PDF))
    html = client.get(event.get_absolute_url()).content.decode()
    assert "https://example.jp/archive/1" in html and material.get_absolute_url() in html
    response = client.get(material.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    assert client.get(f"/seminars/{event.slug}/materials/{material.pk + 99}/").status_code == 404


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("slides.exe", PDF, "拡張子 .pdf"),
        ("slides.pdf", b"MZ\x90\x00not a pdf", "PDFファイルとして読み込めません"),
        ("big.pdf", PDF + b"0" * 2048, "大きすぎます"),
    ],
)
def test_material_upload_is_checked(settings, name, content, message):
    settings.SEMINARS_MATERIAL_MAX_BYTES = 1024
    with pytest.raises(Exception) as info:
        validate_pdf(SimpleUploadedFile(name, content))
    assert message in str(info.value)


def test_reserved_slug_is_refused():
    event = EventFactory.build(slug="report")
    with pytest.raises(Exception) as info:
        event.full_clean()
    assert "URL名に使えません" in str(info.value)


def test_material_form_refuses_a_disguised_file(settings):
    from django.forms import modelform_factory

    Form = modelform_factory(Material, fields=["event", "title", "file"])
    event = past_event()
    bad = Form({"event": event.pk, "title": "資料"}, {"file": SimpleUploadedFile("slides.pdf", b"<html>")})
    assert not bad.is_valid() and "PDFファイルとして読み込めません" in str(bad.errors["file"])
    good = Form({"event": event.pk, "title": "資料"}, {"file": SimpleUploadedFile("slides.pdf", PDF)})
    assert good.is_valid(), good.errors
    assert good.save().file.read() == PDF


def test_ics_for_an_online_event_never_reveals_the_join_url(client):
    event = EventFactory()
    body = client.get(f"/seminars/{event.slug}/calendar.ics").content.decode().replace("\r\n ", "")
    assert "LOCATION:オンライン\r\n" in body
    assert "secret-room" not in body
