"""manage.py import_supporters: formats, normalisation, upsert, all-or-nothing."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from supporters.models import Supporter
from supporters.tabular import HEADERS
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

SEED_ROW = {
    # The seed's second example row, as an Excel user in Japan would type it.
    "登録番号": "000022",
    "氏名": "姓002 名002",
    "氏名(カナ)": "ｾｲ002 ﾒｲ002",
    "公開用メールアドレス": "002@example.jp",
    "居住地": "愛知県岡崎市",
    "所属状況": "企業勤務",
    "他の資格": "システム監査技術者",
    "セキュリティ実務経験": "10年以上",
    "企業支援経験": "経験あり",
    "企業支援実績": "4件/6年",
    "企業支援内容": "規程整備の支援",
    "支援対象地域": "東海/大阪",
    "得意とする業界": "自動車産業/その他製造業/小売業/卸売業/サービス業/金融業",
    "規程整備": "可",
    "情報整理・リスク分析": "○",
    "クラウドセキュリティ対策": "可",
    "インシデント対応": "",
    "スポット対応": "可",
    "1~3か月": "可",
    "支援料金": "30,000円以上 ~30,000円未満".replace("~30", "~40"),
    "初回指導割引": "",
    "訪問": "可",
    "リモート": "可",
    "登録有効期限": "2028/03/31",
    "最終更新日": "2026-02-16",
}


def table(*rows, headers=HEADERS):
    return [list(headers)] + [[row.get(h, "") for h in headers] for row in rows]


def write_csv(path, rows, encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_supporters", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path, *args):
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_supporters", str(path), *args, stdout=io.StringIO(), stderr=err)
    return str(excinfo.value), err.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_in_every_encoding_imports_and_normalises(tmp_path, encoding):
    out, _ = run(write_csv(tmp_path / "list.csv", table(SEED_ROW), encoding))
    assert "新規 1件" in out
    s = Supporter.objects.get(registration_no="000022")
    assert s.status == "published"
    assert s.name_kana == "セイ002 メイ002"  # half-width kana became full-width (NFKC)
    assert (s.residence_prefecture, s.residence_city) == ("aichi", "岡崎市")
    assert s.regions.ordered() == ["tokai"] and s.prefectures.ordered() == ["osaka"]
    assert s.industries.ordered() == ["automotive", "manufacturing-other", "retail", "wholesale", "services", "finance"]
    assert s.themes.ordered() == ["policy", "risk-analysis", "cloud"]
    assert s.periods.ordered() == ["spot", "1-3-months"]
    assert s.forms.ordered() == ["visit", "remote"]
    assert s.fee == "30k-40k" and s.first_free is False
    assert (s.support_cases, s.support_years) == (4, 6)
    assert s.valid_until == datetime.date(2028, 3, 31)
    assert s.updated_on == datetime.date(2026, 2, 16)


def test_xlsx_with_full_width_headers_numbers_and_dates(tmp_path):
    headers = [h.replace("(", "（").replace(")", "）").replace("~", "〜") for h in HEADERS]
    row = dict(SEED_ROW)
    rows = table(row)
    rows[0] = headers
    rows[1][HEADERS.index("登録番号")] = 22  # Excel drops the leading zeros
    rows[1][HEADERS.index("登録有効期限")] = datetime.datetime(2028, 3, 31)
    out, _ = run(write_xlsx(tmp_path / "list.xlsx", rows))
    assert "新規 1件" in out
    s = Supporter.objects.get(registration_no="000022")
    assert s.valid_until == datetime.date(2028, 3, 31)


def test_region_prefecture_and_nationwide_tokens(tmp_path):
    rows = [
        {**SEED_ROW, "登録番号": "000001", "支援対象地域": "全国"},
        {**SEED_ROW, "登録番号": "000002", "支援対象地域": "京都府/大阪府/兵庫県/奈良県"},
        {**SEED_ROW, "登録番号": "000003", "支援対象地域": "近畿/北海道"},
    ]
    run(write_csv(tmp_path / "list.csv", table(*rows)))
    one, two, three = Supporter.objects.order_by("registration_no")
    assert one.nationwide and one.support_area == "全国"
    assert two.prefectures.ordered() == ["kyoto", "osaka", "hyogo", "nara"]
    assert three.regions.ordered() == ["hokkaido", "kinki"]


def test_upsert_by_registration_number(tmp_path):
    SupporterFactory(registration_no="000022", name="古い名前", status="published")
    out, _ = run(write_csv(tmp_path / "list.csv", table(SEED_ROW, {**SEED_ROW, "登録番号": "000099"})))
    assert "新規 1件、更新 1件" in out
    assert Supporter.objects.get(registration_no="000022").name == "姓002 名002"
    assert Supporter.objects.count() == 2


def test_dry_run_saves_nothing(tmp_path):
    out, _ = run(write_csv(tmp_path / "list.csv", table(SEED_ROW)), "--dry-run")
    assert "[検証のみ]" in out
    assert not Supporter.objects.exists()


def test_bad_rows_are_all_listed_and_nothing_is_saved(tmp_path):
    SupporterFactory(registration_no="000050", name="元のまま")
    rows = [
        {**SEED_ROW, "登録番号": "000050", "氏名": "上書きされない"},  # row 2: valid
        {**SEED_ROW, "登録番号": "12a456"},  # row 3
        {**SEED_ROW, "登録番号": "000060", "支援対象地域": "北陸"},  # row 4
        {**SEED_ROW, "登録番号": "000061", "得意とする業界": "宇宙産業"},  # row 5
        {**SEED_ROW, "登録番号": "000062", "支援料金": "時価"},  # row 6
        {**SEED_ROW, "登録番号": "000063", "訪問": "はい"},  # row 7
        {**SEED_ROW, "登録番号": "000064", "登録有効期限": "2028/02/30"},  # row 8
        {**SEED_ROW, "登録番号": "000065", "居住地": "ムー大陸"},  # row 9
        {**SEED_ROW, "登録番号": "000050"},  # row 10: duplicate of row 2
    ]
    message, err = run_failing(write_csv(tmp_path / "list.csv", table(*rows)))
    assert "ファイルから何も保存していません" in message
    for expected in [
        "3行目: 「登録番号」の値「12a456」: 登録番号は6桁の数字",
        "4行目: 支援対象地域「北陸」",
        "5行目: 得意とする業界「宇宙産業」",
        "6行目: 「支援料金」の値「時価」",
        "7行目: 「訪問」の値「はい」",
        "8行目: 「登録有効期限」の日付「2028/02/30」",
        "9行目: 居住地「ムー大陸」",
        "10行目: 登録番号「000050」は2行目と重複",
    ]:
        assert expected in err, expected
    assert "2行目" not in err.replace("2行目と重複", "")
    assert Supporter.objects.get().name == "元のまま"


def test_missing_and_unknown_headers_are_refused(tmp_path):
    headers = [h for h in HEADERS if h != "支援料金"] + ["好きな食べ物"]
    message, err = run_failing(write_csv(tmp_path / "list.csv", table(SEED_ROW, headers=headers)))
    assert "1行目" in err and "見出しがありません: 支援料金" in err and "不明な見出しです: 好きな食べ物" in err


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("list.txt", b"x", ".csv と .xlsx"),
        ("list.xlsx", b"PK\x03\x04 not really a zip", "xlsxファイルとして読み込めません"),
        ("list.csv", b"", "ファイルが空です"),
        ("list.csv", b"\x81\xff\xfe\x00binary", "文字コードを判別できません"),
        ("list.csv", "登録番号\x00,氏名".encode(), "バイナリデータ"),
    ],
)
def test_broken_files_are_refused_with_a_message(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    message, _ = run_failing(path)
    assert expected in message


def test_missing_file(tmp_path):
    message, _ = run_failing(tmp_path / "nothing.csv")
    assert "ファイルを開けません" in message


def test_reimporting_the_same_file_writes_nothing_and_changes_are_applied(tmp_path):
    path = write_csv(tmp_path / "list.csv", table(SEED_ROW, {**SEED_ROW, "登録番号": "000099"}))
    run(path)
    history_rows = Supporter.history.count()
    out, _ = run(path)
    assert "新規 0件、更新 0件、変更なし 2件" in out
    assert Supporter.history.count() == history_rows
    out, _ = run(write_csv(tmp_path / "changed.csv", table({**SEED_ROW, "自己PR": "新しいPR", "支援対象地域": "全国"})))
    assert "新規 0件、更新 1件" in out
    changed = Supporter.objects.get(registration_no="000022")
    assert changed.self_pr == "新しいPR" and changed.nationwide
    assert "しいpr" in changed.search_text  # the search text follows the change
    assert changed.history.first().history_change_reason == "一括取込"
