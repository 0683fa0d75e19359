import functools
import json
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from config.access import Role, grant_access
from config.client import client_ip
from config.jinja2 import EncodedParts
from config.navigation import url_of
from config.ratelimit import ACCOUNT, TOO_MANY, limit, over_limit
from config.spreadsheets import csv_response

from . import guide, index, listing, services, tilemap
from .cache import request_version
from .filters import SORTS, SupporterFilter
from .forms import ContactForm, ErrorReportForm
from .models import Supporter
from .structured import person_jsonld
from .tabular import HEADERS, supporter_to_json, supporter_to_row
from .taxonomy import FEES, FORMS, INDUSTRIES, PERIODS, PREFECTURES, REGIONS, THEMES, prefectures_of
from .templatetags.entry_tags import entry_fragments, fields_once


def _filterset(request) -> SupporterFilter:
    return SupporterFilter(request.GET, queryset=_published())


@functools.cache
def _published():
    # Built once per process: django-filter filters a clone of it (``.all()``),
    # so it is never evaluated itself and holds no rows.
    return Supporter.objects.published()


def _list_querystring(filterset: SupporterFilter) -> str:
    """The valid list parameters of a request, to carry into links back to it."""
    if not filterset.is_valid():
        return ""
    pairs = []
    for name in [*filterset.filters, "page"]:
        for value in filterset.data.getlist(name):
            if value:
                pairs.append((name, value))
    return urlencode(pairs)


@grant_access(Role.PUBLIC)
@require_safe
def home(request):
    return render(
        request,
        "supporters/home.html",
        {
            "regions": REGIONS,
            "industries": INDUSTRIES,
            "themes": THEMES,
            "prefecture_groups": [(region, prefectures_of(region.slug)) for region in REGIONS],
            "tile_map": tilemap.html(request_version(request), on_list=False),
        },
    )


@grant_access(Role.PUBLIC)
@require_safe
def help_page(request):
    mapping = [(region, prefectures_of(region.slug)) for region in REGIONS]
    return render(
        request,
        "supporters/help.html",
        {
            "mapping": mapping,
            "themes": THEMES,
            "forms": FORMS,
            "periods": PERIODS,
            "fees": FEES,
            "industries": INDUSTRIES,
            "example_prefecture": PREFECTURES.get("kyoto"),
            "sorts": SORTS,
            "guide_questions": guide.QUESTIONS,
            "breadcrumbs": [("トップ", reverse("supporters:home")), ("使い方と地域の区分", None)],
        },
    )


@grant_access(Role.PUBLIC)
@require_safe
def supporter_list(request):
    filterset = _filterset(request)
    context = {
        "filterset": filterset,
        "querystring": _list_querystring(filterset),
        "breadcrumbs": [("トップ", url_of("supporters:home")), ("専門家を探す", None)],
    }
    if not filterset.is_valid():
        return _list_page(request, context, status=400)
    results = _results(request, filterset)
    paginator = Paginator(results, settings.SUPPORTERS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context.update(
        searched=True,
        page=page,
        supporters=page.object_list,
        tags=(tags := listing.applied_filters(filterset)),
        title=listing.title(tags, page),
        places=filterset.keyword_places(),
        # Only a search that found nobody pays for the counts of wider ones.
        widenings=[] if paginator.count else listing.widenings(filterset, directory=_directory_of(results)),
        sorts=SORTS,
        sort=(filterset.form.cleaned_data.get("sort") or ["registration_no"])[0],
        kept=listing.kept_params(filterset),
        guided=listing.guided(filterset.data, paginator.count),
        tile_map=tilemap.encoded(request_version(request), on_list=True),
    )
    return _list_page(request, context)


def _list_page(request, context, status=200):
    """The list page: a Jinja2 template throughout, because every distinct
    search draws it anew (docs/decisions/0850, 0900). Besides the view's
    context it sees the request's ``query``, the helpers that keep the
    entries' and the filters' markup (supporters/templatetags/entry_tags.py)
    and ``part``, which puts such markup, kept in UTF-8, into the page as it
    is (config.jinja2.EncodedParts)."""
    parts = EncodedParts()
    context.update(query=request.GET, entry_fragments=entry_fragments, fields_once=fields_once, part=parts.put)
    html = render_to_string("supporters/list.html", context, request, using="jinja2")
    return HttpResponse(parts.join(html), status=status)


def _results(request, filterset):
    """The matching entries: from this process's index of the directory
    (supporters/index.py) when it knows every filter in use, else from SQL."""
    if index.can_answer(filterset):
        directory = index.index_for(request_version(request))
        return directory.result(filterset.form.cleaned_data)
    return filterset.qs


def _directory_of(results) -> index.DirectoryIndex | None:
    return results.directory if isinstance(results, index.IndexedResult) else None


def _published_or_404(registration_no) -> Supporter:
    try:
        return Supporter.objects.published().select_related("user").get(registration_no=registration_no)
    except Supporter.DoesNotExist:
        raise Http404("該当する専門家は掲載されていません。") from None


def _accepts_contact(supporter: Supporter) -> bool:
    """The relay form is offered only where the address is not published."""
    return not (supporter.is_public("email") and supporter.email) and bool(supporter.contact_address)


CONTACT_SUBJECT = "セキュリティ対策支援者リストを見てのご相談"


def _mail_link(supporter: Supporter) -> str:
    """A mailto: link with a subject, where the expert publishes an address."""
    if not (supporter.is_public("email") and supporter.email):
        return ""
    return f"mailto:{supporter.email}?subject={quote(CONTACT_SUBJECT)}"


@grant_access(Role.PUBLIC)
@require_safe
def supporter_detail(request, registration_no):
    supporter = _published_or_404(registration_no)
    return _render_detail(request, supporter, ContactForm() if _accepts_contact(supporter) else None)


def _breadcrumbs(request, supporter, *more):
    """Back to the list as it was searched; the 個票 is a link when a page below it follows."""
    back = _list_querystring(_filterset(request))
    suffix = f"?{back}" if back else ""
    return [
        ("トップ", reverse("supporters:home")),
        ("専門家を探す" + ("(検索結果)" if back else ""), reverse("supporters:list") + suffix),
        (supporter.name, supporter.get_absolute_url() + suffix if more else None),
        *more,
    ]


def _render_detail(request, supporter, contact_form, status=200):
    url = request.build_absolute_uri(supporter.get_absolute_url())
    return render(
        request,
        "supporters/detail.html",
        {
            "supporter": supporter,
            "breadcrumbs": _breadcrumbs(request, supporter),
            "contact_form": contact_form,
            "mail_link": _mail_link(supporter),
            "canonical_url": url,
            "riss_url": settings.RISS_LOOKUP_URL.format(registration_no=supporter.registration_no),
            "jsonld": person_jsonld(supporter, url=url),
        },
        status=status,
    )


@grant_access(Role.PUBLIC)
@require_POST
def supporter_contact(request, registration_no):
    supporter = _published_or_404(registration_no)
    if not _accepts_contact(supporter):
        raise Http404("この専門家へはお問い合わせフォームを使えません。")
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, supporter, form, status=400)
    if not form.is_bot:
        # Per client, per account, per sender address, and per expert (many clients, one inbox).
        if (
            over_limit(request, "contact", rate="5/h")
            or over_limit(request, "contact", rate="5/h", key=ACCOUNT)
            or over_limit(request, "contact-sender", rate="3/d", value=form.cleaned_data["email"])
            or over_limit(request, "contact-expert", rate="20/d", value=supporter.registration_no)
        ):
            form.add_error(None, TOO_MANY)
            return _render_detail(request, supporter, form, status=429)
        message = form.save(commit=False)
        message.ip_address = client_ip(request)
        services.relay_contact(supporter=supporter, message=message)
    # A bot sees the same answer as a person.
    messages.success(
        request,
        f"{supporter.name}さんへ相談の内容を送りました。専門家から、入力したメールアドレスへ直接返信が届きます。"
        "送った内容の控えを、入力したメールアドレスにもお送りしました。",
    )
    return redirect(supporter.get_absolute_url())


@grant_access(Role.PUBLIC)
@limit("error-report", rate="10/h")
def report_error(request, registration_no):
    """「掲載内容の誤りを報告」: anyone tells IPA that an entry looks wrong."""
    supporter = _published_or_404(registration_no)
    form = ErrorReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.is_bot:
            services.report_error(supporter=supporter, **form.report())
        messages.success(
            request,
            "誤りのお知らせを受け付けました。ありがとうございました。IPAで確認し、必要に応じて専門家に修正をお願いします。",
        )
        return redirect(supporter.get_absolute_url())
    return render(
        request,
        "supporters/report.html",
        {
            "supporter": supporter,
            "form": form,
            "breadcrumbs": _breadcrumbs(request, supporter, ("掲載内容の誤りを報告", None)),
        },
        status=400 if form.errors else 200,
    )


@grant_access(Role.PUBLIC)
@require_safe
def for_experts(request):
    """「専門家として掲載を希望する方へ」: who can be listed, what is published, how review works."""
    return render(
        request,
        "supporters/for_experts.html",
        {
            "hideable": Supporter.HIDEABLE_FIELDS.values(),
            "review_days": settings.SUPPORTERS_REVIEW_DAYS,
            "breadcrumbs": [("トップ", reverse("supporters:home")), ("専門家として掲載を希望する方へ", None)],
        },
    )


def _invalid_filters_response(filterset, content_type):
    errors = {name: [str(e) for e in errs] for name, errs in filterset.errors.items()}
    if content_type == "json":
        return JsonResponse({"errors": errors}, status=400, json_dumps_params={"ensure_ascii": False})
    lines = [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
    return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")


@grant_access(Role.PUBLIC)
@require_safe
def export_csv(request):
    filterset = _filterset(request)
    if not filterset.is_valid():
        return _invalid_filters_response(filterset, "csv")
    rows = (supporter_to_row(supporter) for supporter in filterset.qs.iterator(chunk_size=2000))
    return csv_response("supporters.csv", HEADERS, rows)


@grant_access(Role.PUBLIC)
@require_safe
def export_json(request):
    filterset = _filterset(request)
    if not filterset.is_valid():
        return _invalid_filters_response(filterset, "json")
    base = request.build_absolute_uri("/").rstrip("/")
    detail = reverse("supporters:detail", args=["000000"]).replace("000000", "{}")
    results = [
        supporter_to_json(s, detail_url=base + detail.format(s.registration_no))
        for s in filterset.qs.iterator(chunk_size=2000)
    ]
    body = json.dumps({"count": len(results), "results": results}, ensure_ascii=False)
    return HttpResponse(body, content_type="application/json; charset=utf-8")
