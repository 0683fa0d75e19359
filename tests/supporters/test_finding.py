"""Finding an expert: the prefecture filter, place names and 登録番号 in the keyword,
the applied filters as removable tags, widening a search that found nobody,
natural sort labels and plain-language explanations of every term."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from supporters.taxonomy import FEES, FORMS, PERIODS, THEMES
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

LIST = reverse("supporters:list")


def numbers(response):
    return [s.registration_no for s in response.context["page"].object_list]


@pytest.fixture
def places():
    names = iter(["北 一郎", "西 二郎", "京 三郎", "浪速 四郎", "江戸 五郎", "立山 六郎"])

    def make(**kwargs):
        # Names and e-mail without digits, so that a number only finds the 登録番号.
        defaults = {"residence_city": "", "name": next(names, ""), "name_kana": "", "email": "e@example.jp"}
        return SupporterFactory(**{**defaults, **kwargs})

    return {
        "nation": make(registration_no="000001", nationwide=True, regions=(), residence_prefecture="hokkaido"),
        "kinki": make(registration_no="000002", regions=("kinki",), residence_prefecture="osaka"),
        "kyoto": make(registration_no="000003", regions=(), prefectures=("kyoto",), residence_prefecture="kyoto"),
        "osaka": make(registration_no="000004", regions=(), prefectures=("osaka",), residence_prefecture="osaka"),
        # Lives in 東京都, supports 関東 only: "京都" must never find them.
        "tokyo": make(
            registration_no="000005", regions=("kanto",), residence_prefecture="tokyo", residence_city="千代田区"
        ),
        "toyama": make(registration_no="000006", regions=(), prefectures=("toyama",), residence_prefecture="toyama"),
        "chiba": make(registration_no="000007", name="千葉 一郎", regions=("kyushu",), residence_prefecture="fukuoka"),
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        # 全国, the whole region, or the prefecture itself.
        ("prefecture=kyoto", ["000001", "000002", "000003"]),
        ("prefecture=osaka", ["000001", "000002", "000004"]),
        ("prefecture=kyoto&prefecture=osaka", ["000001", "000002", "000003", "000004"]),  # OR within
        ("prefecture=toyama", ["000001", "000006"]),  # 富山 is in 甲信越
        ("prefecture=tokyo", ["000001", "000005"]),
        ("prefecture=kyoto&region=kanto", ["000001"]),  # AND across parameters
    ],
)
def test_prefecture_matches_who_supports_it(client, places, query, expected):
    assert numbers(client.get(f"{LIST}?{query}")) == expected


def test_prefecture_is_part_of_the_public_url_contract(client, places):
    exported = client.get("/supporters/export.csv?prefecture=kyoto")
    csv_rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in csv_rows[1:]] == ["000001", "000002", "000003"]
    data = json.loads(client.get("/supporters/export.json?prefecture=kyoto").content)
    assert [r["registration_no"] for r in data["results"]] == ["000001", "000002", "000003"]
    bad = client.get("/supporters/export.json?prefecture=atlantis")
    assert bad.status_code == 400 and "prefecture" in bad.json()["errors"]
    assert client.get(f"{LIST}?prefecture=atlantis").status_code == 400


@pytest.mark.parametrize(
    "q, expected",
    [
        ("京都", ["000001", "000002", "000003"]),  # never 000005 (東京都)
        ("京都府", ["000001", "000002", "000003"]),
        ("東京", ["000001", "000005"]),
        ("近畿", ["000001", "000002", "000003", "000004"]),
        ("関西", ["000001", "000002", "000003", "000004"]),
        ("千葉", ["000001", "000005", "000007"]),  # who supports 千葉県, and 千葉 一郎 by name
        ("千代田区", ["000005"]),  # not a prefecture: the public text
        ("000004", ["000004"]),
        ("4", ["000004"]),  # a number is a 登録番号 too
        ("京都 000003", ["000003"]),
    ],
)
def test_keyword_place_names_mean_the_place(client, places, q, expected):
    assert numbers(client.get(LIST, {"q": q})) == expected


def test_the_page_says_how_a_place_name_was_read(client, places):
    body = client.get(LIST, {"q": "京都"}).content.decode()
    assert "キーワードの「京都」は地名として、京都府で支援できる専門家" in body


def test_applied_filters_are_removable_tags(client, places):
    response = client.get(
        LIST, {"prefecture": "kyoto", "theme": ["policy", "cloud"], "first_free": "1", "sort": "-updated"}
    )
    body = response.content.decode()
    tags = re.findall(r'<a class="filter-tag" href="([^"]+)">(.*?)</a>', body)
    labels = [re.sub(r"<[^>]+>", "", label) for _, label in tags]
    assert labels == [
        "都道府県:京都府×(この条件を外す)",
        "指導テーマ:規程整備×(この条件を外す)",
        "指導テーマ:クラウドセキュリティ対策×(この条件を外す)",
        "条件:初回相談無料×(この条件を外す)",
    ]
    removing_policy = {re.sub(r"<[^>]+>", "", label): url for url, label in tags}[labels[1]]
    assert removing_policy == f"{LIST}?prefecture=kyoto&amp;theme=cloud&amp;first_free=1&amp;sort=-updated"
    assert "<title>京都府・規程整備・クラウドセキュリティ対策・初回相談無料の専門家 0件" in body


def test_the_count_comes_before_the_results_and_is_announced(client, places):
    body = client.get(LIST, {"prefecture": "kyoto"}).content.decode()
    count = body.index('<p class="result-count" role="status"><strong>3件</strong>の専門家が見つかりました')
    assert count < body.index('<ul class="supporter-cards">') < body.index('<table class="supporters-table">')


def test_a_search_that_finds_nobody_says_so_and_offers_wider_ones(client, places, django_assert_max_num_queries):
    # The page cache's version and the index (once per change), which counts the wider searches too.
    with django_assert_max_num_queries(2):
        response = client.get(LIST, {"prefecture": "toyama", "industry": "finance"})
    body = response.content.decode()
    assert "条件に合う専門家は見つかりませんでした。" in body
    assert response.context["page"].paginator.count == 0
    widenings = {w.label: (w.url, w.count) for w in response.context["widenings"]}
    assert widenings == {
        "「得意とする業界」の条件を外す": (f"{LIST}?prefecture=toyama", 2),
    }
    assert 'href="/supporters/?prefecture=toyama">「得意とする業界」の条件を外す</a>' in body
    assert "条件をすべて外して、掲載中のすべての専門家を見る" in body


def test_wider_searches_are_counted_alike_by_the_index_and_by_sql(places):
    from django.http import QueryDict
    from django.utils import timezone

    from supporters import index, listing
    from supporters.filters import SupporterFilter
    from supporters.models import Supporter

    directory = index.DirectoryIndex(timezone.localdate())
    offered = []
    for query in (
        "prefecture=toyama&industry=finance",
        "prefecture=kyoto&q=千葉",  # wider: 近畿 and around, anywhere, without the keyword
        "region=okinawa&q=浪速",
    ):
        filterset = SupporterFilter(QueryDict(query), queryset=Supporter.objects.published())
        assert filterset.is_valid()
        by_index = listing.widenings(filterset, directory=directory)
        assert by_index == listing.widenings(filterset)
        offered += by_index
    assert len(offered) >= 3


def test_wider_places_are_offered_first(client, places):
    SupporterFactory(registration_no="000010", regions=("tokai",), industries=("finance",))
    SupporterFactory(registration_no="000011", regions=("tohoku",), industries=("finance",))
    response = client.get(LIST, {"prefecture": "toyama", "industry": "finance"})
    widenings = [(w.label, w.count) for w in response.context["widenings"]]
    assert widenings[0] == ("甲信越とその周り(東北・関東・東海・近畿)まで広げる", 2)
    assert ("場所の条件を外して、全国から探す", 2) in widenings
    url = response.context["widenings"][0].url
    assert url == f"{LIST}?industry=finance&region=tohoku&region=kanto&region=koshinetsu&region=tokai&region=kinki"
    assert numbers(client.get(url.replace("&amp;", "&"))) == ["000010", "000011"]


def test_sort_labels_are_japanese_and_in_a_natural_order(client, places):
    body = client.get(LIST).content.decode()
    select = re.search(r'<select id="sort-results" name="sort">(.*?)</select>', body, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", select) == [
        "登録番号順",
        "最終更新日が新しい順",
        "最終更新日が古い順",
        "企業支援実績(件数)が多い順",
        "企業支援実績(件数)が少ない順",
        "登録番号の大きい順",
    ]
    assert "descending" not in body
    # The sort form keeps the filters.
    filtered = client.get(LIST, {"prefecture": "kyoto"}).content.decode()
    assert '<input type="hidden" name="prefecture" value="kyoto">' in filtered


def test_every_term_is_explained_next_to_its_filter_and_on_help(client):
    terms = [*THEMES, *FORMS, *PERIODS, *FEES]
    assert all(t.description for t in terms)
    page = client.get(LIST).content.decode()
    help_page = client.get("/help/").content.decode()
    for term in terms:
        assert term.description in page and term.description in help_page, term.label
    # Each hint belongs to its checkbox.
    assert re.search(r'<input type="checkbox" name="theme" value="policy"[^>]*aria-describedby="id_theme_0_hint"', page)
    assert 'id="id_theme_0_hint"' in page


def test_first_free_is_visible_without_opening_anything(client):
    SupporterFactory(registration_no="000020", first_free=True)
    body = client.get(LIST).content.decode()
    card = body[body.index('<ul class="supporter-cards">') : body.index("<table")]
    row = body[body.index("<tbody>") :]
    assert '<span class="badge badge-free">初回相談無料</span>' in card
    assert '<span class="badge badge-free">初回相談無料</span>' in row


def test_help_explains_how_region_and_prefecture_match(client):
    body = client.get("/help/").content.decode()
    assert "「全国」で登録している専門家" in body and "地域全体" in body
    assert "<code>prefecture</code>" in body and "<code>kyoto</code>(京都府)" in body
    assert "「京都」で「東京都」の専門家が見つかることはありません" in body
