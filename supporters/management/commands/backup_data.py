from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by migrate on the target database; dumping them would clash. The
# list's rendered markup is rebuilt by restore_data (supporters/markup.py).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "supporters.entrymarkup"]


class Command(BaseCommand):
    help = "全データをJSONに書き出します(restore_data で空のデータベースに戻せます)。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="書き出し先(.json)")

    def handle(self, *args, file, **options):
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDED,
            output=file,
            indent=None,
            stdout=self.stdout,
        )
        self.stdout.write(self.style.SUCCESS(f"{file} に書き出しました。"))
