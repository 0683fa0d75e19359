"""Forms that speak natural Japanese: one message per field, naming the field.

Django's own messages (「このフィールドは必須です。」「正しく選択してください。」) name
no field and read like a machine. Every form of the site derives from
``Form``/``ModelForm`` here (or mixes in ``NaturalMessages``): on creation,
each field's messages that are still Django's defaults are replaced by ones
built from the field's label and kind (「氏名を入力してください。」「支援料金を
選んでください。」「自己PRは2000文字以内で入力してください(いま2104文字です)。」).
Messages a form sets itself are kept. The admin's model forms get the same
(config/admin_site.py), and so do the account forms (config/accounts.py).

``JapaneseDateField`` reads dates as people write them (config/dates.py).
"""

from __future__ import annotations

import copy
import datetime
import re

from django import forms
from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.forms.forms import BaseForm

from .dates import DateNotUnderstood, japanese, parse_date

# Trailing notes in a label ("理由(任意)", "支援料金(1回/2時間あたり)") are not
# part of the field's name in a sentence.
_LABEL_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")

# Codes of the messages Django formats with parameters (a "%" in the label must be doubled).
_FORMATTED = {"max_length", "min_length", "max_value", "min_value", "step_size", "invalid_pk_value"}


def message_label(field, name: str = "") -> str:
    label = str(field.label or name.replace("_", " ")).strip().rstrip(":：")
    while _LABEL_NOTE.search(label) and _LABEL_NOTE.sub("", label):
        label = _LABEL_NOTE.sub("", label)
    return label


def _kind(field) -> str:
    widget = field.widget
    if isinstance(field, forms.FileField):
        return "file"
    if isinstance(field, forms.BooleanField):
        return "check"
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return "many"
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or isinstance(
        widget, forms.Select | forms.RadioSelect
    ):
        return "choice"
    return "text"


REQUIRED = {
    "text": "{label}を入力してください。",
    "choice": "{label}を選んでください。",
    "many": "{label}を1つ以上選んでください。",
    "check": "{label}にチェックを入れてください。",
    "file": "{label}のファイルを選んでください。",
}


# What an "invalid" value of each kind of field should look like (first match wins: subclasses first).
INVALID = [
    (forms.EmailField, "{label}は「name@example.jp」のような形で入力してください。"),
    (forms.URLField, "{label}は「https://example.jp/」のような形で入力してください。"),
    (forms.IntegerField, "{label}は数字(整数)で入力してください。"),
    (forms.DecimalField | forms.FloatField, "{label}は数字で入力してください。"),
    (forms.DateTimeField, "{label}は「2028年3月31日 14:00」のように入力してください。"),
    (forms.DateField, "{label}は「2028年3月31日」のように入力してください。"),
    (forms.TimeField, "{label}は「14:00」のように入力してください。"),
    (forms.FileField, "{label}のファイルを受け取れませんでした。もう一度ファイルを選んで送信してください。"),
    (forms.SlugField, "{label}は半角の英数字・ハイフン(-)・アンダースコア(_)で入力してください。"),
    (forms.GenericIPAddressField, "{label}は「192.0.2.1」のような形で入力してください。"),
]


def _invalid(field) -> str:
    return next(
        (text for kind, text in INVALID if isinstance(field, kind)),
        "{label}の形が正しくありません。入力した内容を確かめてください。",
    )


def natural_messages(field, name: str = "") -> dict[str, str]:
    """The messages ``field`` should use, by error code."""
    kind = _kind(field)
    messages = {
        "required": REQUIRED[kind],
        "invalid": _invalid(field),
        "invalid_choice": "{label}は、表示されている選択肢から選んでください。",
        "invalid_list": "{label}は、表示されている選択肢から選んでください。",
        "invalid_pk_value": "{label}は、表示されている選択肢から選んでください。",
        "max_value": "{label}は%(limit_value)s以下にしてください。",
        "min_value": "{label}は%(limit_value)s以上にしてください。",
        "step_size": "{label}は%(limit_value)sきざみで入力してください。",
        "null_characters_not_allowed": "{label}に使えない文字(制御文字)が含まれています。消してから送信してください。",
        "max_digits": "{label}の桁数が多すぎます。",
        "max_decimal_places": "{label}の小数点以下の桁数が多すぎます。",
        "max_whole_digits": "{label}の整数部分の桁数が多すぎます。",
    }
    if kind == "file":
        messages.update(
            missing="{label}のファイルが届いていません。もう一度ファイルを選んで送信してください。",
            empty="{label}のファイルが空です(0バイト)。中身のあるファイルを選んでください。",
            max_length="{label}のファイル名は%(max)d文字以内にしてください(いま%(length)d文字です)。",
            contradiction="{label}は、新しいファイルを選ぶか、削除にチェックを入れるか、どちらか一方にしてください。",
            invalid_image="{label}は画像ファイル(JPEG・PNGなど)を選んでください。",
        )
    elif kind in ("choice", "many") and isinstance(field, forms.ModelChoiceField):
        messages["invalid_choice"] = "選んだ{label}は使えなくなりました。ページを開き直して、選び直してください。"
    else:
        messages.update(
            max_length="{label}は%(limit_value)s文字以内で入力してください(いま%(show_value)s文字です)。",
            min_length="{label}は%(limit_value)s文字以上で入力してください(いま%(show_value)s文字です)。",
        )
    label = message_label(field, name)
    return {
        code: text.format(label=label.replace("%", "%%") if "%(" in text or code in _FORMATTED else label)
        for code, text in messages.items()
    }


def _django_defaults(field) -> dict[str, set[str]]:
    """The messages Django's own field classes give ``field``, by code."""
    defaults: dict[str, set[str]] = {}
    for cls in type(field).__mro__:
        if cls.__module__.startswith("django.") and "default_error_messages" in vars(cls):
            for code, text in vars(cls)["default_error_messages"].items():
                defaults.setdefault(code, set()).add(str(text))
    return defaults


# Validators Django defines ready-made (validate_slug, validate_email …): their messages are Django's too.
_DJANGO_VALIDATORS = [v for v in vars(django_validators).values() if hasattr(v, "message") and hasattr(v, "code")]


def _natural_validator(validator, natural: dict[str, str]):
    """A copy of one of Django's own validators with the natural message, if it still has Django's."""
    djangos = "message" not in vars(validator) or any(validator is v for v in _DJANGO_VALIDATORS)
    if (
        type(validator).__module__ == "django.core.validators"
        and djangos
        and getattr(validator, "code", None) in natural
    ):
        validator = copy.copy(validator)
        validator.message = natural[validator.code]
    return validator


def naturalise(field, name: str = "") -> None:
    """Replace the Django default messages of ``field`` (a per-form copy) with natural ones.

    Only Django's own wording is replaced: messages a form sets itself, and
    validators of the site's own (e.g. the 登録番号 rule), keep theirs.
    """
    natural = natural_messages(field, name)
    defaults = _django_defaults(field)
    for code, current in list(field.error_messages.items()):
        if code in natural and str(current) in defaults.get(code, ()):
            field.error_messages[code] = natural[code]
    if isinstance(field, forms.GenericIPAddressField):  # its validators are plain functions
        field.error_messages.setdefault("invalid", natural["invalid"])
    if hasattr(field, "validate_no_null_characters"):  # model choices check this outside run_validators
        field.validate_no_null_characters = _NullCharacters(natural["null_characters_not_allowed"])
    field.validators = [_natural_validator(v, natural) for v in field.validators]


class _NullCharacters:
    def __init__(self, message: str):
        self.message = message

    def __call__(self, value):
        if value is not None and "\x00" in str(value):
            raise ValidationError(self.message, code="null_characters_not_allowed")


class NaturalMessages:
    """Mix into any form: every field's Django default messages become natural ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # A form whose instances share their fields (instead of Django's
            # deep copy per instance) naturalises them once.
            if not getattr(field, "naturalised", False):
                naturalise(field, name)
                field.naturalised = True


class Form(NaturalMessages, forms.Form):
    pass


class ModelForm(NaturalMessages, forms.ModelForm):
    pass


def uses_natural_messages(form_class) -> bool:
    return issubclass(form_class, BaseForm) and issubclass(form_class, NaturalMessages)


class JapaneseDateField(forms.DateField):
    """A date typed as text the way people write it (config/dates.py), shown as 2028年3月31日.

    A text box, not type=date: browsers order and label the segments of a date
    input by their own locale, which is hard to use by keyboard and screen reader.
    """

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")
        self.widget.attrs.setdefault("spellcheck", "false")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(str(value))
        except DateNotUnderstood as exc:
            label = message_label(self)
            if exc.kind == "nonexistent":
                message = f"{label}の「{str(value).strip()}」は、ない日付です。月と日を確かめてください。"
            else:
                message = f"{label}は「2028年3月31日」「2028/3/31」「R10.3.31」のように、年・月・日を入力してください。"
            raise ValidationError(message, code="invalid") from None

    def prepare_value(self, value):
        return japanese(value) if isinstance(value, datetime.date) else value
