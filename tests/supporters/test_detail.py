import pytest
from django.urls import reverse

from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def test_detail_shows_every_published_field(client):
    s = SupporterFactory(
        registration_no="000093",
        name="姓006 名006",
        name_kana="セイ006 メイ006",
        email="006@example.jp",
        residence_prefecture="kanagawa",
        residence_city="横浜市",
        affiliation="employed",
        organization="株式会社例示",
        qualifications="システム監査技術者",
        groups="地域SECUNITY",
        self_pr="よろしくお願いします",
        url="https://example.jp/006",
        experience="under-3",
        support_experience="yes",
        support_cases=0,
        support_years=0,
        support_description="経験なし",
        industries=(),
        nationwide=True,
        themes=("policy", "assessment"),
        periods=("spot",),
        fee="negotiable",
        first_free=True,
        forms=("remote",),
    )
    body = client.get(s.get_absolute_url()).content.decode()
    for text in [
        "セイ006 メイ006",
        "姓006 名006",
        'href="mailto:006@example.jp?subject=',
        "000093",
        "神奈川県横浜市",
        "企業勤務",
        "株式会社例示",
        "システム監査技術者",
        "地域SECUNITY",
        "よろしくお願いします",
        "https://example.jp/006",
        "3年未満",
        "経験あり",
        "0件/0年",
        "経験なし",
        "該当なし",
        "全国",
        "規程整備",
        "セキュリティアセスメント",
        "スポット対応",
        "応相談",
        "リモート",
        "最終更新日",
        "2026年10月1日",
        "2028年3月31日",
    ]:
        assert text in body, text


def test_hidden_fields_never_reach_the_page_or_its_source(client):
    s = SupporterFactory(
        email="secret@example.jp",
        name_kana="ヒミツ",
        organization="秘密組織",
        hidden_fields=["email", "name_kana", "organization"],
    )
    body = client.get(s.get_absolute_url()).content.decode()
    assert "secret@example.jp" not in body and "ヒミツ" not in body and "秘密組織" not in body
    assert body.count("非公開") == 3


@pytest.mark.parametrize("status", ["draft", "pending", "returned", "rejected", "ended", "expired"])
def test_unpublished_entries_are_404(client, status):
    s = SupporterFactory(status=status)
    response = client.get(reverse("supporters:detail", args=[s.registration_no]))
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


def test_breadcrumbs_lead_back_to_the_filtered_list(client):
    s = SupporterFactory(regions=("kinki",))
    body = client.get(s.get_absolute_url() + "?region=kinki&page=1&evil=<x>").content.decode()
    assert 'href="/supporters/?region=kinki&amp;page=1"' in body
    assert "evil" not in body


def test_invalid_back_parameters_are_dropped(client):
    s = SupporterFactory()
    body = client.get(s.get_absolute_url() + "?region=nowhere").content.decode()
    assert 'href="/supporters/"' in body


def test_non_numeric_numbers_do_not_route(client):
    assert client.get("/supporters/12345/").status_code == 404
    assert client.get("/supporters/abcdef/").status_code == 404


def test_an_expert_with_an_account_and_the_assessment_theme_can_be_asked_for_an_assessment(client):
    from tests.factories import UserFactory

    with_account = SupporterFactory(user=UserFactory(), themes=("assessment",))
    without = SupporterFactory(themes=("assessment",))
    link = f"/assessments/new/?expert={with_account.registration_no}"
    assert link in client.get(with_account.get_absolute_url()).content.decode()
    assert "/assessments/new/" not in client.get(without.get_absolute_url()).content.decode()
