"""The guided search (/guide/): one question per page, GET only; each answer's
filters come from the one table in supporters/guide.py, which /help/ shows;
the last step is the ordinary list URL, which says why it has those filters."""

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from supporters import guide, listing
from supporters.guide import QUESTIONS
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

GUIDE = reverse("supporters:guide")
RESULT = reverse("supporters:guide-result")
LIST = reverse("supporters:list")


def step(slug):
    return reverse("supporters:guide-step", args=[slug])


def list_params(response) -> dict[str, list[str]]:
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert parts.path == LIST
    return parse_qs(parts.query)


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_every_filter_parameter_is_set_by_one_question_at_most():
    # OR within a parameter would otherwise mix two answers into "either"; an
    # incident sets the support form itself, so "how" is not asked after it.
    for worry in guide.BY_SLUG["worry"].answers:
        asked = guide.steps_for({"worry": worry.slug})
        owner = {}
        for question in asked:
            answers = [worry] if question.slug == "worry" else question.answers
            for name in {name for answer in answers for name in answer.filters}:
                assert owner.setdefault(name, question.slug) == question.slug, (worry.slug, name, question.slug)


def test_every_answer_maps_to_valid_list_filters(client):
    for question in QUESTIONS:
        for answer in question.answers:
            query = guide.list_query({question.slug: answer.slug})
            response = client.get(LIST, query)
            assert response.status_code == 200, (question.slug, answer.slug)


@pytest.mark.parametrize(
    "answers, expected",
    [
        (
            {"prefecture": "tokyo", "industry": "retail", "worry": "no-rules", "how": "visit", "budget": "any"},
            {"prefecture": ["tokyo"], "industry": ["retail"], "theme": ["policy"], "form": ["visit"]},
        ),
        (
            {"prefecture": "any", "industry": "any", "worry": "customer-asks", "how": "remote", "budget": "first-free"},
            {"theme": ["assessment", "policy"], "form": ["remote"], "first_free": ["1"]},
        ),
        (
            {"prefecture": "osaka", "industry": "any", "worry": "incident-now", "budget": "under-20k"},
            {
                "prefecture": ["osaka"],
                "theme": ["incident-response"],
                "form": ["emergency"],
                "fee": ["free", "under-10k", "10k-20k", "negotiable"],
            },
        ),
        (
            {"prefecture": "any", "industry": "any", "worry": "where-to-start", "how": "any", "budget": "any"},
            {"theme": ["risk-analysis"]},
        ),
    ],
)
def test_the_last_step_is_the_list_with_the_answers_filters(client, answers, expected):
    params = list_params(client.get(RESULT, answers))
    answers_kept = {k: [v] for k, v in answers.items() if k in guide.ANSWER_PARAMS}
    assert params == {**expected, **answers_kept}


def test_one_question_per_page_each_leading_to_the_next(client):
    response = client.get(GUIDE)
    body = response.content.decode()
    assert response.status_code == 200
    assert "会社はどの都道府県にありますか" in body
    assert f'action="{step("industry")}"' in body and 'method="get"' in body
    assert "<script" not in body

    response = client.get(step("industry"), {"prefecture": "kyoto"})
    body = response.content.decode()
    assert "会社の業種は何ですか" in body
    assert '<input type="hidden" name="prefecture" value="kyoto">' in body
    assert f'action="{step("worry")}"' in body
    assert "質問 2 / 5" in body

    response = client.get(step("budget"), {"prefecture": "kyoto", "industry": "any", "worry": "cloud", "how": "any"})
    body = response.content.decode()
    assert f'action="{RESULT}"' in body
    assert "合う専門家を表示する" in body
    # Going back keeps the answers given so far (the previous one chosen).
    assert f'href="{step("how")}?prefecture=kyoto&amp;industry=any&amp;worry=cloud&amp;how=any"' in body


def test_going_back_shows_the_earlier_answer_chosen_and_keeps_later_ones(client):
    response = client.get(step("industry"), {"prefecture": "kyoto", "industry": "retail", "worry": "cloud"})
    body = response.content.decode()
    assert re.search(r'value="retail" checked', body)
    assert '<input type="hidden" name="worry" value="cloud">' in body


def test_an_incident_now_leads_first_to_what_to_do_and_skips_how(client):
    answers = {"prefecture": "tokyo", "industry": "any", "worry": "incident-now"}
    response = client.get(step("how"), answers)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("supporters:guide-urgent") + "?")

    response = client.get(response["Location"])
    body = response.content.decode()
    assert response.status_code == 200
    assert "情報セキュリティ安心相談窓口" in body and guide.IPA_ANSHIN_URL in body
    assert guide.POLICE_CYBER_URL in body and "110番" in body
    assert "ネットワークから切り離します" in body
    # Straight to experts offering 緊急対応, or on to the budget question.
    assert "form=emergency" in body and "theme=incident-response" in body
    assert step("budget") in body

    response = client.get(step("budget"), answers)
    body = response.content.decode()
    assert "質問 4 / 4" in body
    assert reverse("supporters:guide-urgent") in body  # the way back


def test_the_incident_page_opens_without_answers_and_asks_the_rest_after(client):
    response = client.get(reverse("supporters:guide-urgent"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "すぐにすること" in body
    assert f'href="{GUIDE}?worry=incident-now"' in body
    assert "?theme=incident-response&amp;form=emergency&amp;worry=incident-now&amp;budget=any" in body


@pytest.mark.parametrize(
    "url, params, message",
    [
        (step("industry"), {}, "答えを1つ選んでください"),
        (step("industry"), {"prefecture": "atlantis"}, "「atlantis」は選べない答えです"),
        (step("how"), {"prefecture": "tokyo", "industry": "retail", "worry": "<b>x</b>"}, "「&lt;b&gt;x&lt;/b&gt;」"),
        (
            RESULT,
            {"prefecture": "tokyo", "industry": "retail", "worry": "cloud", "how": "visit", "budget": "1円"},
            "1円",
        ),
    ],
)
def test_a_wrong_or_missing_answer_asks_that_question_again_with_why(client, url, params, message):
    response = client.get(url, params)
    body = response.content.decode()
    assert response.status_code == 400
    assert "答えを確認してください" in body and message in body
    assert "<b>x</b>" not in body


def test_the_prefecture_drop_down_is_described_by_its_hint_and_error(client):
    body = client.get(step("industry")).content.decode()
    assert 'aria-describedby="prefecture_hint prefecture_errors"' in body
    assert 'id="prefecture_errors"' in body and 'id="prefecture_hint"' in body


def test_a_very_long_answer_is_quoted_short(client):
    response = client.get(step("industry"), {"prefecture": "x" * 10_000})
    body = response.content.decode()
    assert response.status_code == 400
    assert "「" + "x" * 41 + "」は選べない答えです" in body  # not the 10,000 characters


def test_an_unknown_step_is_a_404_with_a_way_back(client):
    response = client.get(step("nonsense"))
    assert response.status_code == 404


def test_only_get(client):
    assert client.post(GUIDE).status_code == 405
    assert client.post(RESULT).status_code == 405


def test_the_list_says_which_answers_led_to_which_filters(client):
    SupporterFactory(regions=("kanto",), themes=("policy",), forms=("visit",), industries=("retail",))
    answers = {"prefecture": "tokyo", "industry": "retail", "worry": "no-rules", "how": "visit", "budget": "any"}
    response = client.get(client.get(RESULT, answers)["Location"])
    body = response.content.decode()
    assert "質問への答えから、次の条件で探しています" in body
    assert "困っていること「社内のルール(情報セキュリティの決まりごと)がない」→ 指導テーマ: 規程整備" in body
    assert "相談のしかた「会社に来てもらって相談したい」→ 支援の形態: 訪問" in body
    assert "会社の所在地「東京都」→ 会社の所在地: 東京都" in body
    # Few found: how to widen.
    assert "都道府県の代わりに地域(関東)全体で探す" in body
    assert "業種の条件を外す" in body
    # Answering again starts from the same answers.
    assert (
        f'href="{GUIDE}?prefecture=tokyo&amp;industry=retail&amp;worry=no-rules&amp;how=visit&amp;budget=any"' in body
    )
    # The export links stay the plain filters.
    assert "export.csv?prefecture=tokyo&amp;industry=retail&amp;theme=policy&amp;form=visit" in body


def test_a_removed_filter_is_no_longer_claimed_and_unknown_answers_are_said(client):
    SupporterFactory()
    response = client.get(LIST, {"form": "visit", "worry": "no-rules", "how": "visit", "budget": "x" * 100})
    body = response.content.decode()
    assert response.status_code == 200
    assert "指導テーマ: 規程整備" not in body  # theme=policy was removed
    assert "支援の形態: 訪問" in body
    assert "予算「" + "x" * 40 + "…」は、質問の答えとして読み取れなかった" in body


def test_a_list_not_from_the_guide_says_nothing_about_answers(client):
    SupporterFactory()
    body = client.get(LIST, {"theme": "policy"}).content.decode()
    assert "質問への答えから" not in body


def test_every_zero_result_page_links_to_the_guide(client):
    SupporterFactory(regions=("kanto",))
    body = client.get(LIST, {"region": "okinawa"}).content.decode()
    assert "条件に合う専門家は見つかりませんでした" in body
    assert f'href="{GUIDE}"' in body


def test_the_home_and_help_pages_link_to_the_guide(client):
    assert f'href="{GUIDE}"' in client.get(reverse("supporters:home")).content.decode()
    assert f'href="{GUIDE}"' in client.get(reverse("supporters:help")).content.decode()


def test_help_shows_the_whole_answer_to_filter_table(client):
    body = client.get(reverse("supporters:help")).content.decode()
    assert 'id="guide-mapping"' in body
    for question in QUESTIONS:
        assert question.text in body
        for answer in question.listed_answers:
            assert answer.label in body
            for text in answer.conditions:
                assert text in body
    assert "支援料金: 無償、10,000円未満、10,000円以上~20,000円未満、応相談" in body


COMMON = [
    {"prefecture": "tokyo", "industry": "any", "worry": "no-rules", "how": "any", "budget": "any"},
    {"prefecture": "osaka", "industry": "any", "worry": "training", "how": "lecture", "budget": "any"},
    {"prefecture": "aichi", "industry": "manufacturing-other", "worry": "customer-asks", "how": "any", "budget": "any"},
    {"prefecture": "fukuoka", "industry": "any", "worry": "where-to-start", "how": "remote", "budget": "first-free"},
    {"prefecture": "kanagawa", "industry": "any", "worry": "incident-now", "budget": "any"},
    {"prefecture": "any", "industry": "any", "worry": "cloud", "how": "remote", "budget": "under-20k"},
]


def test_common_answers_find_experts_on_the_demo(client, demo):
    for answers in COMMON:
        response = client.get(client.get(RESULT, answers)["Location"])
        assert response.context["page"].paginator.count > 0, answers


def test_rare_answers_lead_to_a_helpful_page(client, demo):
    answers = {
        "prefecture": "okinawa",
        "industry": "defense",
        "worry": "cloud",
        "how": "lecture",
        "budget": "under-10k",
    }
    response = client.get(client.get(RESULT, answers)["Location"])
    body = response.content.decode()
    assert response.status_code == 200
    count = response.context["page"].paginator.count
    assert count < listing.GUIDED_FEW
    assert "条件を広げてみてください" in body
    assert "予算の条件を外す" in body and "都道府県の代わりに地域(沖縄)全体で探す" in body
    if not count:
        assert "条件を広げると見つかります" in body


def test_guide_pages_run_a_constant_number_of_queries(client, django_assert_max_num_queries):
    SupporterFactory.create_batch(5)
    with django_assert_max_num_queries(2):
        client.get(step("budget"), {"prefecture": "tokyo", "industry": "any", "worry": "cloud", "how": "any"})
