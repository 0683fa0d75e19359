"""Staff pages: the report, attendance import, follow-up; access rules; admin actions."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from config.models import OutgoingMail
from seminars import demo, services
from seminars.models import Application, Event, FaqEntry, Reminder, Survey
from seminars.surveys import INTENT_OPTIONS, add_default_questions
from tests.factories import SupporterFactory, UserFactory, login_staff, make_staff
from tests.mailbox import sent

from .factories import ApplicationFactory, EventFactory, SurveyFactory

pytestmark = pytest.mark.django_db

STAFF_URLS = ["/seminars/report/", "/seminars/report/follow-up/", "/seminars/report/follow-up/send/"]


def test_report_reproduces_the_seed_table(staff_client, django_assert_num_queries):
    demo.load_history()
    # session, user, second-factor device, permissions ×2, the menu's roles, report, surveys
    with django_assert_num_queries(8):
        response = staff_client.get("/seminars/report/")
    html = response.content.decode()
    rows = [
        ("第1回)", "783名", "727名", "92.8%"),
        ("第2回)", "691名", "624名", "90.3%"),
        ("第3回)", "660名", "577名", "87.4%"),
    ]
    for label, applicants, participants, rate in rows:
        section = html[html.index(label) :]
        assert section.index(applicants) < section.index(participants) < section.index(rate) < section.index("</tr>")
    assert "2025年度(令和7年度) ウェビナー" in html
    total = html[html.index("<tfoot>") :]
    assert "2,134名" in total and "1,928名" in total and "90.3%" in total
    # The workshops (January 2026, still FY2025): 15 / 31 / 14 participants, 60 in all.
    workshops = html[html.index("2025年度(令和7年度) ケース演習の申込者数") :]
    assert "60名" in workshops[workshops.index("<tfoot>") :]
    groups, upcoming = services.attendance_report()
    assert upcoming == []
    assert [(r.applicants, r.participants, str(r.rate)) for r in groups[0].rows] == [
        (783, 727, "92.8"),
        (691, 624, "90.3"),
        (660, 577, "87.4"),
    ]
    assert (groups[0].total.applicants, groups[0].total.participants, str(groups[0].total.rate)) == (2134, 1928, "90.3")
    assert [r.participants for r in groups[1].rows] == [15, 31, 14]


def test_report_query_count_does_not_grow(staff_client, django_assert_max_num_queries):
    for _ in range(10):
        event = EventFactory()
        ApplicationFactory.create_batch(3, event=event, attended=True)
        SurveyFactory(event=event)
    with django_assert_max_num_queries(8):
        assert staff_client.get("/seminars/report/").status_code == 200


@pytest.mark.parametrize("url", STAFF_URLS)
def test_staff_pages_need_staff(client, url):
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory())
    refused = client.get(url)
    assert refused.status_code == 403 and "対象の方のみ" in refused.content.decode()
    staff = make_staff(email="no-seminars@example.jp")
    staff.groups.clear()  # staff without the seminar permissions
    login_staff(client, staff)
    refused = client.get(url)
    assert refused.status_code == 403 and "権限の付与を依頼" in refused.content.decode()


def test_attendance_import_utf8_and_cp932(staff_client):
    event = EventFactory()
    a = ApplicationFactory(event=event, email="a@example.jp")
    b = ApplicationFactory(event=event, email="b@example.jp")
    c = ApplicationFactory(event=event, email="c@example.jp")
    url = f"/seminars/report/{event.slug}/attendance/"
    csv_utf8 = "\ufeff名前,メールアドレス,参加時間\n山田,A@example.jp,60\n山田,a@example.jp,30\n".encode("utf-8")
    response = staff_client.post(url, {"file": _upload("zoom.csv", csv_utf8)})
    assert response.status_code == 302
    csv_cp932 = "名前,メール\n鈴木,b@example.jp\n".encode("cp932")
    staff_client.post(url, {"file": _upload("teams.csv", csv_cp932)})
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert (a.attended, b.attended, c.attended) == (True, True, False)
    assert "1件の申込を出席にしました" in staff_client.get(url).content.decode()


def test_attendance_import_is_all_or_nothing_with_row_errors(staff_client):
    event = EventFactory()
    ApplicationFactory(event=event, email="a@example.jp")
    ApplicationFactory(event=event, email="w@example.jp", status="waitlisted")
    data = "メールアドレス\na@example.jp\nnobody@example.jp\nnot-mail\nw@example.jp\n".encode()
    response = staff_client.post(f"/seminars/report/{event.slug}/attendance/", {"file": _upload("x.csv", data)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "3行目: 「nobody@example.jp」の申込はこのイベントにありません" in html
    assert "4行目: メールアドレス「not-mail」の形式が正しくありません" in html
    assert "5行目: 「w@example.jp」はキャンセル待ちのため出席にできません" in html
    assert not Application.objects.filter(attended=True).exists()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("x.csv", "氏名\n山田\n".encode(), "メールアドレスの列が見つかりません"),
        ("x.txt", b"email\n", "読み込めるのは"),
        ("x.csv", b"", "ファイルが空です"),
    ],
)
def test_attendance_import_refuses_bad_files(staff_client, name, data, message):
    event = EventFactory()
    response = staff_client.post(f"/seminars/report/{event.slug}/attendance/", {"file": _upload(name, data)})
    assert response.status_code == 400
    assert message in response.content.decode()


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def _intent_survey(answers_by_email):
    survey = SurveyFactory()
    _, intent, _ = add_default_questions(survey)
    for email, choice in answers_by_email.items():
        application = ApplicationFactory(event=survey.event, email=email, attended=True)
        services.submit_response(survey=survey, application=application, answers={intent: choice})
    return survey


def test_follow_up_reminds_interested_unlisted_respondents_once(staff_client):
    listed_user = UserFactory(email="listed@example.jp")
    SupporterFactory(user=listed_user)
    SupporterFactory(email="Published@Example.jp")  # addresses match whatever their case
    _intent_survey(
        {
            "keen@example.jp": INTENT_OPTIONS[0],
            "maybe@example.jp": INTENT_OPTIONS[1],
            "done@example.jp": INTENT_OPTIONS[2],
            "no@example.jp": INTENT_OPTIONS[3],
            "listed@example.jp": INTENT_OPTIONS[0],
            "published@example.jp": INTENT_OPTIONS[0],
        }
    )
    html = staff_client.get("/seminars/report/follow-up/").content.decode()
    assert "keen@example.jp" in html and "maybe@example.jp" in html
    for email in ("done@", "no@", "listed@", "published@"):
        assert email not in html
    assert 'href="/seminars/report/follow-up/send/"' in html and "送信へ進む(2名)" in html
    confirm = staff_client.get("/seminars/report/follow-up/send/").content.decode()
    assert "<strong>2名</strong>にリマインドメールを1通ずつ送ります" in confirm and "keen@example.jp" in confirm
    response = staff_client.post("/seminars/report/follow-up/send/", {"count": "2"}, follow=True)
    assert "2名へのリマインドメールを送信待ちにしました" in response.content.decode()
    assert (
        mail.outbox == [] and OutgoingMail.objects.filter(status="queued").count() == 2
    )  # queued, not sent in the request
    assert sorted(m.to[0] for m in sent()) == ["keen@example.jp", "maybe@example.jp"]
    assert "支援者リストへの登録について" in sent()[0].subject
    # It leads to the page for experts who want to be listed.
    assert "http://testserver/for-experts/" in sent()[0].body
    assert Reminder.objects.count() == 2
    # Never twice: the same confirmation posted again sends nothing.
    response = staff_client.post("/seminars/report/follow-up/send/", {"count": "2"}, follow=True)
    assert "新たに送る相手はいません" in response.content.decode()
    assert len(sent()) == 2
    assert (
        "新たにリマインドメールを送る相手はいません" in staff_client.get("/seminars/report/follow-up/").content.decode()
    )

    # One of them applies to the list afterwards.
    SupporterFactory(user=UserFactory(email="keen@example.jp"), status="pending")
    html = staff_client.get("/seminars/report/follow-up/").content.decode()
    assert "送信後に登録を申請した方</th><td>1名" in html
    assert "keen@example.jp" not in html  # now on the list, no longer a candidate


def test_admin_turns_questions_into_faq_drafts(staff_client):
    event = EventFactory()
    asked = ApplicationFactory(event=event, question="ツールは無償ですか?")
    ApplicationFactory(event=event, question="")
    response = staff_client.post(
        reverse("admin:seminars_application_changelist"),
        {"action": "make_faq_drafts", "_selected_action": list(event.applications.values_list("pk", flat=True))},
    )
    assert response.status_code == 302
    entry = FaqEntry.objects.get()
    assert (entry.event, entry.source, entry.question, entry.is_published) == (
        event,
        asked,
        "ツールは無償ですか?",
        False,
    )


def test_admin_marks_attendance_and_cancels_with_promotion(staff_client):
    event = EventFactory(capacity=1)
    confirmed = ApplicationFactory(event=event)
    waiting = ApplicationFactory(event=event, status="waitlisted")
    url = reverse("admin:seminars_application_changelist")
    staff_client.post(url, {"action": "mark_attended", "_selected_action": [confirmed.pk, waiting.pk]})
    confirmed.refresh_from_db(), waiting.refresh_from_db()
    assert confirmed.attended and not waiting.attended
    staff_client.post(url, {"action": "cancel_and_promote", "_selected_action": [confirmed.pk]})
    waiting.refresh_from_db()
    assert waiting.status == "confirmed" and sent()[0].to == [waiting.email]


def test_admin_event_pages_open_for_staff(staff_client):
    event = EventFactory()
    assert staff_client.get(reverse("admin:seminars_event_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:seminars_event_change", args=[event.pk])).status_code == 200
    staff_client.post(
        reverse("admin:seminars_event_changelist"),
        {"action": "action_close_applications", "_selected_action": [event.pk]},
    )
    event.refresh_from_db()
    assert event.status == Event.Status.CLOSED


def test_demo_survey_reproduces_the_seed_shares():
    from seminars.charts import survey_results

    history = demo.load_history()
    satisfaction, intent, free = survey_results(demo.load_survey(history[0]))
    assert [str(b.share) for b in satisfaction.chart.bars[:2]] == ["55.1", "40.9"]
    assert [str(b.share) for b in intent.chart.bars[:2]] == ["40.1", "33.1"]
    shares = {b.label: str(b.share) for b in free.chart.bars}
    assert shares["スキル・経験等の不足"] == "13.3" and shares["報酬水準"] == "10.4"


def test_demo_workshop_survey_reproduces_the_seed_shares():
    from collections import Counter

    from seminars.models import Answer

    history = demo.load_history()
    surveys = demo.load_workshop_surveys([e for e in history if e.kind == Event.Kind.WORKSHOP])
    assert [s.event.slug for s in surveys] == ["workshop-2026-osaka", "workshop-2026-tokyo", "workshop-2026-nagoya"]
    assert [s.responses.count() for s in surveys] == [14, 30, 13]
    totals = Counter(
        (a.question.text, a.choice)
        for a in Answer.objects.filter(question__survey__in=surveys).select_related("question")
    )

    def share(question, choice):
        return round(totals[(question, choice)] * 100 / 57, 1)

    assert share("グループワーク(グループ評価)は有意義でしたか", "大変有意義であった") == 75.4
    assert (
        share("講演「マネジメント指導ツール(セキュリティアセスメント)の解説等」は有意義でしたか", "大変有意義であった")
        == 71.9
    )
    assert share("理解度: 監査の方法", "大変よく理解できた") == 38.6  # 4割弱
    assert share("グループワークの課題の難易度", "適切であった") == 50.9
    assert share("マネジメント指導ツールは指導業務に役立つと感じますか", "役立つと感じる") == 100.0
    activity = "「セキュリティアセスメント」を活用した活動を希望しますか"
    assert share(activity, "希望する") == 73.7 and share(activity, "関心はあるが、検討したい") + 73.7 > 90
    # Each workshop's own results page works for staff.
    assert {q.text for q in surveys[1].questions.all()} >= {activity}


def test_load_demo_includes_seminars():
    from django.core.management import call_command

    call_command("load_demo", stdout=__import__("io").StringIO())
    upcoming = Event.objects.with_counts().get(slug="seminar-next")
    workshop = Event.objects.with_counts().get(slug="workshop-next-fukuoka")
    assert upcoming.is_accepting and upcoming.remaining_seats > 0
    assert workshop.remaining_seats == 0 and workshop.waiting_count == 3
    assert workshop.applications_close_at < workshop.starts_at and workshop.is_accepting
    assert Survey.objects.filter(event__kind=Event.Kind.WORKSHOP).count() == 3
    assert workshop.applications.filter(email="demo-expert@example.jp", status="confirmed").exists()
    groups, upcoming = services.attendance_report()
    assert (groups[0].total.applicants, groups[0].total.participants) == (2134, 1928)
    assert {e.slug for e in upcoming} == {"seminar-next", "workshop-next-fukuoka"}


def test_follow_up_page_query_count_is_constant(staff_client, django_assert_max_num_queries):
    _intent_survey({f"k{i}@example.jp": INTENT_OPTIONS[i % 2] for i in range(15)})
    staff_client.post("/seminars/report/follow-up/send/", {"count": "15"})
    with django_assert_max_num_queries(10):  # with the menu's roles (config/navigation.py)
        assert staff_client.get("/seminars/report/follow-up/").status_code == 200


def test_a_confirmation_that_no_longer_matches_asks_again(staff_client):
    _intent_survey({"a@example.jp": INTENT_OPTIONS[0]})
    assert "<strong>1名</strong>" in staff_client.get("/seminars/report/follow-up/send/").content.decode()
    _intent_survey({"b@example.jp": INTENT_OPTIONS[0]})  # a new respondent meanwhile
    response = staff_client.post("/seminars/report/follow-up/send/", {"count": "1"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "対象者が変わりました(いまは2名です)" in body and "<strong>2名</strong>" in body
    assert not Reminder.objects.exists() and not OutgoingMail.objects.exists()


def test_two_sends_at_once_mail_each_person_once(staff_client):
    """The second of two simultaneous sends finds each address already taken."""
    _intent_survey({"a@example.jp": INTENT_OPTIONS[0], "b@example.jp": INTENT_OPTIONS[1]})
    stale = services.unreminded_candidates()
    Reminder.objects.create(email="a@example.jp")  # the other send got there first
    from unittest import mock

    with mock.patch.object(services, "unreminded_candidates", return_value=stale):
        assert services.send_reminders(sent_by=None, base_url="http://testserver") == 1
    assert [m.to for m in sent()] == [["b@example.jp"]]


def test_registrations_over_time_mark_the_registration_mails(staff_client, django_assert_max_num_queries):
    from django.core.management import call_command

    call_command("load_demo", stdout=__import__("io").StringIO())
    # Aggregates, the same for 340 entries as for 34,000; one of them is the menu's roles (config/navigation.py).
    with django_assert_max_num_queries(9):
        page = staff_client.get(reverse("seminars:registrations") + "?year=2025").content.decode()
    page = re.sub(r">\s+<", "><", page)
    assert "支援者リスト新規登録件数推移" in page and "2025年度(令和7年度)" in page
    assert '<svg class="chart" role="img" aria-labelledby="chart-registrations-title"' in page
    # December's second and third weeks: more than 50, after the mail of 12/3 (its week is marked).
    assert "12/1〜12/7 4件(◆12/3 登録案内メール150通)" in page  # the SVG's accessible name
    assert '<th scope="row">12/8〜12/14</th><td class="num">28</td>' in page
    assert '<th scope="row">12/15〜12/21</th><td class="num">30</td>' in page
    assert '<th scope="row">2/2〜2/8</th><td class="num">9</td><td>◆2/5 登録案内メール80通</td>' in page
    assert "2024年度(令和6年度)(202件)" in page and "2025年度(令和7年度)(138件)" in page
    # The report links to it; other years and bad input fall back to the newest year.
    assert reverse("seminars:registrations") in staff_client.get(reverse("seminars:report")).content.decode()
    assert staff_client.get(reverse("seminars:registrations") + "?year=abc").status_code == 200
