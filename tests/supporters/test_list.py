"""The public list: filters, keyword search, sorting, paging, query counts."""

import pytest
from django.urls import reverse

from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

LIST = reverse("supporters:list")


def numbers(response):
    return [s.registration_no for s in response.context["page"].object_list]


def make(no, **kwargs):
    return SupporterFactory(registration_no=no, **kwargs)


@pytest.fixture
def directory():
    return {
        "osaka": make(
            "000001",
            regions=(),
            prefectures=("osaka",),
            industries=("finance",),
            themes=("policy", "cloud"),
            forms=("remote",),
            periods=("spot",),
            fee="free",
            first_free=True,
            support_cases=30,
            residence_prefecture="osaka",
            residence_city="大阪市",
            name="大阪 太郎",
            name_kana="オオサカ タロウ",
        ),
        "kanto": make(
            "000002",
            regions=("kanto",),
            industries=("automotive", "retail"),
            themes=("assessment",),
            forms=("visit",),
            periods=("over-1-year",),
            fee="40k-plus",
            support_cases=4,
            self_pr="製造業の工場セキュリティが得意です",
        ),
        "nation": make(
            "000003",
            nationwide=True,
            regions=(),
            industries=("medical",),
            themes=("incident-response",),
            forms=("emergency",),
            periods=("1-3-months",),
            fee="negotiable",
            support_cases=None,
            support_years=None,
            qualifications="ｼｽﾃﾑ監査技術者",
        ),
        "toyama": make(
            "000004",
            regions=(),
            prefectures=("toyama",),
            industries=("construction",),
            fee="10k-20k",
            periods=("6-12-months",),
            support_cases=12,
        ),
        "hidden": make("000005", status="pending", regions=("kinki",), name="審査中"),
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["000001", "000002", "000003", "000004"]),
        ("region=kinki", ["000001", "000003"]),
        ("region=koshinetsu", ["000003", "000004"]),  # 富山 is in 甲信越; 全国 matches every region
        ("region=kinki&region=kanto", ["000001", "000002", "000003"]),
        ("region=hokkaido", ["000003"]),
        ("industry=finance&industry=medical", ["000001", "000003"]),
        ("industry=finance&region=kanto", []),
        ("theme=assessment", ["000002"]),
        ("form=remote&form=emergency", ["000001", "000003"]),
        ("period=spot", ["000001"]),
        ("fee=free&fee=negotiable", ["000001", "000003"]),
        ("first_free=1", ["000001"]),
        ("region=kinki&theme=cloud&first_free=1", ["000001"]),
    ],
)
def test_filters_return_exactly_the_matching_published_experts(client, directory, query, expected):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert numbers(response) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        ("大阪", ["000001", "000003"]),  # a place name: who supports 大阪府 (000003 is 全国)
        ("おおさか", ["000001"]),  # hiragana finds katakana
        ("ｵｵｻｶ", ["000001"]),  # half-width katakana
        ("ＯＯＳＡＫＡ", []),
        ("システム監査", ["000003"]),  # stored half-width, searched full-width
        ("工場　セキュリティ", ["000002"]),  # ideographic space separates words; all must match
        ("工場 大阪", []),
        ("審査中", []),  # unpublished entries are never found
    ],
)
def test_keyword_search_folds_width_case_and_kana(client, directory, q, expected):
    response = client.get(LIST, {"q": q})
    assert numbers(response) == expected


@pytest.mark.parametrize("page_cache", [True, False])
def test_a_keyword_with_the_pages_own_mark_characters_is_shown_as_typed(client, directory, settings, page_cache):
    # The page puts its kept parts in at marks of private-use characters
    # (config.jinja2.EncodedParts); a visitor can type those characters too.
    settings.PAGE_CACHE = page_cache
    typed = "\ue0020\ue003 \ue002 \ue0021\ue003"
    response = client.get(LIST, {"q": typed})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'value="{typed}"' in body  # in the filter fields, a kept part
    assert f"キーワード:</span>{typed}<span" in body  # in the template's own text, with the parts' marks
    assert body.count("tile-map-svg") == 1 and body.rstrip().endswith("</html>")


def test_keyword_search_ignores_hidden_fields(client):
    make("000010", self_pr="秘密のキーワード", hidden_fields=["self_pr"])
    make("000011", self_pr="公開のキーワード")
    assert numbers(client.get(LIST, {"q": "キーワード"})) == ["000011"]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("registration_no", ["000001", "000002", "000003", "000004"]),
        ("-registration_no", ["000004", "000003", "000002", "000001"]),
        ("-cases", ["000001", "000004", "000002", "000003"]),
        ("cases", ["000002", "000004", "000001", "000003"]),
    ],
)
def test_sorting(client, directory, sort, expected):
    # An entry without 件数 sorts last on both databases.
    assert numbers(client.get(LIST, {"sort": sort})) == expected


def test_sort_by_last_update(client):
    import datetime

    make("000020", updated_on=datetime.date(2025, 1, 1))
    make("000021", updated_on=datetime.date(2026, 6, 1))
    assert numbers(client.get(LIST, {"sort": "-updated"})) == ["000021", "000020"]
    assert numbers(client.get(LIST, {"sort": "updated"})) == ["000020", "000021"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("region=hokuriku", "region"),
        ("industry=space", "industry"),
        ("fee=cheap", "fee"),
        ("sort=name", "sort"),
        ("first_free=yes", "first_free"),
        ("theme=<script>", "theme"),
        ("prefecture=atlantis", "prefecture"),  # among grouped choices
        ("region=kanto&region=nowhere", "region"),  # one good value does not carry a bad one
    ],
)
def test_unknown_values_get_a_clear_message_not_a_500(client, directory, query, field):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert "入力内容を確認してください" in body
    assert "は選択できない値です" in body or "選択" in body
    assert "<script>" not in body
    assert field in response.context["filterset"].errors


def test_pagination_is_20_a_page_and_keeps_filters(client):
    SupporterFactory.create_batch(45, regions=("kanto",))
    first = client.get(LIST, {"region": "kanto"})
    assert len(first.context["page"].object_list) == 20
    assert first.context["page"].paginator.count == 45
    body = first.content.decode()
    assert "<strong>45件</strong>の専門家が見つかりました(1〜20件目を表示)" in body
    assert "?region=kanto&amp;page=2" in body
    third = client.get(LIST, {"region": "kanto", "page": 3})
    assert len(third.context["page"].object_list) == 5
    assert client.get(LIST, {"page": "abc"}).status_code == 200


def test_result_count_is_announced_and_in_the_title(client, directory):
    body = client.get(LIST, {"region": "kinki"}).content.decode()
    assert '<p class="result-count" role="status">' in body
    assert "<title>近畿の専門家 2件 - 専門家を探す |" in body


def test_list_shows_the_columns_that_help_choosing(client, directory):
    """The table keeps what helps choosing (the rest is on the 個票); the cards the same essentials."""
    body = client.get(LIST).content.decode()
    start = body.index('<table class="supporters-table">')
    table = body[start : body.index("</table>", start)]
    for heading in ["氏名", "支援できる地域", "指導テーマ", "得意とする業界", "料金", "企業支援実績", "最終更新日"]:
        assert f'">{heading}' in table, heading
    assert table.count('<th scope="col"') == 7
    assert "30件/2年" in table and "全国" in table and "大阪府在住" in table
    cards = body[body.index('<ul class="supporter-cards">') : body.index('<table class="supporters-table">')]
    for text in ["大阪 太郎", "支援できる地域", "料金(1回2時間)", "初回相談無料", "規程整備", "詳しく見る"]:
        assert text in cards, text


def test_hidden_residence_is_not_shown(client):
    make("000030", residence_prefecture="kyoto", residence_city="秘密市", hidden_fields=["residence"])
    body = client.get(LIST).content.decode()
    assert "秘密市" not in body and "京都府在住" not in body


QUERIES = [
    "",
    "region=kanto&industry=finance&q=姓&sort=-cases&page=2",
    "theme=policy&form=visit&fee=10k-20k&first_free=1",
]


@pytest.mark.parametrize("size", [1, 25, 60])
def test_list_runs_a_constant_number_of_queries(client, django_assert_max_num_queries, settings, size):
    settings.PAGE_CACHE = False
    SupporterFactory.create_batch(size, regions=("kanto",), industries=("finance", "retail"))
    # The directory version, the index of the directory (once per change,
    # supporters/index.py) and one page of rows.
    with django_assert_max_num_queries(3):
        assert client.get(LIST).status_code == 200
    for query in QUERIES:
        with django_assert_max_num_queries(2):  # the version and one page of rows
            assert client.get(f"{LIST}?{query}").status_code == 200


def test_with_the_page_cache_a_list_request_stays_within_six_queries(client, django_assert_max_num_queries):
    SupporterFactory.create_batch(30, regions=("kanto",), industries=("finance",))
    for query in QUERIES:
        with django_assert_max_num_queries(6):
            assert client.get(f"{LIST}?{query}").status_code == 200


def test_html_in_data_is_escaped(client):
    make("000040", name="<script>alert(1)</script>", self_pr="<img src=x onerror=alert(1)>")
    body = client.get(LIST).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
