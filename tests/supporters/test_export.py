import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from supporters.models import Supporter
from supporters.tabular import HEADERS
from tests.downloads import body, csv_rows, text
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    SupporterFactory(registration_no="000016", regions=("kinki",), industries=("finance",), email="a@example.jp")
    SupporterFactory(
        registration_no="000022",
        regions=("kanto",),
        hidden_fields=["email", "self_pr"],
        email="hidden@example.jp",
        self_pr="秘密のPR",
    )
    SupporterFactory.create_batch(30, regions=("kinki",))
    SupporterFactory(registration_no="999999", status="pending", regions=("kinki",))


def test_csv_has_the_import_headers_and_all_matching_rows(client, entries):
    rows = csv_rows(client.get(reverse("supporters:export-csv"), {"region": "kinki"}))
    assert rows[0] == HEADERS
    assert len(rows) == 1 + 31  # no paging; the pending entry is not exported
    assert rows[1][0] == "000016"


def test_json_shape(client, entries):
    data = client.get(reverse("supporters:export-json"), {"industry": "finance"}).json()
    assert data["count"] == 1
    first = data["results"][0]
    assert first["registration_no"] == "000016"
    assert first["regions"] == ["kinki"] and first["industries"] == ["finance"]
    assert first["detail_url"].endswith("/supporters/000016/")


def test_exports_never_contain_unpublished_fields(client, entries):
    csv_text = text(client.get(reverse("supporters:export-csv")))
    json_text = client.get(reverse("supporters:export-json")).content.decode()
    for exported in (csv_text, json_text):
        assert "hidden@example.jp" not in exported and "秘密のPR" not in exported and "999999" not in exported
    record = next(r for r in json.loads(json_text)["results"] if r["registration_no"] == "000022")
    assert record["email"] is None and record["self_pr"] is None


@pytest.mark.parametrize("name", ["export-csv", "export-json"])
def test_exports_refuse_unknown_values(client, name):
    response = client.get(reverse(f"supporters:{name}"), {"region": "atlantis"})
    assert response.status_code == 400
    assert "選択できない値" in response.content.decode()


def test_export_then_import_round_trips(client, entries, tmp_path):
    before = {s.registration_no: s for s in Supporter.objects.published()}
    path = tmp_path / "export.csv"
    path.write_bytes(body(client.get(reverse("supporters:export-csv"))))
    Supporter.objects.all().delete()
    call_command("import_supporters", str(path), stdout=io.StringIO())
    after = {s.registration_no: s for s in Supporter.objects.published()}
    assert after.keys() == before.keys() - {"999999"}
    for number, old in before.items():
        if number == "000022":
            continue  # hidden fields were not exported
        new = after[number]
        for field in [
            "name",
            "name_kana",
            "email",
            "residence_prefecture",
            "residence_city",
            "regions",
            "industries",
            "themes",
            "periods",
            "forms",
            "fee",
            "first_free",
            "support_cases",
            "valid_until",
            "updated_on",
        ]:
            assert getattr(new, field) == getattr(old, field), (number, field)


def test_export_query_count_is_constant(client, django_assert_max_num_queries):
    SupporterFactory.create_batch(50)
    with django_assert_max_num_queries(1):
        body(client.get(reverse("supporters:export-csv")))
    with django_assert_max_num_queries(3):  # + the page cache's version lookup
        client.get(reverse("supporters:export-json"))


def test_formula_like_text_is_defused_in_the_csv_and_restored_on_import(client, tmp_path):
    SupporterFactory(
        registration_no="000777",
        self_pr='=HYPERLINK("http://evil.example/","詳細")',
        organization="-株式会社マイナス",
        qualifications="@ほか",
    )
    rows = csv_rows(client.get(reverse("supporters:export-csv")))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["自己PR"] == '\'=HYPERLINK("http://evil.example/","詳細")'  # shown as text, never run
    assert row["所属組織"] == "'-株式会社マイナス" and row["他の資格"] == "'@ほか"
    path = tmp_path / "export.csv"
    path.write_bytes(body(client.get(reverse("supporters:export-csv"))))
    Supporter.objects.all().delete()
    call_command("import_supporters", str(path), stdout=io.StringIO())
    restored = Supporter.objects.get(registration_no="000777")
    assert restored.self_pr == '=HYPERLINK("http://evil.example/","詳細")'
    assert restored.organization == "-株式会社マイナス" and restored.qualifications == "@ほか"
