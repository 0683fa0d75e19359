"""The list's filters. Parameter names and values are a public contract.

Repeatable parameters are OR within the parameter; different parameters
combine with AND. Place filters (``region``, ``prefecture``, a place named in
``q``) match experts who support the place: 全国, the region, or the
prefecture (models.serving_regions_q / serving_prefectures_q).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, Q

from config import forms as site_forms

from .cache import RenderedOnceMixin
from .models import Supporter, fresh_q, search_q, serving_prefectures_q, serving_regions_q
from .search import MAX_QUERY_LENGTH, query_words
from .taxonomy import FEES, FORMS, INDUSTRIES, PERIODS, PREFECTURES, REGIONS, THEMES, Place, place_named

INVALID_CHOICE = "「%(value)s」は選択できない値です。"


def _has_any(field_name: str):
    return lambda value: Q(**{f"{field_name}__has_any": value})


# The condition each narrowing parameter adds (AND across parameters, OR within
# one): the one definition the list, the exports and the counts of wider
# searches (supporters/listing.py) share. Bit-mask tests and one LIKE per word.
CONDITIONS = {
    "q": search_q,
    "prefecture": serving_prefectures_q,
    "region": serving_regions_q,
    "industry": _has_any("industries"),
    "theme": _has_any("themes"),
    "form": _has_any("forms"),
    "period": _has_any("periods"),
    "fee": lambda value: Q(fee__in=value),
    "first_free": lambda value: Q(first_free=True),
    "fresh": lambda value: fresh_q(),
}

# The sort options, in the order people look for them (default first).
SORTS = [
    ("registration_no", "登録番号順"),
    ("-updated", "最終更新日が新しい順"),
    ("updated", "最終更新日が古い順"),
    ("-cases", "企業支援実績(件数)が多い順"),
    ("cases", "企業支援実績(件数)が少ない順"),
    ("-registration_no", "登録番号の大きい順"),
]


class FilterCheckboxes(RenderedOnceMixin, forms.CheckboxSelectMultiple):
    pass


class FlagCheckbox(RenderedOnceMixin, forms.CheckboxInput):
    """A checkbox submitted as ``name=1``; any other value is refused by the
    field instead of being read as "yes"."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"value": "1", **(attrs or {})}, check_test=lambda v: v == "1")

    def value_from_datadict(self, data, files, name):
        return data.get(name, "")


class DescribedCheckboxes(RenderedOnceMixin, forms.CheckboxSelectMultiple):
    """Checkboxes, each with a plain-language hint tied to it by aria-describedby."""

    option_template_name = "supporters/widgets/described_option.html"

    def __init__(self, descriptions: dict[str, str], attrs=None):
        super().__init__(attrs)
        self.descriptions = descriptions

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["description"] = self.descriptions.get(str(value), "")
        if option["description"] and option["attrs"].get("id"):
            option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_hint"
        return option


class PrefectureSelect(RenderedOnceMixin, forms.Select):
    """One prefecture chosen from a list grouped by region.

    The URL may name several prefectures (``prefecture=kyoto&prefecture=osaka``);
    the list shows the first and carries the others as hidden inputs, so that
    submitting the form again keeps them (each is removable by its tag).
    """

    template_name = "supporters/widgets/prefecture_select.html"

    def value_from_datadict(self, data, files, name):
        return [value for value in data.getlist(name) if value] if hasattr(data, "getlist") else data.get(name)

    def get_context(self, name, value, attrs):
        values = [v for v in (value if isinstance(value, list | tuple) else [value]) if v]
        context = super().get_context(name, values[:1], attrs)
        context["widget"]["extra_values"] = values[1:]
        return context


def _prefecture_choices():
    groups = [(region.label, [(p.slug, p.label) for p in PREFECTURES if p.region == region.slug]) for region in REGIONS]
    return [("", "指定しない(すべての都道府県)"), *groups]


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Entries without a value (e.g. no 件数) sort last in both directions,
    the same on SQLite and PostgreSQL."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        expression = F(value.lstrip("-"))
        if value.startswith("-"):
            return expression.desc(nulls_last=True)
        return expression.asc(nulls_last=True)


def _multiple(label: str, taxonomy, described=False):
    return django_filters.MultipleChoiceFilter(
        label=label,
        choices=taxonomy.choices,
        widget=DescribedCheckboxes(taxonomy.descriptions) if described else FilterCheckboxes,
        method="filter_condition",
        # Each filter is a predicate on the row itself: no join, so no DISTINCT.
        distinct=False,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )


def _flag(label: str):
    """A single checkbox sent as ``name=1``."""
    return django_filters.ChoiceFilter(
        label=label,
        choices=[("1", label)],
        method="filter_condition",
        widget=FlagCheckbox,
        error_messages={"invalid_choice": INVALID_CHOICE},
    )


class _SharedFields(dict):
    """A form's fields, shared by its instances instead of deep-copied.

    Django's forms deep-copy every field (and its ~60 choices) per instance,
    as django-filter does every filter: 3.8 ms of each list page. The list's
    filters and fields are never changed per request, so each instance gets
    the same fields and shallow copies of the filters (which it marks as its
    own: ``filter.parent``). Their Django messages are made natural on the
    first use (config/forms.py) and stay so.
    """

    def __deepcopy__(self, memo):
        return type(self)(self)


class _SharedFilters(dict):
    def __deepcopy__(self, memo):
        return {name: _own_copy(filter_) for name, filter_ in self.items()}


def _own_copy(filter_):
    # copy.copy's way through __reduce_ex__ cost 5 µs a filter, a dozen per page.
    clone = object.__new__(type(filter_))
    clone.__dict__.update(filter_.__dict__)
    if clone.method:
        clone.method = clone.method  # binds django-filter's method wrapper to the copy
    return clone


class _ValidValues(frozenset):
    """A choice field's values, for ``valid_value``: Django's walks the
    choices (which django-filter rebuilds on each access) for every value
    submitted, a tenth of a millisecond of each list page."""

    def __new__(cls, choices):
        values = []
        for value, label in choices:
            group = label if isinstance(label, list | tuple) else [(value, label)]
            values += [str(v) for v, _ in group]
        return super().__new__(cls, values)

    def __contains__(self, value) -> bool:
        return super().__contains__(str(value))


class SupporterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="キーワード",
        method="filter_condition",
        max_length=MAX_QUERY_LENGTH,
        help_text="氏名・登録番号・資格・自己PRなどから探します。「京都」のような地名は、その場所で支援できる専門家を探します。",
    )
    prefecture = django_filters.MultipleChoiceFilter(
        label="会社の所在地(都道府県)",
        choices=_prefecture_choices(),
        widget=PrefectureSelect,
        method="filter_condition",
        help_text="その都道府県で支援できる専門家を表示します(全国対応や、地域全体で登録している専門家を含みます)。",
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    region = _multiple("支援対象地域", REGIONS)
    industry = _multiple("得意とする業界", INDUSTRIES)
    theme = _multiple("相談したい内容(指導テーマ)", THEMES, described=True)
    form = _multiple("支援の受け方(支援可能な形態)", FORMS, described=True)
    period = _multiple("支援期間", PERIODS, described=True)
    fee = _multiple("支援料金(1回/2時間あたり)", FEES, described=True)
    first_free = _flag("初回相談が無料の専門家のみ")
    fresh = _flag("情報更新から1年以上の専門家を除く")
    sort = NullsLastOrderingFilter(
        label="並び順",
        fields=(
            ("registration_no", "registration_no"),
            ("updated_on", "updated"),
            ("support_cases", "cases"),
        ),
        choices=SORTS,
        empty_label=None,
        null_label=None,
    )

    class Meta:
        model = Supporter
        fields: list[str] = []
        form = site_forms.Form

    _form_class = None

    def get_form_class(self):
        # django-filter builds a new form class (and its fields) for every
        # request; they are the same each time, so build them once, and let
        # the forms share the fields (_SharedFields).
        cls = type(self)
        if cls.__dict__.get("_form_class") is None:
            form_class = super().get_form_class()
            form_class.base_fields = _SharedFields(form_class.base_fields)
            for field in form_class.base_fields.values():
                if isinstance(field, forms.ChoiceField):
                    field.valid_value = _ValidValues(field.choices).__contains__
            cls._form_class = form_class
        return cls._form_class

    def filter_condition(self, queryset, name, value):
        return queryset.filter(CONDITIONS[name](value)) if value else queryset

    def condition(self) -> Q:
        """Every narrowing condition of a valid search, as one Q (to count without a query each)."""
        cleaned = self.form.cleaned_data
        return Q(*(CONDITIONS[name](cleaned[name]) for name in CONDITIONS if cleaned.get(name)))

    def keyword_places(self) -> list[tuple[str, Place]]:
        """(word, place) for each word of ``q`` read as a place name."""
        words = query_words(self.form.cleaned_data.get("q", "")) if self.is_valid() else []
        return [(word, place) for word, _ in words if (place := place_named(word)) is not None]

    @property
    def qs(self):
        qs = super().qs
        # A stable order on every page: ties broken by 登録番号.
        ordering = list(qs.query.order_by) or [F("registration_no").asc()]
        if not any("registration_no" in str(term) for term in ordering):
            ordering.append("registration_no")
        return qs.order_by(*ordering)


SupporterFilter.base_filters = _SharedFilters(SupporterFilter.base_filters)
