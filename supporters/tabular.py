"""The list as a table: the column set shared by import, CSV export and admin.

One header row, in this order. Exporting then importing a file gives the
same entries back. Staff's export adds the private column 連絡用メールアドレス,
which the import takes when present (never in the public CSV).

Re-importing never erases what a file does not carry: a column missing from
the file (the public CSV has no 連絡用メールアドレス) leaves every entry's stored
value, and an empty cell in a field an entry keeps private (the public CSV
leaves those empty) leaves that entry's stored value. Clear such a value in
the admin. Field values are validated as everywhere else
(supporters/validation.py).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from config.dates import DateNotUnderstood, parse_date
from config.spreadsheets import without_formula_guard

from . import validation
from .models import Supporter
from .taxonomy import (
    AFFILIATIONS,
    EXPERIENCE,
    FEES,
    FORMS,
    INDUSTRIES,
    NATIONWIDE_LABEL,
    PERIODS,
    PREFECTURES,
    REGIONS,
    THEMES,
    normalize_label,
)

YES = "可"
YES_VALUES = {"可", "○", "〇", "◯", "◎"}
NO_VALUES = {"", "否", "×", "-"}
NO_INDUSTRY_VALUES = {"該当なし", "なし"}

SIMPLE_TEXT = {
    "氏名": "name",
    "氏名(カナ)": "name_kana",
    "所属組織": "organization",
    "他の資格": "qualifications",
    "所属・関係する団体": "groups",
    "自己PR": "self_pr",
    "企業支援内容": "support_description",
}

HEADERS: list[str] = [
    "登録番号",
    "氏名",
    "氏名(カナ)",
    "公開用メールアドレス",
    "居住地",
    "所属状況",
    "所属組織",
    "他の資格",
    "所属・関係する団体",
    "自己PR",
    "参考URL",
    "セキュリティ実務経験",
    "企業支援経験",
    "企業支援実績",
    "企業支援内容",
    "支援対象地域",
    "得意とする業界",
    *[t.label for t in THEMES],
    *[t.label for t in PERIODS],
    "支援料金",
    "初回指導割引",
    *[t.label for t in FORMS],
    "登録有効期限",
    "最終更新日",
]

CONTACT_HEADER = "連絡用メールアドレス"
# Staff's export (admin): the public columns plus the private contact address.
STAFF_HEADERS: list[str] = [*HEADERS, CONTACT_HEADER]

# Per-term yes/no columns: header → (model field, taxonomy).
TERM_COLUMNS = {
    term.label: (field_name, taxonomy)
    for field_name, taxonomy in (("themes", THEMES), ("periods", PERIODS), ("forms", FORMS))
    for term in taxonomy
}


def normalize_header(text: str) -> str:
    """Header names are compared after NFKC (全角括弧 → 半角) and the tilde fold."""
    folded = normalize_label(str(text or ""))
    for header in STAFF_HEADERS:
        if normalize_label(header) == folded:
            return header
    for taxonomy in (THEMES, PERIODS, FORMS):
        term = taxonomy.from_label(folded)
        if term:
            return term.label
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def clean_cell(value) -> str:
    """A cell's text, normalised as any typed value is; the apostrophe our CSV
    export puts before formula-like text is taken off again."""
    if isinstance(value, str):
        value = without_formula_guard(value)
    return validation.text(value, multiline=True)


# Export ------------------------------------------------------------------


def _yes(flag: bool) -> str:
    return YES if flag else ""


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def supporter_to_row(s: Supporter, *, staff: bool = False) -> list[str]:
    """One entry as a row under HEADERS: public fields only; with ``staff``
    (IPA staff's export from the admin, for re-import) every field and the
    private contact address, under STAFF_HEADERS."""

    def value(name):
        return (s.residence if name == "residence" else getattr(s, name)) if staff else s.public(name)

    row = {
        "登録番号": s.registration_no,
        "氏名": s.name,
        "氏名(カナ)": value("name_kana"),
        "公開用メールアドレス": value("email"),
        "居住地": value("residence"),
        "所属状況": AFFILIATIONS.label(s.affiliation),
        "所属組織": value("organization"),
        "他の資格": value("qualifications"),
        "所属・関係する団体": value("groups"),
        "自己PR": value("self_pr"),
        "参考URL": value("url"),
        "セキュリティ実務経験": EXPERIENCE.label(s.experience),
        "企業支援経験": s.get_support_experience_display() if s.support_experience else "",
        "企業支援実績": s.support_record,
        "企業支援内容": s.support_description,
        "支援対象地域": s.support_area,
        "得意とする業界": "/".join(s.industries.labels()),
        "支援料金": FEES.label(s.fee),
        "初回指導割引": _yes(s.first_free),
        "登録有効期限": _date(s.valid_until),
        "最終更新日": _date(s.updated_on),
    }
    for label, (field_name, taxonomy) in TERM_COLUMNS.items():
        row[label] = _yes(taxonomy.from_label(label).slug in getattr(s, field_name))
    if staff:
        row[CONTACT_HEADER] = s.contact_email
    return [row[h] for h in (STAFF_HEADERS if staff else HEADERS)]


def supporter_to_json(s: Supporter, *, detail_url: str) -> dict:
    """One entry for the JSON export; unpublished fields are null."""

    def public_or_none(name):
        return s.public(name) if s.is_public(name) else None

    return {
        "registration_no": s.registration_no,
        "name": s.name,
        "name_kana": public_or_none("name_kana"),
        "email": public_or_none("email") or None,
        "residence": public_or_none("residence"),
        "residence_prefecture": s.residence_prefecture if s.is_public("residence") else None,
        "affiliation": s.affiliation or None,
        "organization": public_or_none("organization"),
        "qualifications": public_or_none("qualifications"),
        "groups": public_or_none("groups"),
        "self_pr": public_or_none("self_pr"),
        "url": public_or_none("url") or None,
        "experience": s.experience or None,
        "support_experience": s.support_experience or None,
        "support_cases": s.support_cases,
        "support_years": s.support_years,
        "support_description": s.support_description,
        "nationwide": s.nationwide,
        "regions": s.regions.ordered(),
        "prefectures": s.prefectures.ordered(),
        "industries": s.industries.ordered(),
        "themes": s.themes.ordered(),
        "periods": s.periods.ordered(),
        "fee": s.fee or None,
        "first_free": s.first_free,
        "forms": s.forms.ordered(),
        "valid_until": _date(s.valid_until) or None,
        "updated_on": _date(s.updated_on),
        "detail_url": detail_url,
    }


# Import ------------------------------------------------------------------


@dataclass
class ParsedRow:
    """A valid row: the model field values it sets, and where it came from.

    ``keeps`` names required fields left empty that an existing entry may keep
    private (the public CSV leaves them empty): valid only if that entry does
    (supporters/importing.py checks).
    """

    line: int
    fields: dict = field(default_factory=dict)
    keeps: dict = field(default_factory=dict)  # Supporter.HIDEABLE_FIELDS key -> column


class RowErrors(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[/／、,]", value) if part.strip()]


def _parse_yes(header: str, value: str, errors: list[str]) -> bool:
    if value in YES_VALUES:
        return True
    if value in NO_VALUES:
        return False
    errors.append(f"「{header}」の値「{value}」は使えません(可・○ または空欄で入力してください)")
    return False


def _parse_date(header: str, value, errors: list[str]) -> datetime.date | None:
    """A date cell: Excel's own dates, or text read as the forms read it (config/dates.py)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = clean_cell(value)
    if not text:
        return None
    try:
        return parse_date(text)
    except DateNotUnderstood as exc:
        errors.append(f"「{header}」の日付「{text}」が正しくありません({exc})")
        return None


def _parse_choice(header, taxonomy, value, errors) -> str:
    if not value:
        return ""
    term = taxonomy.from_label(value)
    if term is None:
        errors.append(f"「{header}」の値「{value}」は選択肢にありません")
        return ""
    return term.slug


def _parse_residence(value: str, errors) -> tuple[str, str]:
    if not value:
        return "", ""
    for pref in PREFECTURES:
        for name in (pref.label, pref.short):
            if value.startswith(name):
                return pref.slug, value[len(name) :].strip()
    errors.append(f"居住地「{value}」は都道府県名から始めてください")
    return "", ""


def _parse_area(value: str, errors) -> tuple[bool, list[str], list[str]]:
    nationwide, regions, prefectures = False, [], []
    for token in _split(value):
        if token == NATIONWIDE_LABEL:
            nationwide = True
        elif region := REGIONS.from_label(token) or REGIONS.from_label(token.removesuffix("地方")):
            regions.append(region.slug)
        elif pref := PREFECTURES.from_label(token):
            prefectures.append(pref.slug)
        else:
            errors.append(f"支援対象地域「{token}」は地域名・都道府県名・全国のいずれでもありません")
    return nationwide, regions, prefectures


def _parse_record(value: str, errors) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    match = re.fullmatch(r"(\d+)件/(\d+)年", value.replace(" ", ""))
    if not match:
        errors.append(f"企業支援実績「{value}」は「4件/6年」の形で入力してください")
        return None, None
    return int(match.group(1)), int(match.group(2))


# The column each validated field comes from, to name it in a row's messages.
COLUMN_OF = {
    "registration_no": "登録番号",
    "name": "氏名",
    "name_kana": "氏名(カナ)",
    "email": "公開用メールアドレス",
    "residence_prefecture": "居住地",
    "residence_city": "居住地",
    "organization": "所属組織",
    "qualifications": "他の資格",
    "groups": "所属・関係する団体",
    "self_pr": "自己PR",
    "url": "参考URL",
    "support_cases": "企業支援実績",
    "support_years": "企業支援実績",
    "support_description": "企業支援内容",
    "themes": "指導テーマ(いずれかの列に「可」)",
    "valid_until": "登録有効期限",
    "contact_email": CONTACT_HEADER,
}
# Required fields an entry may keep private: HIDEABLE_FIELDS key.
PRIVATE_REQUIRED = {"name_kana": "name_kana", "residence_prefecture": "residence"}
# Checked with the model fields' own validators, as the form and the admin do.
VALIDATED = [name for name in COLUMN_OF if name not in ("residence_prefecture", "themes", "valid_until")]
FIELDS = {name: Supporter._meta.get_field(name) for name in VALIDATED}


def _check(out: dict, errors: list[str]) -> None:
    """The rules every entrance shares (supporters/validation.py): required fields, then each value."""
    for name in validation.REQUIRED_FIELDS:
        # Private ones are checked against the stored entry (ParsedRow.keeps).
        if name not in PRIVATE_REQUIRED and out.get(name) in (None, "", []):
            errors.append(f"「{COLUMN_OF[name]}」が空欄です")
    if not (out["nationwide"] or out["regions"] or out["prefectures"]):
        errors.append("「支援対象地域」が空欄です(全国・地域名・都道府県名のいずれか)")
    for name in VALIDATED:
        if out.get(name) in (None, ""):
            continue
        try:
            FIELDS[name].clean(out[name], None)  # what Supporter.clean_fields does, field by field
        except ValidationError as exc:
            errors.extend(validation.messages_for(exc, COLUMN_OF[name], out[name]))


def parse_row(cells: dict, line: int) -> ParsedRow:
    """Turn one row (header → raw cell) into model field values, or raise
    RowErrors listing every problem found in the row. The private contact
    column is read only when the file has it."""
    errors: list[str] = []
    raw_dates = {h: cells.get(h) for h in ("登録有効期限", "最終更新日")}
    text = {h: clean_cell(cells.get(h)) for h in STAFF_HEADERS if h in cells or h in HEADERS}
    out: dict = {"registration_no": validation.registration_no(text["登録番号"])}

    for header, name in SIMPLE_TEXT.items():
        out[name] = validation.normalise(name, text[header])
    out["email"] = text["公開用メールアドレス"]
    out["url"] = validation.url(text["参考URL"])
    if CONTACT_HEADER in text:
        out["contact_email"] = text[CONTACT_HEADER]
    out["residence_prefecture"], out["residence_city"] = _parse_residence(text["居住地"], errors)
    out["affiliation"] = _parse_choice("所属状況", AFFILIATIONS, text["所属状況"], errors)
    out["experience"] = _parse_choice("セキュリティ実務経験", EXPERIENCE, text["セキュリティ実務経験"], errors)
    support = text["企業支援経験"]
    out["support_experience"] = {"経験あり": "yes", "あり": "yes", "経験なし": "no", "なし": "no", "": ""}.get(support)
    if out["support_experience"] is None:
        errors.append(f"企業支援経験「{support}」は「経験あり」か「経験なし」で入力してください")
        out["support_experience"] = ""
    out["support_cases"], out["support_years"] = _parse_record(text["企業支援実績"], errors)
    out["nationwide"], out["regions"], out["prefectures"] = _parse_area(text["支援対象地域"], errors)

    industries = []
    for token in _split(text["得意とする業界"]):
        if token in NO_INDUSTRY_VALUES:
            continue
        term = INDUSTRIES.from_label(token)
        if term is None:
            errors.append(f"得意とする業界「{token}」は14業種のいずれでもありません")
        else:
            industries.append(term.slug)
    out["industries"] = industries

    for field_name in ("themes", "periods", "forms"):
        out[field_name] = []
    for label, (field_name, taxonomy) in TERM_COLUMNS.items():
        if _parse_yes(label, text[label], errors):
            out[field_name].append(taxonomy.from_label(label).slug)
    out["fee"] = _parse_choice("支援料金", FEES, text["支援料金"], errors)
    out["first_free"] = _parse_yes("初回指導割引", text["初回指導割引"], errors)
    out["valid_until"] = _parse_date("登録有効期限", raw_dates["登録有効期限"], errors)
    out["updated_on"] = _parse_date("最終更新日", raw_dates["最終更新日"], errors)
    _check(out, errors)

    if errors:
        raise RowErrors(errors)
    keeps = {
        key: COLUMN_OF[name]
        for name, key in PRIVATE_REQUIRED.items()
        if not out[name] and not (name == "residence_prefecture" and text["居住地"])
    }
    return ParsedRow(line=line, fields=out, keeps=keeps)
