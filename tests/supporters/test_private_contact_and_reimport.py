"""The private 連絡用メールアドレス, re-importing the site's own exports, and expired rows."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from supporters.models import Supporter, search_q
from tests.downloads import body, csv_rows
from tests.factories import SupporterFactory, login_staff, make_staff
from tests.mailbox import sent

pytestmark = pytest.mark.django_db
PRIVATE = "private-contact@example.jp"


@pytest.fixture
def entry():
    return SupporterFactory(
        registration_no="400001",
        contact_email=PRIVATE,
        hidden_fields=["email", "name_kana", "self_pr", "residence"],
        email="hidden-public@example.jp",
        name_kana="ヒミツ カナ",
        self_pr="ひみつの自己PR",
        residence_prefecture="osaka",
        residence_city="堺市",
    )


def test_the_contact_address_is_never_published(client, entry):
    pages = [
        client.get("/supporters/400001/"),
        client.get("/supporters/", {"q": "private-contact"}),
        client.get("/supporters/export.json"),
        client.get("/supporters/export.csv"),
    ]
    for page in pages:
        assert PRIVATE not in body(page).decode("utf-8-sig")
    assert not Supporter.objects.filter(search_q("private-contact")).exists()


def test_the_relay_forwards_to_the_contact_address_of_an_entry_without_an_account(client, entry):
    response = client.post(
        "/supporters/400001/contact/",
        {"name": "山田", "email": "sme@example.jp", "message": "ご相談", "consent": "on", "website": ""},
    )
    assert response.status_code == 302
    message, copy = sent()  # and the sender's copy
    assert message.to == [PRIVATE] and copy.to == ["sme@example.jp"] and PRIVATE not in copy.body


def staff_export(client, *entries):
    login_staff(client, make_staff())
    response = client.post(
        "/admin/supporters/supporter/", {"action": "export_xlsx", "_selected_action": [e.pk for e in entries]}
    )
    return response.content


def test_staff_export_carries_the_contact_address_and_imports_back_unchanged(client, entry, tmp_path):
    content = staff_export(client, entry)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("連絡用メールアドレス") + 1).value == PRIVATE
    path = tmp_path / "staff.xlsx"
    path.write_bytes(content)
    out = io.StringIO()
    call_command("import_supporters", str(path), stdout=out)
    assert "変更なし 1件" in out.getvalue()


def test_reimporting_the_public_csv_erases_nothing_it_does_not_carry(client, entry, tmp_path):
    path = tmp_path / "public.csv"
    path.write_bytes(b"".join(client.get("/supporters/export.csv").streaming_content))
    assert "ヒミツ" not in path.read_bytes().decode("utf-8-sig")  # the public file leaves private fields empty
    out = io.StringIO()
    call_command("import_supporters", str(path), stdout=out)
    entry.refresh_from_db()
    assert entry.contact_email == PRIVATE  # the column is not in the public file
    assert (entry.email, entry.name_kana, entry.self_pr) == (
        "hidden-public@example.jp",
        "ヒミツ カナ",
        "ひみつの自己PR",
    )
    assert (entry.residence_prefecture, entry.residence_city) == ("osaka", "堺市")
    assert entry.hidden_fields == ["email", "name_kana", "self_pr", "residence"]
    assert "変更なし 1件" in out.getvalue()


def test_an_empty_private_field_of_a_new_entry_is_still_required(client, entry, tmp_path):
    path = tmp_path / "public.csv"
    csv = b"".join(client.get("/supporters/export.csv").streaming_content).decode("utf-8-sig")
    path.write_text(csv.replace("400001", "400002"), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_supporters", str(path), stderr=io.StringIO())
    assert "1行にエラー" in str(refused.value)
    assert not Supporter.objects.filter(registration_no="400002").exists()


def test_rows_whose_validity_has_passed_are_imported_as_expired(client, tmp_path):
    from tests.supporters.test_import import SEED_ROW, table, write_csv

    SupporterFactory(registration_no="000099", status="published")
    past = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
    rows = table(
        {**SEED_ROW, "登録番号": "000022", "登録有効期限": past},
        {**SEED_ROW, "登録番号": "000099", "登録有効期限": past},
        {**SEED_ROW, "登録番号": "000033"},
    )
    out = io.StringIO()
    call_command("import_supporters", str(write_csv(tmp_path / "list.csv", rows)), stdout=out)
    statuses = dict(Supporter.objects.values_list("registration_no", "status"))
    assert statuses == {"000022": "expired", "000099": "expired", "000033": "published"}
    assert "登録有効期限切れのため非公開 2件" in out.getvalue()
    listed = [row[0] for row in csv_rows(client.get("/supporters/export.csv"))[1:]]
    assert listed == ["000033"]
    assert client.get("/supporters/000022/").status_code == 404
