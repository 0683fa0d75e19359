import json

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from config.access import Role, grant_access
from config.client import client_ip
from config.ratelimit import ACCOUNT, TOO_MANY, over_limit
from config.spreadsheets import csv_response

from . import index, services
from .cache import request_version
from .filters import SupporterFilter
from .forms import ContactForm
from .models import Supporter
from .tabular import HEADERS, supporter_to_json, supporter_to_row
from .taxonomy import FEES, FORMS, INDUSTRIES, PERIODS, REGIONS, THEMES, prefectures_of


def _filterset(request) -> SupporterFilter:
    return SupporterFilter(request.GET, queryset=Supporter.objects.published())


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
        {"regions": REGIONS, "industries": INDUSTRIES, "themes": THEMES},
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
        "breadcrumbs": [("トップ", reverse("supporters:home")), ("専門家を探す", None)],
    }
    if not filterset.is_valid():
        return render(request, "supporters/list.html", context, status=400)
    paginator = Paginator(_results(request, filterset), settings.SUPPORTERS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context.update(page=page, supporters=page.object_list)
    return render(request, "supporters/list.html", context)


def _results(request, filterset):
    """The matching entries: from this process's index of the directory
    (supporters/index.py) when it knows every filter in use, else from SQL."""
    if index.can_answer(filterset):
        directory = index.index_for(request_version(request))
        return index.IndexedResult(directory, directory.search(filterset.form.cleaned_data))
    return filterset.qs


def _published_or_404(registration_no) -> Supporter:
    try:
        return Supporter.objects.published().select_related("user").get(registration_no=registration_no)
    except Supporter.DoesNotExist:
        raise Http404("該当する専門家は掲載されていません。") from None


def _accepts_contact(supporter: Supporter) -> bool:
    """The relay form is offered only where the address is not published."""
    return not (supporter.is_public("email") and supporter.email) and bool(supporter.contact_address)


@grant_access(Role.PUBLIC)
@require_safe
def supporter_detail(request, registration_no):
    supporter = _published_or_404(registration_no)
    return _render_detail(request, supporter, ContactForm() if _accepts_contact(supporter) else None)


def _render_detail(request, supporter, contact_form, status=200):
    back = _list_querystring(_filterset(request))
    list_url = reverse("supporters:list") + (f"?{back}" if back else "")
    breadcrumbs = [
        ("トップ", reverse("supporters:home")),
        ("専門家を探す" + ("(検索結果)" if back else ""), list_url),
        (supporter.name, None),
    ]
    return render(
        request,
        "supporters/detail.html",
        {"supporter": supporter, "breadcrumbs": breadcrumbs, "contact_form": contact_form},
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
    messages.success(request, "お問い合わせを送信しました。専門家から直接返信が届きます。")
    return redirect(supporter.get_absolute_url())


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
