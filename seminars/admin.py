from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from config.spreadsheets import csv_response
from config.transitions import TransitionRefused

from . import services
from .models import (
    Answer,
    AnswerCategory,
    Application,
    Event,
    FaqEntry,
    Material,
    ProgrammeItem,
    Question,
    Reminder,
    Speaker,
    Survey,
)
from .surveys import add_default_questions


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _transition_action(method: str, description: str):
    """An admin action calling the model's transition, refusing illegal moves."""

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        done, refused = 0, []
        for obj in queryset:
            try:
                getattr(obj, method)()
            except TransitionRefused as exc:
                refused.append(f"{obj}: {exc}")
                continue
            obj.save()
            done += 1
        if done:
            modeladmin.message_user(request, f"{done}件を変更しました。")
        for message in refused:
            modeladmin.message_user(request, message, messages.WARNING)

    action.__name__ = f"action_{method}"
    return action


class ProgrammeInline(admin.TabularInline):
    model = ProgrammeItem
    extra = 0


class SpeakerInline(admin.StackedInline):
    model = Speaker
    extra = 0


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0


class FaqInline(admin.StackedInline):
    model = FaqEntry
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "status", "capacity", "confirmed", "waiting", "attended", "links"]
    list_filter = ["kind", "status", "eligibility"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "starts_at"
    readonly_fields = ["status"]
    inlines = [ProgrammeInline, SpeakerInline, MaterialInline, FaqInline]
    actions = [
        _transition_action("publish", "公開して受付を始める"),
        _transition_action("close_applications", "申込の受付を終了する"),
        _transition_action("reopen_applications", "申込の受付を再開する"),
        _transition_action("cancel", "中止にする"),
    ]
    fieldsets = [
        (None, {"fields": ["kind", "title", "slug", "status", "summary", "audience", "eligibility"]}),
        ("日時と会場", {"fields": ["starts_at", "ends_at", "venue_name", "venue_room", "venue_address", "online_url"]}),
        ("申込", {"fields": ["capacity", "applications_open_at", "applications_close_at"]}),
        ("アーカイブ", {"fields": ["archive_url"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description="確定", ordering="confirmed_count")
    def confirmed(self, obj):
        return obj.confirmed_count

    @admin.display(description="待ち", ordering="waiting_count")
    def waiting(self, obj):
        return obj.waiting_count

    @admin.display(description="出席", ordering="attended_count")
    def attended(self, obj):
        return obj.attended_count

    @admin.display(description="操作")
    def links(self, obj):
        return format_html(
            '<a href="{}">申込一覧</a> / <a href="{}">出席者CSV取込</a>',
            reverse("admin:seminars_application_changelist") + f"?event__id__exact={obj.pk}",
            reverse("seminars:attendance-import", args=[obj.slug]),
        )


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "event", "status", "attended", "created_at"]
    list_filter = ["event", "status", "attended"]
    search_fields = ["name", "name_kana", "email", "organization", "registration_no"]
    list_select_related = ["event"]
    readonly_fields = ["event", "status", "created_at", "promoted_at", "cancelled_at", "attended"]
    fields = [
        "event",
        "status",
        "name",
        "name_kana",
        "email",
        "organization",
        "registration_no",
        "question",
        "attended",
        "created_at",
        "promoted_at",
        "cancelled_at",
    ]
    actions = ["export_csv", "mark_attended", "unmark_attended", "cancel_and_promote", "make_faq_drafts"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False  # applications come through the public form

    @admin.action(description="選択した申込者の一覧をCSVで書き出す", permissions=["view"])
    def export_csv(self, request, queryset):
        header = [
            "イベント",
            "状態",
            "出席",
            "氏名",
            "氏名(カナ)",
            "メールアドレス",
            "所属",
            "登録番号",
            "申込時の質問",
            "申込日時",
        ]
        rows = (
            [
                a.event.title,
                a.get_status_display(),
                "出席" if a.attended else "",
                a.name,
                a.name_kana,
                a.email,
                a.organization,
                a.registration_no,
                a.question,
                timezone.localtime(a.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
            for a in queryset.select_related("event").order_by("event__starts_at", "created_at", "pk")
        )
        return csv_response(f"applications-{timezone.localdate():%Y%m%d}.csv", header, rows)

    @admin.action(description="出席にする", permissions=["change"])
    def mark_attended(self, request, queryset):
        done, refused = 0, 0
        for application in queryset:
            try:
                application.mark_attended()
            except TransitionRefused:
                refused += 1
                continue
            application.save(update_fields=["attended"])
            done += 1
        self.message_user(request, f"{done}件を出席にしました。")
        if refused:
            self.message_user(request, f"参加確定でない{refused}件は出席にできません。", messages.WARNING)

    @admin.action(description="出席を取り消す", permissions=["change"])
    def unmark_attended(self, request, queryset):
        count = queryset.update(attended=False)
        self.message_user(request, f"{count}件の出席を取り消しました。")

    @admin.action(description="申込を取り消す(キャンセル待ちを繰り上げてメール)", permissions=["change"])
    def cancel_and_promote(self, request, queryset):
        done = 0
        for application in queryset.exclude(status=Application.Status.CANCELLED):
            for promoted in services.cancel_application(application_id=application.pk):
                services.send_promotion_mail(promoted, base_url=_base_url(request))
            done += 1
        self.message_user(request, f"{done}件を取り消しました。")

    @admin.action(description="申込時の質問をFAQの下書きにする", permissions=["change"])
    def make_faq_drafts(self, request, queryset):
        entries = [
            FaqEntry(event=a.event, source=a, question=a.question.strip()) for a in queryset.exclude(question="")
        ]
        FaqEntry.objects.bulk_create(entries)
        self.message_user(request, f"{len(entries)}件のFAQ下書きを作りました。回答を書いて公開してください。")


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    list_display = ["question_short", "event", "is_published", "order"]
    list_filter = ["is_published", "event"]
    list_editable = ["order"]
    search_fields = ["question", "answer"]
    actions = ["publish"]

    @admin.display(description="質問")
    def question_short(self, obj):
        return str(obj)

    @admin.action(description="公開する(回答のあるものだけ)", permissions=["change"])
    def publish(self, request, queryset):
        count = queryset.exclude(answer="").update(is_published=True)
        self.message_user(request, f"{count}件を公開しました。")


class QuestionInline(admin.StackedInline):
    model = Question
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "mode", "is_open", "links"]
    list_select_related = ["event"]
    inlines = [QuestionInline]
    readonly_fields = ["anonymous_link"]

    @admin.display(description="結果・依頼メール")
    def links(self, obj):
        results = format_html('<a href="{}">集計結果</a>', reverse("seminars:survey-results", args=[obj.pk]))
        if obj.mode != Survey.Mode.PERSONAL or not obj.is_open:
            return results
        # A bulk send goes through its confirmation page, which says how many people it mails.
        send = reverse("seminars:survey-send", args=[obj.pk])
        return format_html('{} / <a href="{}">出席者に依頼メールを送る</a>', results, send)

    @admin.display(description="匿名回答用リンク")
    def anonymous_link(self, obj):
        if not obj.pk or obj.mode != Survey.Mode.ANONYMOUS:
            return "回答方法が「匿名リンク」のときに表示します。"
        return obj.anonymous_url()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not form.instance.questions.exists():
            added = add_default_questions(form.instance)
            self.message_user(
                request, f"{form.instance.event.get_kind_display()}の既定の質問({len(added)}問)を追加しました。"
            )


@admin.register(AnswerCategory)
class AnswerCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]


class SurveyListFilter(admin.RelatedFieldListFilter):
    """A survey is named with its event: load them together."""

    def field_choices(self, field, request, model_admin):
        return [(survey.pk, str(survey)) for survey in Survey.objects.select_related("event").order_by("-pk")]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    """Free-text answers, tagged with categories one by one or in bulk."""

    list_display = ["text", "question", "category_names"]
    list_filter = [("question__survey", SurveyListFilter), "categories"]
    search_fields = ["text"]
    fields = ["question", "text", "categories"]
    readonly_fields = ["question", "text"]
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    list_per_page = 100

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(question__kind=Question.Kind.TEXT)
            .select_related("question")
            .prefetch_related("categories")
        )

    def has_add_permission(self, request):
        return False

    @admin.display(description="カテゴリ")
    def category_names(self, obj):
        return "、".join(c.name for c in obj.categories.all())

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            return actions
        for category in AnswerCategory.objects.all():
            name = f"tag_{category.pk}"
            actions[name] = (self._tagger(category), name, f"「{category.name}」を付ける")
        return actions

    @staticmethod
    def _tagger(category):
        def tag(modeladmin, request, queryset):
            category.answers.add(*queryset)
            modeladmin.message_user(request, f"{queryset.count()}件に「{category.name}」を付けました。")

        return tag


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["email", "sent_at", "sent_by"]
    list_select_related = ["sent_by"]
    readonly_fields = ["email", "sent_at", "sent_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
