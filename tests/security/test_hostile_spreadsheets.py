"""Hostile spreadsheets (tests/security/hostile_files.py) are refused cleanly everywhere a file enters:
a message naming the limit, in seconds, in bounded memory, nothing saved, never a traceback."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from config.spreadsheets import Limits, SpreadsheetRefused, read_bytes
from seminars.models import Application
from supporters.models import Supporter
from tests.factories import SupporterFactory, login_staff, make_staff
from tests.security.hostile_files import corpus, measure, small_sheet, xlsx
from tests.seminars.factories import ApplicationFactory

HOSTILE = [(name, build, expected) for name, build, expected in corpus() if expected]
BY_NAME = {name: build for name, build, _ in corpus()}


@pytest.mark.parametrize("name, build, expected", HOSTILE, ids=[name for name, _, _ in HOSTILE])
def test_each_hostile_file_is_refused_with_a_message_naming_the_problem(name, build, expected):
    with pytest.raises(SpreadsheetRefused) as refused:
        read_bytes(build(), name)
    assert expected in str(refused.value)


def test_the_reader_stays_well_under_300_mb_whatever_it_is_given():
    """Every file of the corpus, read one after another in one fresh process (Django itself: about 55 MB)."""
    results = measure([name for name, _, _ in corpus()])
    for result in results:
        if result["expected"]:
            assert result["expected"] in (result["answer"] or ""), result
    assert max(result["peak_mb"] for result in results) < 250, results


def test_a_legitimate_workbook_at_the_limits_reads():
    rows = read_bytes(xlsx(small_sheet()), "ok.xlsx")
    assert rows == [("メールアドレス",)]
    assert read_bytes(BY_NAME["strings-at-limit.xlsx"](), "strings.xlsx")[0] == ("メールアドレス",)


def test_a_cell_longer_than_excel_allows_is_refused_by_row():
    data = ("見出し\r\n短い\r\n" + "長" * 40_000 + "\r\n").encode()
    with pytest.raises(SpreadsheetRefused, match="3行目のセルが長すぎます"):
        read_bytes(data, "x.csv", limits=Limits())


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["bomb.xlsx", "laughs.xlsx", "truncated.xlsx", "million-rows.csv", "wide-row.xlsx"])
def test_import_supporters_refuses_and_saves_nothing(tmp_path, name):
    SupporterFactory(registration_no="000001")
    path = tmp_path / name
    path.write_bytes(BY_NAME[name]())
    with pytest.raises(CommandError) as refused:
        call_command("import_supporters", str(path))
    assert "ファイルから何も保存していません" in str(refused.value)
    assert Supporter.objects.count() == 1


def test_the_command_exits_non_zero_without_a_traceback(tmp_path):
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(BY_NAME["laughs.xlsx"]())
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "manage.py", "import_supporters", str(path), "--dry-run"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "文書型宣言" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["bomb.xlsx", "xxe.xlsx", "cells.xlsx", "huge.csv", "not-a-zip.xlsx"])
def test_the_admin_import_shows_a_form_error(client, name):
    login_staff(client, make_staff())
    upload = SimpleUploadedFile(name, BY_NAME[name]())
    response = client.post("/admin/supporters/supporter/import/", {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    expected = {n: e for n, _, e in corpus()}[name]
    assert expected in body and "errorlist" in body
    assert not Supporter.objects.exists()


@pytest.mark.django_db
def test_the_attendance_import_shows_a_form_error(client):
    application = ApplicationFactory(status=Application.Status.CONFIRMED)
    login_staff(client, make_staff())
    upload = SimpleUploadedFile("laughs.xlsx", BY_NAME["laughs.xlsx"]())
    response = client.post(f"/seminars/report/{application.event.slug}/attendance/", {"file": upload})
    assert response.status_code == 400
    assert "文書型宣言" in response.content.decode()
    application.refresh_from_db()
    assert not application.attended


def test_a_file_without_an_end_is_read_only_to_the_limit():
    from pathlib import Path

    from config.spreadsheets import read_path

    with pytest.raises(SpreadsheetRefused, match="ファイルが大きすぎます"):
        read_path(Path("/dev/zero"), limits=Limits(file_bytes=1024))
