"""Pages of the referral workflow.

Every object URL answers 404 to anyone it does not belong to, signed in or
not, so a case's or referral's existence is never disclosed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.access import Role, grant_access
from config.ratelimit import limit_mailing
from config.spreadsheets import csv_response
from config.transitions import TransitionRefused
from supporters.filters import SupporterFilter
from supporters.models import Supporter

from . import access, flow, services
from .forms import AnswerForm, CaseForm, MoveForm, ReasonForm
from .models import (
    EXPERT,
    ORGANISATION,
    Case,
    Membership,
    Referral,
    ReferralStatus,
    delivery,
)

# ---------------------------------------------------------------- who may use what (config/access.py)

members = grant_access(Role.ORGANISATION_MEMBER, scope=access.organisation_member, refusal=access.NOT_A_MEMBER)
addressed_expert = grant_access(Role.ENTRY_EXPERT, scope=access.addressed_expert, refusal=access.NOT_AN_EXPERT)
staff = grant_access(Role.STAFF, permission="referrals.view_referral")

# ---------------------------------------------------------------- helpers


def _membership(request) -> Membership:
    membership = Membership.objects.select_related("organisation").filter(user=request.user).first()
    if membership is None:
        raise Http404("支援機関の職員のみ利用できます。")
    return membership


def _case(request, pk: int) -> Case:
    return get_object_or_404(Case.objects.for_member(request.user).select_related("organisation"), pk=pk)


def _entry(request, pk: int, entry_pk: int):
    case = _case(request, pk)
    return case, get_object_or_404(case.shortlist.select_related("supporter__user"), pk=entry_pk)


def _case_breadcrumbs(case: Case, *current: str) -> list:
    items = [
        ("紹介案件", reverse("referrals:case-list")),
        (case.company_name, case.get_absolute_url() if current else None),
    ]
    return items + [(label, None) for label in current]


# ---------------------------------------------------------------- entry


@grant_access(Role.SIGNED_IN)
@require_safe
def home(request):
    """Send each kind of user to their own starting page."""
    if Membership.objects.filter(user=request.user).exists():
        return redirect("referrals:case-list")
    if request.user.supporter_entries.exists():
        return redirect("referrals:inbox")
    if request.user.is_staff:
        return redirect("referrals:flow")
    # Everyone else (a company's user, say) learns what referrals are and how to get one:
    # the menu offers this page to every account, so it must lead somewhere.
    return render(request, "referrals/about.html", {"breadcrumbs": [("支援機関からの紹介", None)]})


# ---------------------------------------------------------------- cases


@members
@require_safe
def case_list(request):
    membership = _membership(request)
    cases = (
        Case.objects.filter(organisation=membership.organisation)
        .with_counts()
        .prefetch_related(
            Prefetch("referrals", queryset=Referral.objects.select_related("supporter").order_by("referred_at", "pk"))
        )
        .order_by("-created_at", "-pk")
    )
    status = request.GET.get("status", "")
    if status in Case.Status.values:
        cases = cases.filter(status=status)
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/case_list.html",
        {
            "organisation": membership.organisation,
            "page": page,
            "cases": page.object_list,
            "statuses": Case.Status.choices,
            "current_status": status,
            "breadcrumbs": [("紹介案件", None)],
        },
    )


@members
def case_create(request):
    membership = _membership(request)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.organisation = membership.organisation
        form.instance.created_by = request.user
        case = form.save()
        messages.success(request, "相談案件を登録しました。続けて候補の専門家を探せます。")
        return redirect(case)
    return render(
        request,
        "referrals/case_form.html",
        {"form": form, "breadcrumbs": [("紹介案件", reverse("referrals:case-list")), ("新しい相談案件", None)]},
        status=400 if form.errors else 200,
    )


@members
@require_safe
def case_detail(request, pk):
    case = _case(request, pk)
    entries = list(case.shortlist.select_related("supporter__user"))
    referrals = {r.supporter_id: r for r in case.referrals.select_related("supporter")}
    for entry in entries:
        entry.referral = referrals.get(entry.supporter_id)
        entry.delivery = delivery(entry.supporter)
    return render(
        request,
        "referrals/case_detail.html",
        {
            "case": case,
            "entries": entries,
            "referrals": sorted(referrals.values(), key=lambda r: r.referred_at),
            "breadcrumbs": _case_breadcrumbs(case),
        },
    )


@members
def case_edit(request, pk):
    case = _case(request, pk)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "相談案件を更新しました。")
        return redirect(case)
    return render(
        request,
        "referrals/case_form.html",
        {"form": form, "case": case, "breadcrumbs": _case_breadcrumbs(case, "編集")},
        status=400 if form.errors else 200,
    )


@members
@require_POST
def case_status(request, pk):
    case = _case(request, pk)
    try:
        if request.POST.get("action") == "reopen":
            case.reopen()
            messages.success(request, "案件を再開しました。")
        else:
            case.close()
            messages.success(request, "案件を終了しました。")
    except TransitionRefused as error:
        messages.error(request, str(error))
    return redirect(case)


# ---------------------------------------------------------------- shortlist


def _directory(request, case: Case) -> SupporterFilter:
    """The public list's filters: the visitor's if given, else the case's needs."""
    if "filtered" in request.GET:
        data = request.GET
    else:
        data = QueryDict(mutable=True)
        for name, values in case.directory_filters().items():
            data.setlist(name, values)
    return SupporterFilter(data, queryset=Supporter.objects.published())


@members
@require_safe
def shortlist(request, pk):
    case = _case(request, pk)
    filterset = _directory(request, case)
    entries = list(case.shortlist.select_related("supporter"))
    context = {
        "case": case,
        "filterset": filterset,
        "entries": entries,
        "shortlisted": {e.supporter_id for e in entries},
        "query": request.GET.urlencode(),
        "breadcrumbs": _case_breadcrumbs(case, "候補を探す"),
    }
    if not filterset.is_valid():
        return render(request, "referrals/shortlist.html", context, status=400)
    page = Paginator(filterset.qs.select_related("user"), settings.SUPPORTERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    supporters = list(page.object_list)
    records = Referral.objects.track_record(case.organisation, [s.pk for s in supporters])
    for supporter in supporters:
        supporter.track_record = records.get(supporter.pk)
        supporter.delivery = delivery(supporter)
    context.update(page=page, supporters=supporters)
    return render(request, "referrals/shortlist.html", context)


@members
@require_POST
def shortlist_add(request, pk):
    case = _case(request, pk)
    raw = request.POST.get("supporter", "")
    supporter = Supporter.objects.published().filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
    if supporter is None:
        messages.error(request, "追加できる専門家が見つかりませんでした。掲載が終了した可能性があります。")
    else:
        entry = case.add_candidate(supporter)
        messages.success(request, f"{supporter.name}さんを第{entry.position}希望として候補に追加しました。")
    query = QueryDict(request.POST.get("query", "")[:2000]).urlencode()
    return redirect(reverse("referrals:shortlist", args=[case.pk]) + (f"?{query}" if query else ""))


@members
@require_POST
def entry_move(request, pk, entry_pk):
    case, entry = _entry(request, pk, entry_pk)
    case.move_candidate(entry, up=request.POST.get("direction") == "up")
    return redirect(reverse("referrals:case-detail", args=[case.pk]) + "#shortlist-heading")


@members
@require_POST
def entry_remove(request, pk, entry_pk):
    case, entry = _entry(request, pk, entry_pk)
    case.remove_candidate(entry)
    messages.success(request, f"{entry.supporter.name}さんを候補から外しました。")
    return redirect(reverse("referrals:case-detail", args=[case.pk]) + "#shortlist-heading")


@members
def entry_reason(request, pk, entry_pk):
    case, entry = _entry(request, pk, entry_pk)
    form = ReasonForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{entry.supporter.name}さんの選定理由を保存しました。")
        return redirect(reverse("referrals:case-detail", args=[case.pk]) + "#shortlist-heading")
    return render(
        request,
        "referrals/entry_reason.html",
        {"case": case, "entry": entry, "form": form, "breadcrumbs": _case_breadcrumbs(case, "選定理由")},
        status=400 if form.errors else 200,
    )


@members
@require_http_methods(["GET", "HEAD", "POST"])
@limit_mailing("refer")
def entry_refer(request, pk, entry_pk):
    """Sending a referral: a page that says what the expert will receive and how, then the send."""
    case, entry = _entry(request, pk, entry_pk)
    reach = delivery(entry.supporter)
    already = case.referrals.filter(supporter=entry.supporter).first()
    if request.method == "POST":
        try:
            services.refer(
                entry=entry, actor=request.user, inbox_url=request.build_absolute_uri(reverse("referrals:inbox"))
            )
        except TransitionRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"{entry.supporter.name}さんに紹介を送りました。専門家が受諾すると、企業名と連絡先が専門家に表示されます。",
            )
        return redirect(case)
    return render(
        request,
        "referrals/refer_confirm.html",
        {
            "case": case,
            "entry": entry,
            "delivery": reach,
            "already": already,
            "breadcrumbs": _case_breadcrumbs(case, f"{entry.supporter.name}さんへの紹介の確認"),
        },
    )


@members
@require_safe
def sheet(request, pk):
    case = _case(request, pk)
    entries = list(case.shortlist.select_related("supporter"))
    published = [e for e in entries if e.supporter.status == Supporter.Status.PUBLISHED]
    return render(
        request,
        "referrals/sheet.html",
        {
            "case": case,
            "organisation": case.organisation,
            "entries": published,
            "left_out": len(entries) - len(published),
            "breadcrumbs": _case_breadcrumbs(case, "紹介票"),
        },
    )


# ---------------------------------------------------------------- referrals


def _referral_page(request, referral: Referral, role: str, *, back: str, breadcrumbs: list):
    form = MoveForm(request.POST or None, referral=referral, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.record_move(
                referral=referral,
                to=form.cleaned_data["to"],
                actor=request.user,
                role=role,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
                case_url=request.build_absolute_uri(referral.case.get_absolute_url()),
            )
        except TransitionRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"「{event.get_to_status_display()}」を記録しました。")
            return redirect(back)
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            "case": referral.case,
            "role": role,
            "form": form,
            "events": referral.events.select_related("actor"),
            "show_company": role == ORGANISATION or referral.company_visible,
            "breadcrumbs": breadcrumbs,
        },
        status=400 if form.errors else 200,
    )


@members
@limit_mailing("referral-move", per_account="60/h")
def case_referral(request, pk, referral_pk):
    case = _case(request, pk)
    referral = get_object_or_404(case.referrals.select_related("supporter", "case__organisation"), pk=referral_pk)
    return _referral_page(
        request,
        referral,
        ORGANISATION,
        back=reverse("referrals:case-referral", args=[case.pk, referral.pk]),
        breadcrumbs=_case_breadcrumbs(case, f"{referral.supporter.name}さんへの紹介"),
    )


@addressed_expert
@require_safe
def inbox(request):
    referrals = Referral.objects.for_expert(request.user)
    return render(
        request,
        "referrals/inbox.html",
        {
            "referrals": referrals.select_related("case__organisation", "supporter"),
            "counts": referrals.status_counts(),
            "breadcrumbs": [("紹介された相談", None)],
        },
    )


@addressed_expert
@limit_mailing("referral-move", per_account="60/h")
def inbox_detail(request, referral_pk):
    referral = get_object_or_404(
        Referral.objects.for_expert(request.user).select_related("case__organisation", "supporter"), pk=referral_pk
    )
    return _referral_page(
        request,
        referral,
        EXPERT,
        back=reverse("referrals:inbox-detail", args=[referral.pk]),
        breadcrumbs=[
            ("紹介された相談", reverse("referrals:inbox")),
            (referral.case.organisation.name + "からの紹介", None),
        ],
    )


@grant_access(Role.PUBLIC, personal=True)
@require_http_methods(["GET", "HEAD", "POST"])
@limit_mailing("referral-answer", per_account="30/h", per_client="60/h")
def answer(request, token):
    """The link mailed to an expert without an account: accept or decline, once.

    Opening it changes nothing (mail scanners open links too): the answer is a
    POST from the page. The company's details appear here once accepted, as on
    an account holder's 「紹介された相談」 page; a second answer is refused
    (the same one again is no error: a double submit)."""
    referral = services.referral_from_token(token)
    crumbs = [("支援機関からの紹介", None)]
    if referral is None:
        return render(request, "referrals/answer.html", {"invalid": True, "breadcrumbs": crumbs}, status=404)
    case = referral.case
    context = {"referral": referral, "case": case, "breadcrumbs": crumbs}
    if referral.supporter.user_id:
        # Claimed since the mail went out: the account's inbox is the one place to answer now.
        return render(
            request,
            "referrals/answer.html",
            {**context, "claimed": True},
            status=409 if request.method == "POST" else 200,
        )
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["answer"]
        with transaction.atomic():
            locked = Referral.objects.select_for_update().select_related("case__organisation").get(pk=referral.pk)
            label = locked.get_status_display()
            if locked.status == to:
                messages.info(request, f"この紹介には、すでに「{label}」と回答しています。")
                return redirect(request.path)
            try:
                services.record_move(
                    referral=locked,
                    to=to,
                    actor=None,
                    role=EXPERT,
                    reason=form.cleaned_data["reason"],
                    case_url=request.build_absolute_uri(case.get_absolute_url()),
                )
            except TransitionRefused:
                form.add_error(
                    None,
                    f"この紹介は、すでに「{label}」になっているため回答できません。"
                    f"回答を変えたい場合は、紹介元の{case.organisation.name}にご連絡ください(連絡先は下にあります)。",
                )
                status = 409
            else:
                done = (
                    "紹介を受諾しました。企業名と連絡先をこのページに表示しています。"
                    if to == ReferralStatus.ACCEPTED
                    else "紹介を辞退しました。紹介元の支援機関にお知らせしました。"
                )
                messages.success(request, done)
                return redirect(request.path)
    elif form.errors:
        status = 400
    referral = Referral.objects.select_related("case__organisation", "supporter").get(pk=referral.pk)
    return render(
        request,
        "referrals/answer.html",
        {
            **context,
            "referral": referral,
            "form": form,
            "can_answer": referral.status == ReferralStatus.REFERRED,
            "show_company": referral.company_visible,
        },
        status=status,
    )


# ---------------------------------------------------------------- case flow (staff)


@staff
@require_safe
def flow_page(request):
    return render(
        request,
        "referrals/flow.html",
        {
            "sections": flow.case_flow(),
            "experts": flow.per_expert(),
            "statuses": ReferralStatus.choices,
            "breadcrumbs": [("案件発生状況", None)],
        },
    )


@staff
@require_safe
def flow_csv(request):

    def rows():
        for section in flow.case_flow():
            for bar in section.bars:
                yield [section.label_heading, bar.label, bar.count]
        for expert in flow.per_expert():
            for (_, label), count in zip(ReferralStatus.choices, expert["cells"], strict=True):
                yield ["専門家別", f"{expert['registration_no']} {expert['name']}({label})", count]

    return csv_response("case-flow.csv", ["区分", "項目", "件数"], rows())
