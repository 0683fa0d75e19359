"""IPA staff's tools: the review queue, decisions, history, bulk import/export.

Decisions go through ``services`` so each is recorded and mailed; status is
never edited by hand.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from config import forms as site_forms
from config.ratelimit import ACCOUNT, over_limit
from config.spreadsheets import SpreadsheetField, xlsx_table_response
from config.transitions import TransitionRefused

from . import services
from .forms import DecisionForm, EndListingForm, SupporterAdminForm
from .importing import parse_table
from .models import (
    ENTRY_FIELDS,
    ChangeRequest,
    ClaimLink,
    ContactMessage,
    Decision,
    ReminderLog,
    Supporter,
    display_value,
)
from .tabular import STAFF_HEADERS, supporter_to_row


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records staff read but never write by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ImportForm(site_forms.Form):
    file = SpreadsheetField(label="取り込むファイル(.xlsx または .csv)")
    dry_run = forms.BooleanField(label="検証のみ(保存しない)", required=False)


def _entry_rows(supporter: Supporter) -> list[tuple[str, str, str]]:
    """A new application shown like a change: every field against nothing."""
    return [
        (str(Supporter._meta.get_field(name).verbose_name), "", display_value(supporter, name)) for name in ENTRY_FIELDS
    ]


class AccountFilter(admin.SimpleListFilter):
    """「アカウント未連携」: entries no account keeps (imported, not yet claimed: docs/decisions/0710)."""

    title = "アカウント連携"
    parameter_name = "account"

    def lookups(self, request, model_admin):
        return [("unclaimed", "アカウント未連携"), ("claimed", "アカウント連携済み")]

    def queryset(self, request, queryset):
        if self.value() == "unclaimed":
            return queryset.filter(user__isnull=True)
        if self.value() == "claimed":
            return queryset.filter(user__isnull=False)
        return queryset


# Staff may mail this many claim invitations an hour (each selection at most CLAIM_BATCH entries).
CLAIM_INVITATIONS_PER_HOUR = 10
CLAIM_BATCH = 1000


@admin.register(Supporter)
class SupporterAdmin(SimpleHistoryAdmin):
    list_display = ["registration_no", "name", "status", "area", "updated_on", "valid_until", "user"]
    list_filter = ["status", AccountFilter]
    search_fields = ["registration_no", "name"]
    readonly_fields = ["status", "user", "created_at", "modified_at"]
    form = SupporterAdminForm
    list_select_related = ["user"]
    actions = ["export_xlsx", "send_claim_links"]
    change_list_template = "admin/supporters/supporter/change_list.html"
    change_form_template = "admin/supporters/supporter/change_form.html"

    def has_delete_permission(self, request, obj=None):
        # Entries end (掲載終了); they are never deleted, so history stays whole.
        return False

    @admin.display(description="支援できる地域")
    def area(self, obj):
        return obj.support_area

    def changelist_view(self, request, extra_context=None):
        unclaimed = Supporter.objects.live().filter(user__isnull=True).count()
        return super().changelist_view(request, {"unclaimed_count": unclaimed, **(extra_context or {})})

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("review-queue/", wrap(self.queue_view), name="supporters_review_queue"),
            path("import/", wrap(self.import_view), name="supporters_supporter_import"),
            path("<int:pk>/review/", wrap(self.review_view), name="supporters_supporter_review"),
            path("<int:pk>/end/", wrap(self.end_view), name="supporters_supporter_end"),
            *super().get_urls(),
        ]

    def _require(self, request, *perms):
        if not request.user.has_perms([f"supporters.{p}" for p in perms]):
            raise PermissionDenied

    def _context(self, request, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def queue_view(self, request):
        """Applications and change requests awaiting review, oldest first."""
        self._require(request, "view_supporter", "view_changerequest")
        items = [
            {
                "kind": "新規申請",
                "submitted": s.modified_at,
                "supporter": s,
                "url": reverse("admin:supporters_supporter_review", args=[s.pk]),
            }
            for s in Supporter.objects.filter(status=Supporter.Status.PENDING).select_related("user")
        ] + [
            {
                "kind": "変更申請",
                "submitted": c.submitted_at,
                "supporter": c.supporter,
                "url": reverse("admin:supporters_changerequest_review", args=[c.pk]),
            }
            for c in ChangeRequest.objects.pending().select_related("supporter")
        ]
        items.sort(key=lambda item: item["submitted"])
        return TemplateResponse(
            request, "admin/supporters/review_queue.html", self._context(request, "審査待ち一覧", items=items)
        )

    def review_view(self, request, pk):
        self._require(request, "change_supporter")
        supporter = get_object_or_404(Supporter, pk=pk)
        return _review(self, request, supporter, supporter, _entry_rows(supporter), "新規申請の審査")

    def end_view(self, request, pk):
        self._require(request, "change_supporter")
        supporter = get_object_or_404(Supporter, pk=pk)
        form = EndListingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.end_listing(supporter=supporter, by=request.user, reason=form.cleaned_data["reason"])
            except TransitionRefused as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"{supporter} の掲載を終了し、本人に通知しました。")
            return redirect("admin:supporters_supporter_change", supporter.pk)
        return TemplateResponse(
            request,
            "admin/supporters/end.html",
            self._context(request, f"掲載の終了: {supporter}", form=form, original=supporter),
        )

    def import_view(self, request):
        """The issue-A file format, validated exactly as import_supporters does."""
        self._require(request, "add_supporter", "change_supporter")
        form = ImportForm(request.POST or None, request.FILES or None)
        errors, summary = [], None
        if request.method == "POST" and form.is_valid():
            result = parse_table(form.cleaned_data["file"])
            errors = [str(e) for e in result.errors]
            if not errors:
                summary = services.import_supporters(rows=result.rows, dry_run=form.cleaned_data["dry_run"])
                prefix = "[検証のみ] " if form.cleaned_data["dry_run"] else ""
                self.message_user(request, f"{prefix}{len(result.rows)}件を確認しました({summary})。")
                if not form.cleaned_data["dry_run"]:
                    return redirect("admin:supporters_supporter_changelist")
        return TemplateResponse(
            request,
            "admin/supporters/import.html",
            self._context(
                request,
                "支援者リストの取り込み",
                form=form,
                errors=errors[:200],
                more_errors=max(0, len(errors) - 200),
                summary=summary,
            ),
        )

    @admin.action(description="選択した支援者をxlsxで書き出す(非公開項目を含む・職員用)", permissions=["view"])
    def export_xlsx(self, request, queryset):
        rows = (
            supporter_to_row(supporter, staff=True)
            for supporter in queryset.order_by("registration_no").iterator(chunk_size=2000)
        )
        stamp = timezone.localdate().strftime("%Y%m%d")
        return xlsx_table_response(f"supporters-{stamp}.xlsx", "支援者リスト", STAFF_HEADERS, rows)

    @admin.action(description="選択した登録の本人に、アカウント連携の案内メールを送る", permissions=["change"])
    def send_claim_links(self, request, queryset):
        """A confirmation page (who will be mailed, who will not and why), then the mail, queued."""
        selected = list(queryset.select_related("user").order_by("registration_no")[: CLAIM_BATCH + 1])
        if len(selected) > CLAIM_BATCH:
            self.message_user(
                request,
                f"一度に案内できるのは{CLAIM_BATCH}件までです。「アカウント未連携」で絞り込み、分けて送ってください。",
                messages.ERROR,
            )
            return None
        plan = services.plan_claim_invitations(selected)
        if request.POST.get("confirmed") == "yes":
            if not plan.to_mail:
                self.message_user(request, "案内メールを送る相手はいません。何も送信していません。", messages.WARNING)
                return None
            if over_limit(request, "claim-invitations", rate=f"{CLAIM_INVITATIONS_PER_HOUR}/h", key=ACCOUNT):
                self.message_user(
                    request,
                    f"案内メールの一括送信は1時間に{CLAIM_INVITATIONS_PER_HOUR}回までです。時間をおいてから送ってください(まだ送信していません)。",
                    messages.ERROR,
                )
                return None
            count = services.send_claim_invitations(supporters=selected, by=request.user)
            self.message_user(
                request,
                f"{count}件の登録の本人に、アカウント連携の案内メールを送信待ちにしました。数分以内に順に送信されます"
                "(送信の状況は「送信メール」で確かめられます)。",
            )
            return None
        return TemplateResponse(
            request,
            "admin/supporters/claim_links.html",
            self._context(
                request,
                "アカウント連携の案内メールの確認",
                plan=plan,
                selected=selected,
                resend_days=ClaimLink.STAFF_RESEND_DAYS,
                valid_days=ClaimLink.VALID_DAYS[ClaimLink.Origin.STAFF],
                action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
            ),
        )


# What staff are told after each decision (the expert is mailed in every case).
DONE_APPLICATION = {
    "approve": "申請を承認し、リストに掲載しました。本人にメールで知らせました。",
    "return": "申請を差し戻しました。理由を本人にメールで知らせました。",
    "reject": "申請を却下しました。理由を本人にメールで知らせました。",
}
DONE_CHANGE = {
    "approve": "変更申請を承認し、掲載内容に反映しました。本人にメールで知らせました。",
    "return": "変更申請を差し戻しました。理由を本人にメールで知らせました。",
    "reject": "変更申請を却下しました。掲載内容はそのままです。理由を本人にメールで知らせました。",
}


def _review(model_admin, request, item, supporter, rows, title):
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review(
                item=item, action=form.cleaned_data["action"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except TransitionRefused as exc:
            model_admin.message_user(request, str(exc), messages.ERROR)
        else:
            done = DONE_CHANGE if isinstance(item, ChangeRequest) else DONE_APPLICATION
            model_admin.message_user(request, f"{supporter}: {done[form.cleaned_data['action']]}")
            return redirect("admin:supporters_review_queue")
    return TemplateResponse(
        request,
        "admin/supporters/review.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": f"{title}: {supporter}",
            "item": item,
            "supporter": supporter,
            "rows": rows,
            "form": form,
            "decisions": supporter.decisions.select_related("actor")[:20],
        },
    )


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["supporter", "status", "submitted_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["supporter__registration_no", "supporter__name"]
    list_select_related = ["supporter"]
    ordering = ["submitted_at"]
    exclude = ["data"]
    readonly_fields = ["supporter", "status", "created_by", "submitted_at", "decided_at"]
    change_form_template = "admin/supporters/changerequest/change_form.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/review/", wrap(self.review_view), name="supporters_changerequest_review"),
            *super().get_urls(),
        ]

    def review_view(self, request, pk):
        if not request.user.has_perms(["supporters.change_changerequest", "supporters.change_supporter"]):
            raise PermissionDenied
        change = get_object_or_404(ChangeRequest.objects.select_related("supporter"), pk=pk)
        return _review(self, request, change, change.supporter, change.diff(), "変更申請の審査")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "supporter", "action", "actor", "reason"]
    list_filter = ["action"]
    search_fields = ["supporter__registration_no", "supporter__name"]
    list_select_related = ["supporter", "actor"]


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "supporter", "kind", "key"]
    list_filter = ["kind"]
    list_select_related = ["supporter"]


@admin.register(ContactMessage)
class ContactMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "supporter", "name", "email", "organization", "ip_address"]
    search_fields = ["email", "name", "ip_address", "supporter__registration_no"]
    list_select_related = ["supporter"]


@admin.register(ClaimLink)
class ClaimLinkAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "supporter", "origin", "email", "expires_at", "used_at", "used_by"]
    list_filter = ["origin"]
    search_fields = ["supporter__registration_no", "supporter__name", "email"]
    list_select_related = ["supporter", "used_by"]
