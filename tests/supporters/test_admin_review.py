"""IPA staff in the admin: access, review queue, decisions, history, import/export."""

import io
import re

import pytest
from django.contrib.auth.models import Group
from openpyxl import Workbook, load_workbook

from config.roles import IPA_STAFF_GROUP, IPA_STAFF_PERMISSIONS
from supporters import services
from supporters.models import ChangeRequest, Decision, Supporter, entry_values
from supporters.tabular import HEADERS, STAFF_HEADERS
from tests.factories import SupporterFactory, UserFactory, login_staff, make_staff
from tests.mailbox import sent

pytestmark = pytest.mark.django_db
S = Supporter.Status


def test_staff_group_has_exactly_the_listed_permissions():
    group = Group.objects.get(name=IPA_STAFF_GROUP)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert granted == set(IPA_STAFF_PERMISSIONS)
    assert not any(p.endswith(("delete_supporter", "change_decision")) for p in granted)


def test_experts_and_anonymous_users_do_not_reach_admin(client, expert):
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    client.force_login(expert)
    response = client.get("/admin/supporters/supporter/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/supporters/supporter/review-queue/").status_code == 302


def test_staff_without_the_group_cannot_review(client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = UserFactory(is_staff=True)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    login_staff(client, user)  # even past the second factor
    assert client.get("/admin/supporters/supporter/review-queue/").status_code == 403


def test_queue_lists_applications_and_changes_oldest_first(staff_client, expert):
    first = SupporterFactory(status=S.PENDING, name="最初の申請")
    listed = SupporterFactory(name="掲載中の人")
    services.submit_change(supporter=listed, data={**entry_values(listed), "self_pr": "追加"}, by=expert)
    last = SupporterFactory(status=S.PENDING, name="最後の申請")
    SupporterFactory(status=S.RETURNED, name="差戻し中")
    body = staff_client.get("/admin/supporters/supporter/review-queue/").content.decode()
    assert body.index("最初の申請") < body.index("掲載中の人") < body.index("最後の申請")
    assert "差戻し中" not in body
    assert first.name in body and last.name in body


def test_review_shows_the_change_field_by_field(staff_client, listed):
    services.submit_change(supporter=listed, data={**entry_values(listed), "fee": "free"}, by=listed.user)
    change = ChangeRequest.objects.get()
    body = staff_client.get(f"/admin/supporters/changerequest/{change.pk}/review/").content.decode()
    assert "無償" in body and "10,000円以上~20,000円未満" in body
    assert "氏名(カナ)" not in body.split("<caption>")[1].split("</table>")[0]


def test_approve_application_in_admin_publishes_mails_and_records(staff_client, staff, client):
    entry = SupporterFactory(status=S.PENDING, user=UserFactory(email="owner@example.jp"))
    page = staff_client.get(f"/admin/supporters/supporter/{entry.pk}/review/").content.decode()
    assert "申請内容(新規)" in page
    response = staff_client.post(f"/admin/supporters/supporter/{entry.pk}/review/", {"action": "approve"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == S.PUBLISHED
    decision = entry.decisions.get()
    assert (decision.action, decision.actor) == (Decision.Action.APPROVED, staff)
    assert sent()[-1].to == ["owner@example.jp"] and "掲載しました" in sent()[-1].subject
    assert client.get(entry.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("action, status", [("return", S.RETURNED), ("reject", S.REJECTED)])
def test_return_and_reject_need_a_reason_in_admin(staff_client, action, status):
    entry = SupporterFactory(status=S.PENDING)
    url = f"/admin/supporters/supporter/{entry.pk}/review/"
    body = staff_client.post(url, {"action": action, "reason": ""}).content.decode()
    assert "理由を入力してください" in body
    entry.refresh_from_db()
    assert entry.status == S.PENDING
    staff_client.post(url, {"action": action, "reason": "登録証の番号と違います"})
    entry.refresh_from_db()
    assert entry.status == status
    assert entry.decisions.get().reason == "登録証の番号と違います"
    assert "登録証の番号と違います" in sent()[-1].body


def test_deciding_twice_is_refused_with_a_message(staff_client):
    entry = SupporterFactory(status=S.PUBLISHED)
    response = staff_client.post(f"/admin/supporters/supporter/{entry.pk}/review/", {"action": "approve"}, follow=True)
    assert "承認できません" in response.content.decode()


def test_staff_end_a_listing(staff_client, listed):
    response = staff_client.post(f"/admin/supporters/supporter/{listed.pk}/end/", {"reason": "登録抹消のため"})
    assert response.status_code == 302
    listed.refresh_from_db()
    assert listed.status == S.ENDED
    assert listed.decisions.get().reason == "登録抹消のため"
    assert "登録抹消のため" in sent()[-1].body


def test_history_page_shows_changes(staff_client, staff, listed):
    services.submit_change(supporter=listed, data={**entry_values(listed), "self_pr": "新"}, by=listed.user)
    services.review(item=ChangeRequest.objects.get(), action="approve", by=staff)
    response = staff_client.get(f"/admin/supporters/supporter/{listed.pk}/history/")
    assert response.status_code == 200
    assert listed.history.count() >= 2
    assert listed.history.first().history_user == staff


def test_status_is_not_editable_and_entries_are_not_deleted(staff_client, listed):
    body = staff_client.get(f"/admin/supporters/supporter/{listed.pk}/change/").content.decode()
    assert 'name="status"' not in body
    assert staff_client.get(f"/admin/supporters/supporter/{listed.pk}/delete/").status_code == 403


def test_export_xlsx_from_admin(staff_client, listed):
    response = staff_client.post(
        "/admin/supporters/supporter/", {"action": "export_xlsx", "_selected_action": [listed.pk]}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == STAFF_HEADERS and rows[0][-1] == "連絡用メールアドレス"
    assert rows[1][0] == "123456"


def test_export_xlsx_keeps_formula_like_text_as_text(staff_client, listed):
    listed.self_pr = '=HYPERLINK("http://evil.example/","詳細")'
    listed.save()
    response = staff_client.post(
        "/admin/supporters/supporter/", {"action": "export_xlsx", "_selected_action": [listed.pk]}
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cell = sheet.cell(row=2, column=HEADERS.index("自己PR") + 1)
    assert cell.data_type == "s" and cell.value == listed.self_pr  # a string cell: Excel never runs it
    assert cell.quotePrefix  # and stays text when someone edits it


def _xlsx(rows) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "list.xlsx"
    return buffer


def _row(**values):
    base = dict.fromkeys(HEADERS, "")
    base.update(
        {
            "登録番号": "777777",
            "氏名": "取込 一郎",
            "氏名(カナ)": "トリコミ イチロウ",
            "居住地": "東京都千代田区",
            "支援対象地域": "全国",
            "規程整備": "可",
            "登録有効期限": "2030-03-31",
        }
    )
    base.update(values)
    return [base[h] for h in HEADERS]


def test_import_in_admin_uses_the_same_validation(staff_client):
    bad = _xlsx([HEADERS, _row(), _row(登録番号="12x", 氏名="")])
    body = staff_client.post("/admin/supporters/supporter/import/", {"file": bad}).content.decode()
    assert "3行目" in body and "6桁の数字" in body and "「氏名」が空欄です" in body
    assert not Supporter.objects.exists()

    dry = staff_client.post("/admin/supporters/supporter/import/", {"file": _xlsx([HEADERS, _row()]), "dry_run": "on"})
    assert "検証のみ" in dry.content.decode() and not Supporter.objects.exists()

    response = staff_client.post("/admin/supporters/supporter/import/", {"file": _xlsx([HEADERS, _row()])})
    assert response.status_code == 302
    imported = Supporter.objects.get()
    assert (imported.registration_no, imported.status) == ("777777", S.PUBLISHED)
    assert imported.history.count() == 1


def test_import_refuses_other_files(staff_client):
    upload = io.BytesIO(b"hello")
    upload.name = "list.txt"
    body = staff_client.post("/admin/supporters/supporter/import/", {"file": upload}).content.decode()
    assert ".csv と .xlsx" in body


def test_staff_read_contact_messages_and_decisions(staff_client):
    for path in ["contactmessage", "decision", "reminderlog", "changerequest"]:
        assert staff_client.get(f"/admin/supporters/{path}/").status_code == 200


def test_the_admin_front_page_shows_what_waits_for_review_with_counts(client, expert):
    staff = make_staff(email="reviewer@example.jp")
    SupporterFactory.create_batch(2, status=S.PENDING)
    listed = SupporterFactory(user=expert)
    services.submit_change(supporter=listed, data=entry_values(listed), by=expert)
    login_staff(client, staff)
    body = client.get("/admin/").content.decode()
    assert "対応を待っているもの" in body
    queue = "/admin/supporters/supporter/review-queue/"
    assert re.search(
        rf'<a href="{queue}"><span class="staff-task-label">新規の掲載申請</span> <strong class="staff-task-count">2件</strong>',
        body,
    )
    assert re.search(
        rf'<a href="{queue}"><span class="staff-task-label">掲載内容の変更申請</span> <strong class="staff-task-count">1件</strong>',
        body,
    )
    # The queue is one click away from every admin page, and the directory comes first.
    assert f'<a href="{queue}">審査待ち一覧</a>' in client.get("/admin/seminars/event/").content.decode()
    assert body.index("支援者リスト") < body.index("セキュリティアセスメント")


def test_the_expert_list_reads_well_at_a_glance(client):
    login_staff(client, make_staff(email="reviewer@example.jp"))
    SupporterFactory(registration_no="000321", regions=("kinki",))
    body = client.get("/admin/supporters/supporter/").content.decode()
    assert "<title>支援者の一覧 |" in body and "支援できる地域" in body and "近畿" in body
    assert "変更する 支援者 を選択" not in body
