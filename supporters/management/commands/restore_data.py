from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from supporters import markup
from supporters.cache import bump_version
from supporters.models import Supporter


class Command(BaseCommand):
    help = "backup_data の書き出しを、migrate 済みの空のデータベースに読み込みます(全件成功時のみ)。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup_data で書き出したファイル")

    @transaction.atomic
    def handle(self, *args, file, **options):
        if Supporter.objects.exists() or get_user_model().objects.exists():
            raise CommandError("データベースが空ではありません。空のデータベースに migrate してから実行してください。")
        call_command("loaddata", file, stdout=self.stdout)
        bump_version()
        # loaddata's saves are raw (supporters/markup.py renders none of them).
        markup.refresh_after_commit(list(Supporter.objects.published().values_list("pk", flat=True)))
        self.stdout.write(self.style.SUCCESS(f"{file} を読み込みました。"))
