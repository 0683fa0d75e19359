"""The expert's own pages: apply, see the entry, change it, end it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from config.access import Role, grant_access
from config.ratelimit import TOO_MANY, limit, limit_mailing, over_limit
from config.transitions import TransitionRefused

from . import services
from .access import entry_expert
from .forms import ClaimRequestForm, EndListingForm, SupporterForm
from .models import LIVE_STATUSES, Decision, Supporter, display_value, entry_values

MINE = "supporters:mine"

own_entry = grant_access(
    Role.ENTRY_EXPERT,
    scope=entry_expert,
    refusal="このページは支援者リストに登録した専門家の方が使います。掲載を希望する方は、マイページから登録を申請してください。",
)

# (field shown, key in Supporter.hidden_fields) for "what is published".
PUBLICATION_ROWS = [
    ("name", "name"),
    ("name_kana", "name_kana"),
    ("email", "email"),
    ("residence_prefecture", "residence"),
    ("residence_city", "residence"),
    ("organization", "organization"),
    ("qualifications", "qualifications"),
    ("groups", "groups"),
    ("self_pr", "self_pr"),
    ("url", "url"),
]


def _own_entry(user) -> Supporter | None:
    """The expert's live entry, else the most recent one."""
    entries = list(user.supporter_entries.order_by("-created_at", "-pk")[:20])
    live = [e for e in entries if e.status in LIVE_STATUSES]
    return (live or entries or [None])[0]


def _breadcrumbs(*items):
    return [("トップ", reverse("supporters:home")), ("マイページ", reverse(MINE)), *items]


DRAFT_SAVED = "入力した内容を一時保存しました。続きはいつでも、マイページの「申請の続きを入力する」から入力できます。まだ申請はしていません。"


def _save_draft(request, form):
    """「一時保存」: keep what is valid so far; only the 登録番号 must already be right
    (it holds the number for this person). Returns a response, or None with the form's errors."""
    form.is_valid()
    for name in [name for name in form.errors if name != "registration_no"]:
        del form.errors[name]
    if form.errors:
        return None
    try:
        # The form has already copied every valid value onto its instance.
        services.save_draft(supporter=form.instance, by=request.user)
    except IntegrityError:
        form.add_error(
            "registration_no", "この登録番号はすでに登録されています。ご自身の登録であればIPAへお問い合わせください。"
        )
        return None
    messages.success(request, DRAFT_SAVED)
    return redirect("supporters:apply" if form.instance.status == Supporter.Status.DRAFT else "supporters:edit")


@grant_access(Role.SIGNED_IN)
@limit_mailing("entry", per_account="20/h")
def apply(request):
    entry = _own_entry(request.user)
    if entry and entry.status in LIVE_STATUSES and entry.status != Supporter.Status.DRAFT:
        messages.info(request, "登録はすでにあります。内容の変更はマイページから行えます。")
        return redirect(MINE)
    draft = entry if entry and entry.status == Supporter.Status.DRAFT else None
    form = SupporterForm(request.POST or None, instance=draft, initial=None if draft else {"email": request.user.email})
    if request.method == "POST" and request.POST.get("action") == "draft":
        if response := _save_draft(request, form):
            return response
    elif request.method == "POST" and form.is_valid():
        try:
            services.submit_application(supporter=form.save(commit=False), by=request.user)
        except IntegrityError:
            form.add_error("registration_no", "この登録番号はすでに登録されています。")
        else:
            messages.success(
                request, "登録申請を受け付けました。IPAの確認後に掲載されます。結果はメールでお知らせします。"
            )
            return redirect(MINE)
    return render(
        request,
        "supporters/apply.html",
        {
            "form": form,
            "title": "専門家として登録を申請する",
            "submit_label": "この内容で申請する",
            "draft": draft,
            "can_save_draft": True,
            "breadcrumbs": _breadcrumbs(("登録の申請", None)),
        },
        status=400 if form.errors else 200,
    )


def _returned(entry: Supporter, change=None):
    """The decision that returned the application (or the open change request), if it is returned now."""
    if change is not None and change.status == change.Status.RETURNED:
        return entry.decisions.filter(action=Decision.Action.RETURNED, change_request=change).first()
    if entry.status == Supporter.Status.RETURNED:
        return entry.decisions.filter(action=Decision.Action.RETURNED, change_request=None).first()
    return None


@grant_access(Role.SIGNED_IN)
def mine(request):
    entry = _own_entry(request.user)
    context = {"supporter": entry, "breadcrumbs": [("トップ", reverse("supporters:home")), ("マイページ", None)]}
    if entry:
        change = entry.open_change
        context.update(
            returned=_returned(entry, change),
            change=change,
            diff=change.diff() if change else [],
            decisions=entry.decisions.select_related("actor", "change_request"),
            published=[
                (str(Supporter._meta.get_field(name).verbose_name), display_value(entry, name), entry.is_public(key))
                for name, key in PUBLICATION_ROWS
            ],
            can_edit=entry.status in (Supporter.Status.RETURNED, Supporter.Status.PUBLISHED, Supporter.Status.EXPIRED)
            and not (change and change.status == change.Status.PENDING),
            can_end=entry.status in LIVE_STATUSES,
        )
    return render(request, "supporters/mine.html", context)


@own_entry
@limit_mailing("entry", per_account="20/h")
def edit(request):
    """Fix a returned application, or propose a change to a listed entry."""
    entry = _own_entry(request.user)
    if entry is None or entry.status not in (
        Supporter.Status.RETURNED,
        Supporter.Status.PUBLISHED,
        Supporter.Status.EXPIRED,
    ):
        messages.error(request, "いまの掲載状況では内容を変更できません。")
        return redirect(MINE)
    is_change = entry.status != Supporter.Status.RETURNED
    change = entry.open_change if is_change else None
    if change and change.status == change.Status.PENDING:
        messages.error(request, "審査中の変更申請があります。取り下げるか、結果をお待ちください。")
        return redirect(MINE)
    # A change is typed onto an unsaved copy: the listed entry stays as it is.
    instance = change.proposed() if change else entry
    form = SupporterForm(request.POST or None, instance=instance, change=is_change)
    if request.method == "POST" and request.POST.get("action") == "draft" and not is_change:
        if response := _save_draft(request, form):
            return response
    elif request.method == "POST" and form.is_valid():
        if is_change:
            try:
                services.submit_change(supporter=entry, data=entry_values(form.instance), by=request.user)
            except TransitionRefused as exc:
                messages.error(request, str(exc))
                return redirect(MINE)
            messages.success(
                request, "変更申請を受け付けました。IPAの確認後に反映されます。それまでは現在の内容が掲載されます。"
            )
        else:
            services.submit_application(supporter=form.save(commit=False), by=request.user)
            messages.success(request, "修正した内容で再申請しました。")
        return redirect(MINE)
    title = "掲載内容の変更を申請する" if is_change else "差し戻された申請を修正する"
    return render(
        request,
        "supporters/apply.html",
        {
            "form": form,
            "title": title,
            "is_change": is_change,
            "supporter": entry,
            "returned": _returned(entry, change),
            "can_save_draft": not is_change,
            "submit_label": "変更を申請する" if is_change else "修正して再申請する",
            "breadcrumbs": _breadcrumbs((title, None)),
        },
        status=400 if form.errors else 200,
    )


def _act(request, action, success: str):
    entry = _own_entry(request.user)
    if entry is None:
        return redirect(MINE)
    try:
        action(entry)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect(MINE)


@own_entry
@require_POST
@limit_mailing("entry", per_account="20/h")
def confirm(request):
    return _act(
        request,
        lambda entry: services.confirm_unchanged(supporter=entry, by=request.user),
        "内容に変更がないことを確認しました。最終更新日を今日の日付にしました。",
    )


@own_entry
@require_POST
def withdraw_change(request):
    def withdraw(entry):
        change = entry.open_change
        if change is None:
            raise TransitionRefused("取り下げる変更申請はありません。")
        services.withdraw_change(change=change, by=request.user)

    return _act(request, withdraw, "変更申請を取り下げました。")


@own_entry
@limit_mailing("entry", per_account="20/h")
def end(request):
    entry = _own_entry(request.user)
    if entry is None or entry.status not in LIVE_STATUSES:
        messages.error(request, "終了できる掲載はありません。")
        return redirect(MINE)
    form = EndListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _act(
            request,
            lambda e: services.end_listing(supporter=e, by=request.user, reason=form.cleaned_data["reason"]),
            "掲載を終了しました。一覧・個票には表示されません。",
        )
    return render(
        request,
        "supporters/end.html",
        {"form": form, "supporter": entry, "breadcrumbs": _breadcrumbs(("掲載の終了", None))},
    )


# Claiming an imported entry (docs/decisions/0710) ---------------------------


@grant_access(Role.SIGNED_IN)
@require_http_methods(["GET", "HEAD", "POST"])
@limit_mailing("claim", per_account="5/h", per_client="20/h")
def claim_request(request):
    """「掲載中の登録をアカウントに連携する」: a link is mailed to the address the entry holds.

    The page after sending says the same whether or not the address matched an
    entry, so nobody learns from it which addresses the list holds."""
    entry = _own_entry(request.user)
    if entry and entry.status in LIVE_STATUSES:
        messages.info(
            request,
            f"このアカウントにはすでに登録(登録番号 {entry.registration_no})があります。内容はマイページで確かめられます。",
        )
        return redirect(MINE)
    form = ClaimRequestForm(request.POST or None)
    status = 400 if form.errors else 200
    if request.method == "POST" and form.is_valid():
        if not over_limit(request, "claim", rate="3/h", value=form.cleaned_data["email"]):
            services.request_claim(address=form.cleaned_data["email"], by=request.user)
            return render(
                request,
                "supporters/claim_sent.html",
                {"email": form.cleaned_data["email"], "breadcrumbs": _breadcrumbs(("登録の連携", None))},
            )
        form.add_error(None, TOO_MANY)
        status = 429
    return render(
        request,
        "supporters/claim_request.html",
        {"form": form, "breadcrumbs": _breadcrumbs(("登録の連携", None))},
        status=status,
    )


@grant_access(Role.PUBLIC, personal=True)
@require_http_methods(["GET", "HEAD", "POST"])
@limit("claim-link", rate="10/m")
def claim(request, token):
    """The mailed link: whoever is signed in presses the button and the entry becomes theirs.

    Opening the link changes nothing (mail scanners open links too). Someone
    not signed in is offered to log in or sign up, and comes back here."""
    link = services.claim_link_from_token(token)
    crumbs = [("トップ", reverse("supporters:home")), ("登録の連携", None)]
    if link is None:
        return render(
            request,
            "supporters/claim.html",
            {
                "refused": "リンクが正しくありません。メールに書かれたリンクを、途中で切れないようにそのまま開いてください。",
                "breadcrumbs": crumbs,
            },
            status=404,
        )
    user = request.user if request.user.is_authenticated else None
    if request.method == "POST" and user is None:
        return redirect_to_login(request.get_full_path())
    context = {"link": link, "supporter": link.supporter, "breadcrumbs": crumbs}
    if request.method == "POST":
        try:
            services.claim_entry(link=link, user=user)
        except TransitionRefused as exc:
            return render(request, "supporters/claim.html", {**context, "refused": str(exc)}, status=409)
        messages.success(
            request,
            f"登録番号 {link.supporter.registration_no} の登録を、このアカウントに連携しました。"
            "これからはマイページで掲載内容の変更・更新ができます。",
        )
        return redirect(MINE)
    refused = link.refusal(user)
    if user is None and not refused:
        here = urlencode({"next": request.get_full_path()})
        context.update(login_url=f"{reverse('login')}?{here}", signup_url=f"{reverse('signup')}?{here}")
    return render(request, "supporters/claim.html", {**context, "refused": refused}, status=410 if refused else 200)
