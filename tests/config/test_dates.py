"""Dates as people write them (config/dates.py), in forms (config/forms.JapaneseDateField)."""

import datetime

import pytest
from django import forms

from config.dates import DateNotUnderstood, japanese, parse_date
from config.forms import Form, JapaneseDateField

END = datetime.date(2028, 3, 31)


@pytest.mark.parametrize(
    "text",
    [
        "2028-03-31",
        "2028/3/31",
        "2028.3.31",
        "20280331",
        "2028年3月31日",
        "2028 年 3 月 31 日",
        "２０２８／３／３１",
        "令和10年3月31日",
        "R10.3.31",
        "r10/3/31",
        "Ｒ１０．３．３１",
        "R10-03-31",
    ],
)
def test_every_common_way_of_writing_a_date_is_read(text):
    assert parse_date(text) == END


@pytest.mark.parametrize(
    "text, date",
    [
        ("令和元年5月1日", datetime.date(2019, 5, 1)),
        ("H31.4.30", datetime.date(2019, 4, 30)),
        ("平成元年1月8日", datetime.date(1989, 1, 8)),
    ],
)
def test_era_years_start_at_the_first_day_of_the_era(text, date):
    assert parse_date(text) == date


@pytest.mark.parametrize(
    "text, kind",
    [
        ("2028/2/30", "nonexistent"),
        ("R1.4.30", "nonexistent"),  # 平成 until 4月30日
        ("H32.1.1", "nonexistent"),  # 平成 ended in its 31st year
        ("令和0年1月1日", "nonexistent"),
        ("3/31", "format"),
        ("来年の3月", "format"),
        ("", "format"),
        ("2028-03-31; DROP TABLE", "format"),
    ],
)
def test_what_is_not_a_date_says_why(text, kind):
    with pytest.raises(DateNotUnderstood) as refused:
        parse_date(text)
    assert refused.value.kind == kind
    assert str(refused.value)


def test_the_site_writes_dates_the_japanese_way():
    assert japanese(END) == "2028年3月31日" and japanese(None) == ""


class ValidityForm(Form):
    valid_until = JapaneseDateField(label="登録有効期限")


@pytest.mark.parametrize("text", ["R10.3.31", "2028年3月31日", "2028/3/31"])
def test_the_form_field_accepts_them_and_shows_them_back_in_japanese(text):
    form = ValidityForm({"valid_until": text})
    assert form.is_valid() and form.cleaned_data["valid_until"] == END
    assert 'value="2028年3月31日"' in str(ValidityForm(initial={"valid_until": END})["valid_until"])


@pytest.mark.parametrize(
    "text, message",
    [
        ("2028/2/30", "登録有効期限の「2028/2/30」は、ない日付です。月と日を確かめてください。"),
        ("来年", "登録有効期限は「2028年3月31日」「2028/3/31」「R10.3.31」のように、年・月・日を入力してください。"),
        ("", "登録有効期限を入力してください。"),
    ],
)
def test_the_form_field_names_itself_in_its_messages(text, message):
    form = ValidityForm({"valid_until": text})
    assert not form.is_valid()
    assert form.errors["valid_until"] == [message]


def test_the_field_is_a_text_box_not_a_date_picker():
    assert isinstance(ValidityForm().fields["valid_until"].widget, forms.TextInput)
    assert 'type="text"' in str(ValidityForm()["valid_until"])


@pytest.mark.parametrize(
    "utc, expected",
    [
        (datetime.datetime(2026, 11, 30, 14, 59, tzinfo=datetime.UTC), datetime.date(2026, 11, 30)),
        (datetime.datetime(2026, 11, 30, 15, 0, tzinfo=datetime.UTC), datetime.date(2026, 12, 1)),  # midnight in Tokyo
    ],
)
def test_today_is_the_date_in_the_sites_time_zone(monkeypatch, utc, expected):
    from django.utils import timezone

    from config import dates

    monkeypatch.setattr(timezone, "now", lambda: utc)
    assert dates.today() == expected == timezone.localdate()
