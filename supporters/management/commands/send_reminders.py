import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from supporters import services
from supporters.models import ContactMessage, ReminderLog, Supporter, stale_cutoff

# (kind, days before 登録有効期限 from which it is due)
EXPIRY_REMINDERS = [(ReminderLog.Kind.EXPIRY_30, 30), (ReminderLog.Kind.EXPIRY_60, 60)]


class Command(BaseCommand):
    help = (
        "毎日実行: 登録有効期限の60日前・30日前と、最終更新から1年以上の専門家にお知らせを送り、"
        "有効期限を過ぎた掲載を「期限切れ」にし、90日を過ぎたお問い合わせの記録を削除します。"
        "何度実行しても同じお知らせは二度送りません。"
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        published = Supporter.objects.published().select_related("user")

        expired = 0
        for supporter in published.filter(valid_until__lt=today):
            services.expire_listing(supporter=supporter)
            expired += 1

        sent = 0
        upcoming = published.filter(valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=60))
        for supporter in upcoming:
            days_left = (supporter.valid_until - today).days
            # Only the nearest due reminder: a missed 60-day one is not sent late
            # once the 30-day one is due.
            kind = next(kind for kind, days in EXPIRY_REMINDERS if days_left <= days)
            sent += services.send_reminder(supporter=supporter, kind=kind, about=supporter.valid_until)

        for supporter in published.filter(updated_on__lt=stale_cutoff(today)):
            sent += services.send_reminder(supporter=supporter, kind=ReminderLog.Kind.STALE, about=supporter.updated_on)

        purged, _ = ContactMessage.objects.older_than(ContactMessage.RETENTION_DAYS).delete()
        self.stdout.write(f"お知らせ {sent}件を送信、期限切れ {expired}件、お問い合わせ記録 {purged}件を削除しました。")
