"""Surveys: personal and anonymous links, validation, results, tagging, CSV."""

import pytest
from django.urls import reverse

from seminars import services
from seminars.models import Answer, AnswerCategory, Question, Response, Survey
from seminars.surveys import INTENT_OPTIONS, SATISFACTION_OPTIONS, add_default_questions
from tests.downloads import csv_rows
from tests.factories import UserFactory
from tests.mailbox import sent

from .factories import ApplicationFactory, QuestionFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    survey = SurveyFactory()
    add_default_questions(survey)
    QuestionFactory(
        survey=survey,
        kind=Question.Kind.MULTIPLE,
        text="役立った内容",
        options="事例\nツール\n登録方法",
        required=False,
        order=10,
    )
    QuestionFactory(survey=survey, kind=Question.Kind.SCALE, text="わかりやすさ", options="", required=False, order=11)
    return survey


def questions(survey):
    return {q.text: f"q{q.pk}" for q in survey.questions.all()}


def test_default_questions_follow_the_seed(survey):
    satisfaction, intent, free = survey.questions.all()[:3]
    assert satisfaction.option_list == SATISFACTION_OPTIONS
    assert intent.option_list == INTENT_OPTIONS and intent.purpose == Question.Purpose.INTENT
    assert free.kind == Question.Kind.TEXT and not free.required


def test_personal_link_answers_once(client, survey):
    application = ApplicationFactory(event=survey.event, attended=True)
    url = reverse("seminars:survey-personal", args=[services.survey_token(application)])
    page = client.get(url).content.decode()
    assert "セミナー全体の満足度" in page and "<legend>" in page
    q = questions(survey)
    response = client.post(
        url,
        {
            q["セミナー全体の満足度"]: SATISFACTION_OPTIONS[0],
            q["支援者リストへの登録・活動意向"]: INTENT_OPTIONS[1],
            q["役立った内容"]: ["事例", "ツール"],
            q["わかりやすさ"]: "4",
            q["登録セキスペとして活動するにあたっての課題やご要望(自由記述)"]: "報酬が心配です",
        },
    )
    assert "回答ありがとうございました" in response.content.decode()
    assert 'href="/for-experts/">専門家として掲載を希望する方へ</a>' in response.content.decode()
    stored = Response.objects.get()
    assert stored.application == application
    assert sorted(a.choice or a.text for a in stored.answers.all()) == sorted(
        [SATISFACTION_OPTIONS[0], INTENT_OPTIONS[1], "事例", "ツール", "4", "報酬が心配です"]
    )
    again = client.get(url).content.decode()
    assert "すでに回答いただいています" in again
    client.post(
        url,
        {q["セミナー全体の満足度"]: SATISFACTION_OPTIONS[0], q["支援者リストへの登録・活動意向"]: INTENT_OPTIONS[0]},
    )
    assert Response.objects.count() == 1


def test_required_questions_and_bad_choices_are_refused(client, survey):
    application = ApplicationFactory(event=survey.event)
    url = reverse("seminars:survey-personal", args=[services.survey_token(application)])
    q = questions(survey)
    response = client.post(url, {q["セミナー全体の満足度"]: "最高", q["わかりやすさ"]: "9"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "回答を選ぶか入力してください。" in html and "入力内容を確認してください" in html
    assert not Response.objects.exists()


def test_links_are_checked(client, survey):
    cancelled = ApplicationFactory(event=survey.event, status="cancelled")
    assert client.get(reverse("seminars:survey-personal", args=[services.survey_token(cancelled)])).status_code == 404
    waiting = ApplicationFactory(event=survey.event, status="waitlisted")
    assert client.get(reverse("seminars:survey-personal", args=[services.survey_token(waiting)])).status_code == 404
    other = ApplicationFactory()  # an event without a survey
    assert client.get(reverse("seminars:survey-personal", args=[services.survey_token(other)])).status_code == 404
    assert client.get(reverse("seminars:survey-personal", args=["nonsense"])).status_code == 404
    # Personal surveys have no anonymous link.
    assert client.get(survey.anonymous_url()).status_code == 404


def test_anonymous_link_and_closing(client, survey):
    survey.mode = Survey.Mode.ANONYMOUS
    survey.save()
    q = questions(survey)
    data = {q["セミナー全体の満足度"]: SATISFACTION_OPTIONS[1], q["支援者リストへの登録・活動意向"]: INTENT_OPTIONS[3]}
    client.post(survey.anonymous_url(), data)
    client.post(survey.anonymous_url(), data)
    assert Response.objects.filter(application=None).count() == 2
    survey.is_open = False
    survey.save()
    assert "回答受付は終了しました" in client.get(survey.anonymous_url()).content.decode()
    client.post(survey.anonymous_url(), data)
    assert Response.objects.count() == 2


def answer_many(survey, choices, start=0):
    _, intent, free = survey.questions.all()[:3]
    for i, (choice, text) in enumerate(choices, start=start):
        application = ApplicationFactory(event=survey.event, email=f"r{i}@example.jp")
        services.submit_response(survey=survey, application=application, answers={intent: choice, free: text})


def test_results_count_share_chart_table_and_categories(staff_client, survey, django_assert_max_num_queries):
    answer_many(
        survey,
        [
            (INTENT_OPTIONS[0], "報酬が低い"),
            (INTENT_OPTIONS[0], ""),
            (INTENT_OPTIONS[1], "指導経験がない"),
            (INTENT_OPTIONS[3], ""),
        ],
    )
    pay = AnswerCategory.objects.get(name="報酬水準")
    for answer in Answer.objects.filter(text="報酬が低い"):
        answer.categories.add(pay)
    url = reverse("seminars:survey-results", args=[survey.pk])
    with django_assert_max_num_queries(13):  # with the menu's roles (config/navigation.py)
        response = staff_client.get(url)
    html = response.content.decode()
    assert 'role="img"' in html and "<title id=" in html
    assert INTENT_OPTIONS[0] in html and "50.0%" in html and "25.0%" in html
    # 報酬水準: 1 of 2 free texts.
    assert "報酬水準" in html and "1件(50.0%)" in html
    # More responses do not mean more queries.
    answer_many(survey, [(INTENT_OPTIONS[2], f"t{i}") for i in range(8)], start=4)
    with django_assert_max_num_queries(13):
        staff_client.get(url)


def test_results_csv(staff_client, survey):
    answer_many(survey, [(INTENT_OPTIONS[0], '=HYPERLINK("x")')])
    response = staff_client.get(reverse("seminars:survey-csv", args=[survey.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0][:3] == ["回答番号", "回答日時", "申込者メールアドレス"]
    assert "支援者リストへの登録・活動意向" in rows[0]
    assert rows[1][2] == "r0@example.jp" and INTENT_OPTIONS[0] in rows[1]
    assert '\'=HYPERLINK("x")' in rows[1]  # no formula runs when opened


def test_results_are_for_staff_only(client, survey):
    client.force_login(UserFactory())
    assert client.get(reverse("seminars:survey-results", args=[survey.pk])).status_code == 403
    assert client.get(reverse("seminars:survey-csv", args=[survey.pk])).status_code == 403


def test_admin_tags_free_text_in_bulk(staff_client, survey):
    answer_many(survey, [(INTENT_OPTIONS[0], "報酬が低い"), (INTENT_OPTIONS[1], "契約が不安")])
    contract = AnswerCategory.objects.get(name="契約・責任")
    target = Answer.objects.get(text="契約が不安")
    response = staff_client.post(
        reverse("admin:seminars_answer_changelist"), {"action": f"tag_{contract.pk}", "_selected_action": [target.pk]}
    )
    assert response.status_code == 302
    assert list(target.categories.all()) == [contract]
    assert staff_client.get(reverse("admin:seminars_answer_change", args=[target.pk])).status_code == 200


def test_admin_survey_gets_default_questions(staff_client):
    from .factories import EventFactory

    event = EventFactory()
    response = staff_client.post(
        reverse("admin:seminars_survey_add"),
        {
            "event": event.pk,
            "title": "アンケート",
            "mode": "personal",
            "is_open": "on",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [q.text for q in Survey.objects.get().questions.all()][:2] == [
        "セミナー全体の満足度",
        "支援者リストへの登録・活動意向",
    ]


def test_survey_requests_go_to_attendees_who_have_not_answered(staff_client, survey):
    attended = ApplicationFactory(event=survey.event, attended=True)
    ApplicationFactory(event=survey.event, attended=False)
    answered = ApplicationFactory(event=survey.event, attended=True)
    services.submit_response(survey=survey, application=answered, answers={})
    results = staff_client.get(reverse("seminars:survey-results", args=[survey.pk])).content.decode()
    url = reverse("seminars:survey-send", args=[survey.pk])
    assert f'href="{url}"' in results
    confirm = staff_client.get(url).content.decode()
    assert "<strong>1名</strong>にアンケート依頼メールを" in confirm and attended.email in confirm
    response = staff_client.post(url, {"count": "1"}, follow=True)
    assert "1名へのアンケート依頼メールを送信待ちにしました" in response.content.decode()
    assert [m.to for m in sent()] == [[attended.email]]
    assert "/seminars/surveys/answer/" in sent()[0].body
    # Asked once: a second send (a double submit, or later) finds no one.
    assert "新たに送る相手はいません" in staff_client.post(url, {"count": "1"}, follow=True).content.decode()
    assert len(sent()) == 1


def test_survey_requests_need_an_open_personal_survey(staff_client, survey):
    survey.mode = Survey.Mode.ANONYMOUS
    survey.save()
    ApplicationFactory(event=survey.event, attended=True)
    response = staff_client.get(reverse("seminars:survey-send", args=[survey.pk]), follow=True)
    assert "個人別リンク" in response.content.decode()
    assert sent() == []
