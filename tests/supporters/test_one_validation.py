"""One validation for each field wherever it enters: a value the import accepts is a value the
application form and the admin accept, and the reverse (supporters/validation.py)."""

import datetime

import pytest

from supporters.forms import SupporterAdminForm, SupporterForm
from supporters.importing import parse_table
from supporters.tabular import HEADERS

from .conftest import entry_data

pytestmark = pytest.mark.django_db

FUTURE = (datetime.date.today() + datetime.timedelta(days=700)).isoformat()

ROW = {
    "登録番号": "654321",
    "氏名": "申請 花子",
    "氏名(カナ)": "シンセイ ハナコ",
    "公開用メールアドレス": "hanako@example.jp",
    "居住地": "大阪府大阪市",
    "所属状況": "独立",
    "自己PR": "よろしくお願いします。",
    "セキュリティ実務経験": "10年以上",
    "企業支援経験": "経験あり",
    "企業支援実績": "4件/6年",
    "企業支援内容": "規程づくり",
    "支援対象地域": "近畿",
    "得意とする業界": "金融業",
    "規程整備": "可",
    "クラウドセキュリティ対策": "可",
    "スポット対応": "可",
    "支援料金": "10,000円以上 ~20,000円未満",
    "訪問": "可",
    "登録有効期限": FUTURE,
}

# (what is typed, as the file writes it, as the form posts it, accepted?)
CASES = [
    ("kana in hiragana", {"氏名(カナ)": "しんせい はなこ"}, {"name_kana": "しんせい はなこ"}, True),
    ("kana half-width", {"氏名(カナ)": "ｼﾝｾｲ ﾊﾅｺ"}, {"name_kana": "ｼﾝｾｲ ﾊﾅｺ"}, True),
    (
        "kana with digits (the list's anonymised style)",
        {"氏名(カナ)": "セイ001 メイ001"},
        {"name_kana": "セイ001 メイ001"},
        True,
    ),
    ("kana in latin letters", {"氏名(カナ)": "Hanako"}, {"name_kana": "Hanako"}, False),
    ("kana in kanji", {"氏名(カナ)": "申請"}, {"name_kana": "申請"}, False),
    ("kana missing", {"氏名(カナ)": ""}, {"name_kana": ""}, False),
    ("number without leading zeros", {"登録番号": "12345"}, {"registration_no": "12345"}, True),
    ("number in full-width digits", {"登録番号": "０１２３４５"}, {"registration_no": "０１２３４５"}, True),
    ("number with a letter", {"登録番号": "12a456"}, {"registration_no": "12a456"}, False),
    ("number too long", {"登録番号": "1234567"}, {"registration_no": "1234567"}, False),
    ("url without a scheme", {"参考URL": "example.jp/me"}, {"url": "example.jp/me"}, True),
    ("url over ftp", {"参考URL": "ftp://example.jp/"}, {"url": "ftp://example.jp/"}, False),
    ("url with javascript", {"参考URL": "javascript:alert(1)"}, {"url": "javascript:alert(1)"}, False),
    ("url too long", {"参考URL": "https://example.jp/" + "a" * 490}, {"url": "https://example.jp/" + "a" * 490}, False),
    ("email malformed", {"公開用メールアドレス": "not-mail"}, {"email": "not-mail"}, False),
    ("city too long", {"居住地": "大阪府" + "市" * 101}, {"residence_city": "市" * 101}, False),
    ("prefecture missing", {"居住地": ""}, {"residence_prefecture": "", "residence_city": ""}, False),
    ("cases beyond any record", {"企業支援実績": "100000件/6年"}, {"support_cases": "100000"}, False),
    ("years beyond a career", {"企業支援実績": "4件/81年"}, {"support_years": "81"}, False),
    ("self-PR too long", {"自己PR": "あ" * 2001}, {"self_pr": "あ" * 2001}, False),
    ("name too long", {"氏名": "名" * 101}, {"name": "名" * 101}, False),
    ("name missing", {"氏名": ""}, {"name": ""}, False),
    ("no theme", {"規程整備": "", "クラウドセキュリティ対策": ""}, {"themes": []}, False),
    ("no support area", {"支援対象地域": ""}, {"area": []}, False),
    ("date with slashes", {"登録有効期限": FUTURE.replace("-", "/")}, {"valid_until": FUTURE.replace("-", "/")}, True),
    ("impossible date", {"登録有効期限": "2030-02-30"}, {"valid_until": "2030-02-30"}, False),
    ("date missing", {"登録有効期限": ""}, {"valid_until": ""}, False),
]


def imported(values: dict) -> bool:
    row = {**ROW, **values}
    result = parse_table([list(HEADERS), [row.get(h, "") for h in HEADERS]])
    return not result.errors


def form_accepts(form_class, values: dict, **kwargs) -> bool:
    data = entry_data(**values)
    if form_class is SupporterAdminForm:
        # The admin asks the support area as its three fields; the expert's form asks it once.
        area = data.pop("area", [])
        data.update(
            updated_on=datetime.date.today().isoformat(),
            hidden_fields="[]",
            regions=[a.split(":", 1)[1] for a in area if a.startswith("region:")],
            prefectures=[a.split(":", 1)[1] for a in area if a.startswith("pref:")],
        )
        if "nationwide" in area:
            data["nationwide"] = "on"
    form = form_class(data, **kwargs)
    return form.is_valid()


@pytest.mark.parametrize("case, in_file, in_form, accepted", CASES, ids=[c[0] for c in CASES])
def test_the_import_the_form_and_the_admin_agree(case, in_file, in_form, accepted):
    assert imported({}) and form_accepts(SupporterForm, {}) and form_accepts(SupporterAdminForm, {})
    assert imported(in_file) is accepted, "import"
    assert form_accepts(SupporterForm, in_form) is accepted, "application form"
    assert form_accepts(SupporterAdminForm, in_form) is accepted, "admin"


def test_the_same_value_is_stored_whichever_way_it_came(expert_client):
    typed = {"name_kana": "ｼﾝｾｲ はなこ", "registration_no": "54321", "url": "example.jp", "name": "申請\u3000 花子"}
    assert expert_client.post("/supporters/apply/", entry_data(**typed)).status_code == 302
    from supporters.models import Supporter

    by_form = Supporter.objects.get()
    row = {**ROW, "氏名(カナ)": typed["name_kana"], "登録番号": typed["registration_no"], "参考URL": "example.jp"}
    row["氏名"] = typed["name"]
    (parsed,) = parse_table([list(HEADERS), [row.get(h, "") for h in HEADERS]]).rows
    for name in ("name_kana", "registration_no", "url", "name"):
        assert parsed.fields[name] == getattr(by_form, name), name
    assert (by_form.name_kana, by_form.registration_no, by_form.url) == (
        "シンセイ ハナコ",
        "054321",
        "https://example.jp",
    )


def test_only_the_date_rule_differs_and_it_is_stated():
    """A passed 登録有効期限: an application needs a new date; an imported row is stored as 期限切れ."""
    assert imported({"登録有効期限": "2020-03-31"})
    assert not form_accepts(SupporterForm, {"valid_until": "2020-03-31"})
    assert form_accepts(SupporterAdminForm, {"valid_until": "2020-03-31"})
