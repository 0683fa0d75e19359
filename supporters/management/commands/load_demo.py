from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from supporters.models import Supporter

# Each module has ``load(stdout)``; order matters (later ones use earlier data).
DEMO_MODULES = [
    "supporters.demo",
    "supporters.demo_registration",
    "seminars.demo",
    "assessments.demo",
    "supporters.referrals.demo",
]


class Command(BaseCommand):
    help = "デモデータ(支援者340件ほか)を読み込みます。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="支援者が1件もないときだけ読み込みます(make run 用)",
        )

    @transaction.atomic
    def handle(self, *args, if_empty, **options):
        if if_empty and Supporter.objects.exists():
            self.stdout.write("データがあるため、デモデータは読み込みませんでした。")
            return
        for name in DEMO_MODULES:
            import_module(name).load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("デモデータを読み込みました。"))
