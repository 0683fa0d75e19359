"""The outbox in the admin: staff see what is queued, sent and failed, and may send a failed message again."""

from django.contrib import admin, messages

from .models import OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "recipients", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    # The body is never shown: it may carry someone's sign-up or invitation link.
    fields = [
        "subject",
        "recipients",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    @admin.display(description="宛先")
    def recipients(self, obj):
        return ", ".join(obj.to)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a record of what was sent; "send again" is the only change

    @admin.action(description="選択した送信失敗メールを再送する", permissions=["resend"])
    def send_again(self, request, queryset):
        failed = list(queryset.filter(status=OutgoingMail.Status.FAILED))
        for mail in failed:
            mail.requeue()
        skipped = queryset.count() - len(failed)
        self.message_user(request, f"{len(failed)}件を送信待ちに戻しました。送信は数分以内に行われます。")
        if skipped:
            self.message_user(request, f"送信失敗でない{skipped}件はそのままです。", messages.WARNING)

    def has_resend_permission(self, request):
        return request.user.has_perm("config.change_outgoingmail")
