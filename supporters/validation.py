"""One validation for each field of a directory entry, wherever it enters.

The application and change-request form, the admin and the import (file and
``import_supporters``) all normalise a value with the functions here and
validate it with the model field's own validators (``Supporter.clean_fields``;
a ModelForm runs them too), and require the same fields. So a value the
importer accepts is a value the form accepts, and the reverse.

What differs by context, and only this: an application or change request
needs a 登録有効期限 in the future (an imported row whose date has passed is
imported as 期限切れ, never public) and a registration number no other live
entry holds (the import updates the entry with that number); and the file
writes a few fields as one cell (居住地, 支援対象地域, 企業支援実績 "4件/6年",
yes/no columns), which the importer splits before validating.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# Fields every entry must have, in the form and in a file alike. The support
# area (全国, regions or prefectures) is required as a whole: AREA_REQUIRED.
REQUIRED_FIELDS = ("registration_no", "name", "name_kana", "residence_prefecture", "valid_until", "themes")
AREA_REQUIRED = "支援対象地域を選んでください(全国対応・地域・都道府県のいずれか)。"

# Katakana, the long vowel mark, the middle dot, spaces, and digits (the
# published list's anonymised entries read セイ001 メイ001).
kana_validator = RegexValidator(
    r"^[\u30a1-\u30f6\u30fc\u30fb0-9 \u3000]+\Z",
    "カタカナで入力してください(ひらがな・半角カナは全角カタカナに直して受け付けます)。",
    code="kana",
)


_SPACES = re.compile(r"[ \t]+")


def text(value, *, multiline: bool = False) -> str:
    """Any typed or imported text: NFKC (全角英数 and 半角カナ folded), no control characters,
    single spaces, trimmed; line breaks kept only where the field is multi-line."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    folded = unicodedata.normalize("NFKC", str(value)).replace("\r\n", "\n")
    if not folded.replace("\n", "").isprintable():  # the common case skips the per-character pass
        folded = "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in folded)
    lines = [_SPACES.sub(" ", line).strip() for line in folded.split("\n")]
    return "\n".join(lines).strip() if multiline else " ".join(line for line in lines if line)


def katakana(value) -> str:
    """Hiragana and half-width kana become full-width katakana."""
    return jaconv.hira2kata(text(value))


def registration_no(value) -> str:
    """Six digits; a shorter number (Excel drops leading zeros, people skip them) is zero-padded."""
    number = text(value)
    return number.zfill(6) if number.isdigit() and len(number) < 6 else number


_URL_FIELD = forms.URLField(assume_scheme="https")


def url(value) -> str:
    """A bare domain means https, exactly as the form's URL field reads it."""
    address = text(value)
    try:
        return _URL_FIELD.to_python(address)
    except ValidationError:
        return address  # the model's validator names the problem


MULTILINE = frozenset({"self_pr", "support_description"})


def normalise(name: str, value):
    """The value of field ``name`` as every entrance stores it."""
    if name == "registration_no":
        return registration_no(value)
    if name == "name_kana":
        return katakana(value)
    if name == "url":
        return url(value)
    if isinstance(value, str):
        return text(value, multiline=name in MULTILINE)
    return value


def messages_for(error: ValidationError, label: str, value) -> list[str]:
    """A field's validation errors as messages that name the field (for the import's row report)."""
    out: list[str] = []
    for item in error.error_list:
        params = item.params or {}
        if item.code == "max_length":
            out.append(f"「{label}」は{params['limit_value']}文字以内にしてください")
        elif item.code == "max_value":
            out.append(f"「{label}」は{params['limit_value']:,}以下にしてください")
        elif item.code == "min_value":
            out.append(f"「{label}」は{params['limit_value']}以上にしてください")
        elif item.code in ("invalid_choice", "invalid", "blank", "null"):
            out.append(f"「{label}」の値「{value}」の形式が正しくありません")
        else:  # the site's own validators say what is expected
            out.append(f"「{label}」の値「{value}」: {item.message % params if params else item.message}")
    return list(dict.fromkeys(out))  # two validators refusing the same value: one message
