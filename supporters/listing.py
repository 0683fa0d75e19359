"""What the list page says about a search: the applied filters as removable
tags, ways to widen a search that found nobody, and for a search the guided
search built, which answers led to which filters."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import quote_plus

from django.db.models import Count, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode

from config.navigation import url_of

from . import guide
from .filters import SupporterFilter
from .models import Supporter
from .taxonomy import NEIGHBOURS, PREFECTURES, REGIONS

# Parameters that narrow the search, in the order the form shows them; ``sort`` and ``page`` do not.
NARROWING = ["q", "prefecture", "region", "industry", "theme", "form", "period", "fee", "first_free", "fresh"]
FLAG_TAGS = {"first_free": "初回相談無料", "fresh": "情報更新から1年以内"}
SHORT_LABELS = {
    "q": "キーワード",
    "prefecture": "都道府県",
    "region": "地域",
    "industry": "業界",
    "theme": "指導テーマ",
    "form": "支援の形態",
    "period": "支援期間",
    "fee": "料金",
}


@dataclass(frozen=True)
class Tag:
    group: str
    value: str
    remove_url: str


@dataclass(frozen=True)
class Widening:
    label: str
    url: str
    count: int


def _url(data: QueryDict) -> str:
    query = urlencode([(name, values) for name, values in data.lists() if name != "page"], doseq=True)
    return url_of("supporters:list") + (f"?{query}" if query else "")


def _without(data: QueryDict, name: str, value: str | None = None) -> QueryDict:
    # A new QueryDict rather than data.copy(): copy() deep-copies every value,
    # and a list page builds one of these for each of its filter tags.
    kept = QueryDict(mutable=True)
    for key, values in data.lists():
        if key == name:
            values = [] if value is None else [v for v in values if v != value]
        if values:
            kept.setlist(key, list(values))
    return kept


def _choice_labels(filterset: SupporterFilter, name: str) -> dict[str, str]:
    return _labels_of(filterset.form.fields[name])


@functools.lru_cache(maxsize=32)
def _labels_of(field) -> dict[str, str]:
    # The list's form fields are built once and shared (filters.py), and
    # django-filter rebuilds a field's choices on every access: once per field.
    labels = {}
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # a group of choices
            labels.update((str(v), str(text)) for v, text in label)
        else:
            labels[str(value)] = str(label)
    return labels


def applied_filters(filterset: SupporterFilter) -> list[Tag]:
    """Each applied filter value, with the URL of the same search without it."""
    data, cleaned = filterset.data, filterset.form.cleaned_data
    # Each parameter encoded once, as _url(_without(...)) would encode it; a
    # tag's link leaves its own out (a search shows up to a dozen tags).
    pairs = [
        (key, value, quote_plus(key) + "=" + quote_plus(value))
        for key, values in data.lists()
        if key != "page"
        for value in values
    ]
    base = url_of("supporters:list")

    def without(name: str, slug: str | None = None) -> str:
        query = "&".join(
            encoded for key, value, encoded in pairs if key != name or (slug is not None and value != slug)
        )
        return base + (f"?{query}" if query else "")

    tags = []
    for name in NARROWING:
        value = cleaned.get(name)
        if not value:
            continue
        if name == "q":
            tags.append(Tag(SHORT_LABELS[name], value, without(name)))
        elif name in FLAG_TAGS:
            tags.append(Tag("条件", FLAG_TAGS[name], without(name)))
        else:
            labels = _choice_labels(filterset, name)
            for slug in dict.fromkeys(value):
                tags.append(Tag(SHORT_LABELS[name], labels.get(slug, slug), without(name, slug)))
    return tags


def title(tags: list[Tag], page) -> str:
    """The page title of a search: what it looks for, how many it found, which page."""
    what = "・".join(tag.value for tag in tags) + "の" if tags else ""
    which = f"({page.number}ページ目)" if page.number > 1 else ""
    return f"{what}専門家 {page.paginator.count:,}件{which}"


def kept_params(filterset: SupporterFilter) -> list[tuple[str, str]]:
    """The narrowing parameters of the search (and a guided search's answers), to carry through the sort form."""
    names = [*NARROWING, *guide.ANSWER_PARAMS]
    return [(name, value) for name in names for value in filterset.data.getlist(name) if value]


def _neighbourhood(filterset: SupporterFilter) -> tuple[list[str], str] | None:
    """The regions around the chosen place, and how to say so."""
    cleaned = filterset.form.cleaned_data
    regions = list(cleaned.get("region") or [])
    regions += [PREFECTURES.get(slug).region for slug in cleaned.get("prefecture") or []]
    regions = list(dict.fromkeys(regions))
    if not regions:
        return None
    around = [n for r in regions for n in NEIGHBOURS[r] if n not in regions]
    around = list(dict.fromkeys(around))
    wider = [r.slug for r in REGIONS if r.slug in {*regions, *around}]
    label = "・".join(REGIONS.label(r) for r in regions)
    if around:
        label += f"とその周り({'・'.join(REGIONS.label(r) for r in around)})まで広げる"
    else:
        label += "の全体に広げる"
    return wider, label


def _subset(data: QueryDict, queryset) -> SupporterFilter:
    filterset = SupporterFilter(data, queryset=queryset)
    filterset.is_valid()  # a subset of a valid search is valid
    return filterset


def widenings(filterset: SupporterFilter, directory=None) -> list[Widening]:
    """Searches a little wider than this one that find someone, counted by
    this process's index of the directory (``directory``, supporters/index.py)
    when the search was answered by it, else by one query for all of them."""
    data, cleaned = filterset.data, filterset.form.cleaned_data
    applied = [name for name in NARROWING if cleaned.get(name)]
    options: list[tuple[str, QueryDict]] = []
    near = _neighbourhood(filterset)
    if near:
        regions, label = near
        wider = _without(_without(data, "prefecture"), "region")
        wider.setlist("region", regions)
        options.append((label, wider))
    if cleaned.get("region") or cleaned.get("prefecture"):
        options.append(("場所の条件を外して、全国から探す", _without(_without(data, "prefecture"), "region")))
    for name in applied:
        if name in ("region", "prefecture"):
            continue
        label = SupporterFilter.base_filters[name].label
        if name == "q":
            options.append((f"キーワード「{cleaned['q']}」を外す", _without(data, name)))
        else:
            options.append((f"「{FLAG_TAGS.get(name, label)}」の条件を外す", _without(data, name)))
    if not options:
        return []
    if directory is not None:
        # A subset of a search the index answered is one it answers too.
        none = Supporter.objects.none()
        counts = [directory.count(_subset(option, none).form.cleaned_data) for _, option in options]
    else:
        published = Supporter.objects.published()
        # One pass over the published entries counts every option (a CASE per option).
        found = published.aggregate(
            **{
                f"option_{i}": Count("pk", filter=_subset(option, published).condition() or Q(pk__isnull=False))
                for i, (_, option) in enumerate(options)
            }
        )
        counts = [found[f"option_{i}"] for i in range(len(options))]
    found = [Widening(label, _url(option), count) for (label, option), count in zip(options, counts, strict=True)]
    return [w for w in found if w.count]


@dataclass(frozen=True)
class Because:
    question: str
    answer: str
    filters: list[str]


@dataclass(frozen=True)
class GuidedWider:
    label: str
    url: str


@dataclass
class Explanation:
    """Which answers led to which filters, and how to widen a guided search."""

    because: list[Because]
    unread: list[str]  # answers in the URL the guide does not know
    wider: list[GuidedWider]
    restart_url: str  # the guide's first question, with the answers still read from this search


GUIDED_FEW = 5  # a guided search finding fewer experts than this says how to widen it


def _has(data: QueryDict, name: str, values) -> bool:
    present = set(data.getlist(name))
    return all(value in present for value in values)


def _without_all(data: QueryDict, *names: str) -> QueryDict:
    for name in names:
        data = _without(data, name)
    return data


def guided(data: QueryDict, count: int) -> Explanation | None:
    """Which answers of the guided search (supporters/guide.py) led to this search's
    filters, and how to widen it (None for a search the guide did not build).

    An answer is explained while the filters it added are still applied (a tag
    removed since then is not claimed)."""
    if not any(data.get(name) for name in guide.ANSWER_PARAMS):
        return None
    because, unread, answers = [], [], {}
    for question in guide.QUESTIONS:
        if question.slug in guide.ANSWER_PARAMS:
            slug = data.get(question.slug, "")
            if not slug:
                continue
            answer = question.answer(slug)
            if answer is None:
                shown = slug if len(slug) <= guide.MAX_SHOWN else slug[: guide.MAX_SHOWN] + "…"
                unread.append(f"{question.short}「{shown}」")
                continue
        else:
            values = data.getlist(question.slug)
            answer = question.answer(values[0]) if len(values) == 1 else None
            if answer is None:
                continue
        if answer.filters and all(_has(data, name, values) for name, values in answer.filters.items()):
            because.append(Because(question.short, answer.label, answer.conditions))
            answers[question.slug] = answer.slug
        elif not answer.filters:
            because.append(Because(question.short, answer.label, []))
            answers[question.slug] = answer.slug
    restart = reverse("supporters:guide") + (f"?{guide.query(answers)}" if answers else "")
    return Explanation(because, unread, _guided_wider(data) if count < GUIDED_FEW else [], restart)


def _guided_wider(data: QueryDict) -> list[GuidedWider]:
    options = []
    prefectures = data.getlist("prefecture")
    if len(prefectures) == 1 and PREFECTURES.get(prefectures[0]):
        region = PREFECTURES.get(prefectures[0]).region
        wider = _without(data, "prefecture")
        wider.setlist("region", [region])
        options.append(GuidedWider(f"都道府県の代わりに地域({REGIONS.label(region)})全体で探す", _url(wider)))
    if data.get("fee") or data.get("first_free"):
        options.append(GuidedWider("予算の条件を外す", _url(_without_all(data, "fee", "first_free", "budget"))))
    if data.get("industry"):
        options.append(GuidedWider("業種の条件を外す", _url(_without(data, "industry"))))
    if data.get("how") and data.get("form") and data.get("worry") != guide.URGENT:
        options.append(GuidedWider("相談のしかたの条件を外す", _url(_without_all(data, "form", "how"))))
    return options
