"""Bad input on the public list and the import: refused clearly or handled, never a 500,
nothing half-saved. Property-based (hypothesis) plus a fixed corpus."""

import csv
import io

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.spreadsheets import Limits, SpreadsheetRefused, read_bytes
from supporters.importing import parse_table
from supporters.models import Supporter
from supporters.services import import_supporters
from supporters.tabular import HEADERS
from tests.factories import SupporterFactory

pytestmark = pytest.mark.django_db

CORPUS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "'; DROP TABLE supporters_supporter; --",
    "%' OR '%'='",
    "\x00\x01\x1b[31m",
    "\u202e\u200b\ufeff",
    "ａ" * 5000,
    "ｾｲ" * 300,
    "𠮷野家🍣",
    "..%2F..%2Fetc%2Fpasswd",
    "{{ 7*7 }}{% debug %}",
]
PARAMS = ["q", "region", "industry", "theme", "form", "period", "fee", "first_free", "sort", "page"]
HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def directory():
    SupporterFactory.create_batch(3)


@pytest.mark.parametrize("value", CORPUS)
@pytest.mark.parametrize("param", PARAMS)
def test_corpus_on_every_list_parameter(client, directory, param, value):
    for url in ("/supporters/", "/supporters/export.json", "/supporters/export.csv", "/supporters/100000/"):
        response = client.get(url, {param: value})
        assert response.status_code in (200, 400, 404), (url, param, value)
        if response["Content-Type"].startswith("text/html"):
            body = response.content.decode()
            assert "<script>alert(1)</script>" not in body
            assert "onerror=alert(1)>" not in body


@HYPOTHESIS
@given(st.dictionaries(st.sampled_from(PARAMS), st.lists(st.text(max_size=40), max_size=3), max_size=5))
def test_any_query_string_is_answered_without_a_server_error(directory, query):
    client = Client()
    pairs = [(k, v) for k, values in query.items() for v in values]
    from urllib.parse import urlencode

    response = client.get("/supporters/?" + urlencode(pairs))
    assert response.status_code in (200, 400)


CELL = st.one_of(st.text(max_size=60), st.sampled_from(CORPUS + ["可", "○", "", "2026/13/40", "12345", "全国", "大阪"]))


@HYPOTHESIS
@given(st.lists(st.lists(CELL, min_size=len(HEADERS), max_size=len(HEADERS)), min_size=1, max_size=4))
def test_any_rows_either_import_whole_or_are_refused_with_row_messages(rows):
    before = Supporter.objects.count()
    result = parse_table([list(HEADERS), *rows])
    if result.errors:
        assert all(e.line >= 2 and e.message for e in result.errors)
        assert Supporter.objects.count() == before
    else:
        import_supporters(rows=result.rows)
        assert Supporter.objects.count() >= before


@HYPOTHESIS
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx", "x.txt", "x"]))
def test_any_bytes_as_a_file_are_refused_cleanly_or_parsed(data, name):
    try:
        rows = read_bytes(data, name)
    except SpreadsheetRefused as exc:
        assert str(exc)
        return
    parse_table(rows)  # must not raise


def valid_row(**values) -> dict:
    row = dict.fromkeys(HEADERS, "")
    row.update(
        {
            "登録番号": "000001",
            "氏名": "姓 名",
            "氏名(カナ)": "セイ メイ",
            "居住地": "東京都千代田区",
            "支援対象地域": "全国",
            "規程整備": "可",
            "登録有効期限": "2030-03-31",
            **values,
        }
    )
    return row


def test_over_long_and_control_character_cells_are_reported_per_row():
    row = valid_row()
    row.update(
        {
            "登録番号": "000001",
            "氏名": "名" * 101,
            "公開用メールアドレス": "not-an-email",
            "参考URL": "javascript:alert(1)",
        }
    )
    result = parse_table([list(HEADERS), [row[h] for h in HEADERS]])
    messages = " ".join(e.message for e in result.errors)
    assert "「氏名」は100文字以内" in messages
    assert "「公開用メールアドレス」の値「not-an-email」の形式" in messages
    assert "「参考URL」の値「javascript:alert(1)」の形式" in messages
    assert not result.rows


def test_control_characters_are_stripped_from_cells():
    row = valid_row(氏名="姓\x00名\x1b")
    result = parse_table([list(HEADERS), [row[h] for h in HEADERS]])
    assert result.rows[0].fields["name"] == "姓 名"


def test_too_many_csv_rows_are_refused_while_reading():
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADERS] + [["x"] * len(HEADERS)] * 11)
    with pytest.raises(SpreadsheetRefused, match="行数が多すぎます"):
        read_bytes(buffer.getvalue().encode(), "big.csv", limits=Limits(rows=10))
