"""The list's filters. Parameter names and values are a public contract.

Repeatable parameters are OR within the parameter; different parameters
combine with AND.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F

from .cache import RenderedOnceMixin
from .models import Supporter
from .search import MAX_QUERY_LENGTH
from .taxonomy import FEES, FORMS, INDUSTRIES, PERIODS, REGIONS, THEMES

INVALID_CHOICE = "「%(value)s」は選択できない値です。"


class FilterCheckboxes(RenderedOnceMixin, forms.CheckboxSelectMultiple):
    pass


class FlagCheckbox(RenderedOnceMixin, forms.CheckboxInput):
    """A checkbox submitted as ``name=1``; any other value is refused by the
    field instead of being read as "yes"."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"value": "1", **(attrs or {})}, check_test=lambda v: v == "1")

    def value_from_datadict(self, data, files, name):
        return data.get(name, "")


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Entries without a value (e.g. no 件数) sort last in both directions,
    the same on SQLite and PostgreSQL."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        expression = F(value.lstrip("-"))
        if value.startswith("-"):
            return expression.desc(nulls_last=True)
        return expression.asc(nulls_last=True)


def _multiple(label: str, taxonomy, method=None, field_name=None):
    return django_filters.MultipleChoiceFilter(
        label=label,
        choices=taxonomy.choices,
        widget=FilterCheckboxes,
        method=method,
        field_name=field_name,
        # Each filter is a predicate on the row itself: no join, so no DISTINCT.
        distinct=False,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )


def _flag(label: str, method: str):
    """A single checkbox sent as ``name=1``."""
    return django_filters.ChoiceFilter(
        label=label,
        choices=[("1", label)],
        method=method,
        widget=FlagCheckbox,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )


class SupporterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="キーワード",
        method="filter_keyword",
        max_length=MAX_QUERY_LENGTH,
        help_text="氏名・カナ・居住地・所属・資格・自己PR・支援内容から探します。"
        "スペースで区切った語はすべて含むものを表示します。",
    )
    region = _multiple("支援対象地域", REGIONS, method="filter_region")
    industry = _multiple("得意とする業界", INDUSTRIES, method="filter_has_any", field_name="industries")
    theme = _multiple("支援可能な指導テーマ", THEMES, method="filter_has_any", field_name="themes")
    form = _multiple("支援可能な形態", FORMS, method="filter_has_any", field_name="forms")
    period = _multiple("支援期間", PERIODS, method="filter_has_any", field_name="periods")
    fee = _multiple("支援料金(1回/2時間あたり)", FEES, field_name="fee")
    first_free = _flag("初回相談が無料の専門家のみ", "filter_first_free")
    fresh = _flag("情報更新から1年以上の専門家を除く", "filter_fresh")
    sort = NullsLastOrderingFilter(
        label="並び順",
        fields=(
            ("registration_no", "registration_no"),
            ("updated_on", "updated"),
            ("support_cases", "cases"),
        ),
        field_labels={
            "registration_no": "登録番号順",
            "-registration_no": "登録番号の大きい順",
            "updated_on": "最終更新日の古い順",
            "-updated_on": "最終更新日の新しい順",
            "support_cases": "支援実績件数の少ない順",
            "-support_cases": "支援実績件数の多い順",
        },
        empty_label=None,
        null_label=None,
    )

    class Meta:
        model = Supporter
        fields: list[str] = []

    _form_class = None

    def get_form_class(self):
        # django-filter builds a new form class (and its fields) for every
        # request; they are the same each time, so build them once. The form
        # still copies its fields per instance, as Django forms do.
        cls = type(self)
        if cls.__dict__.get("_form_class") is None:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def filter_keyword(self, queryset, name, value):
        return queryset.search(value)

    def filter_region(self, queryset, name, value):
        return queryset.serving_regions(value) if value else queryset

    def filter_has_any(self, queryset, name, value):
        return queryset.filter(**{f"{name}__has_any": value}) if value else queryset

    def filter_first_free(self, queryset, name, value):
        return queryset.filter(first_free=True) if value else queryset

    def filter_fresh(self, queryset, name, value):
        return queryset.fresh() if value else queryset

    @property
    def qs(self):
        qs = super().qs
        # A stable order on every page: ties broken by 登録番号.
        ordering = list(qs.query.order_by) or [F("registration_no").asc()]
        if not any("registration_no" in str(term) for term in ordering):
            ordering.append("registration_no")
        return qs.order_by(*ordering)
