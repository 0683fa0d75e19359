import pytest
from django.core.exceptions import ValidationError

from assessments.catalogue import SEED_VERSION_NAME, install_seed_catalogue
from assessments.models import CatalogueVersion, MajorCategory, MiddleCategory, Requirement
from tests.factories import UserFactory, login_staff, make_staff

from .factories import make_assessment


def test_seed_catalogue_has_the_sheets_structure(catalogue):
    assert catalogue.name == SEED_VERSION_NAME
    assert CatalogueVersion.objects.current() == catalogue
    majors = list(MajorCategory.objects.filter(version=catalogue).values_list("name", flat=True))
    assert majors == [
        "ガバナンスの整備",
        "取引先管理",
        "リスクの特定",
        "攻撃等の防御",
        "攻撃等の検知",
        "インシデントへの対応",
        "インシデントからの復旧",
    ]
    middles = MiddleCategory.objects.filter(major__version=catalogue).order_by("number")
    assert [m.name for m in middles][:3] == [
        "役割、責任、権限",
        "ポリシー",
        "サイバーセキュリティサプライチェーンリスクマネジメント",
    ]
    assert middles.count() == 12
    codes = {m.name: [r.code for r in m.requirements.all()] for m in middles}
    assert codes["役割、責任、権限"] == ["1-2-1", "1-2-3"]
    assert codes["アイデンティティ管理、認証、アクセス制御"] == [f"4-1-{n}" for n in range(1, 8)]
    assert codes["プラットフォームセキュリティ"] == ["4-4-1", "4-4-4", "4-4-5"]
    assert Requirement.objects.filter(version=catalogue).count() == 26
    assert (
        Requirement.objects.get(version=catalogue, code="2-1-4").text
        == "セキュリティインシデント発生時の他社との役割及び責任を明確にすること。"
    )
    assert Requirement.objects.get(version=catalogue, code="7-1-1").text.startswith("事業上重要なシステムについて")


def test_installing_again_changes_nothing(catalogue):
    assert install_seed_catalogue() == catalogue
    assert Requirement.objects.count() == 26


def test_assessment_keeps_its_version_when_a_new_one_becomes_current(catalogue):
    user = UserFactory()
    old = make_assessment(company_user=user, stage="inviting")
    newer = CatalogueVersion.objects.create(name="SCS★3 要求事項 2026年度版", is_current=True)
    major = MajorCategory.objects.create(version=newer, number=1, name="ガバナンスの整備")
    middle = MiddleCategory.objects.create(major=major, number=1, name="役割、責任、権限")
    requirement = Requirement.objects.create(middle=middle, code="1-2-1", text="新しい文言")
    requirement.criteria.create(code="1-2-1-1", text="評価基準の例")
    catalogue.refresh_from_db()
    assert not catalogue.is_current and CatalogueVersion.objects.current() == newer
    assert requirement.version == newer
    fresh = make_assessment(company_user=user, stage="inviting")
    old.refresh_from_db()
    assert old.catalogue == catalogue and old.rows.count() == 12
    assert fresh.catalogue == newer and fresh.rows.count() == 1


def test_requirement_numbers_are_unique_within_a_version(catalogue):
    middle = MiddleCategory.objects.filter(major__version=catalogue).first()
    duplicate = Requirement(middle=middle, code="1-2-1", text="x")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "同じ要求事項 No." in str(error.value)


def test_ipa_staff_can_add_a_catalogue_version_in_admin(client, catalogue):
    login_staff(client, make_staff())
    response = client.post(
        "/admin/assessments/catalogueversion/add/",
        {
            "name": "SCS★3 要求事項 2026年4月版",
            "is_current": "on",
            "majors-TOTAL_FORMS": "1",
            "majors-INITIAL_FORMS": "0",
            "majors-MIN_NUM_FORMS": "0",
            "majors-MAX_NUM_FORMS": "1000",
            "majors-0-number": "1",
            "majors-0-name": "ガバナンスの整備",
        },
    )
    assert response.status_code == 302
    assert CatalogueVersion.objects.current().name == "SCS★3 要求事項 2026年4月版"
    assert client.get("/admin/assessments/requirement/").status_code == 200


def test_staff_duplicate_a_version_to_draft_the_next_one(client, catalogue):
    catalogue.requirements.get(code="1-2-1").criteria.create(code="1-2-1-1", text="基準")
    login_staff(client, make_staff())
    response = client.post(
        "/admin/assessments/catalogueversion/",
        {
            "action": "duplicate",
            "_selected_action": [catalogue.pk],
        },
    )
    assert response.status_code == 302
    copy = CatalogueVersion.objects.exclude(pk=catalogue.pk).get()
    assert "複製" in copy.name and not copy.is_current
    assert CatalogueVersion.objects.current() == catalogue
    assert copy.requirements.count() == 26 and MiddleCategory.objects.filter(major__version=copy).count() == 12
    assert copy.requirements.get(code="1-2-1").criteria.get().code == "1-2-1-1"
