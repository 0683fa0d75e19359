from django.core.management.base import BaseCommand

from supporters import markup
from supporters.models import Supporter


class Command(BaseCommand):
    help = (
        "一覧に載る専門家の表示を描画して保存します。描画済みでないもの・古くなったものだけを描画します"
        "(デプロイの後に実行。docs/deployment.md)。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="掲載中のすべての専門家を描画し直します(テンプレート以外の表示のコードを変えたデプロイの後)",
        )

    def handle(self, *args, all, **options):
        if all:
            pks = list(Supporter.objects.published().order_by("pk").values_list("pk", flat=True))
        else:
            pks = markup.outdated()
        rendered = markup.refresh(pks)
        if rendered:
            self.stdout.write(self.style.SUCCESS(f"{rendered}件の専門家の表示を描画しました。"))
        else:
            self.stdout.write(self.style.SUCCESS("掲載中の専門家の表示はすべて描画済みで、最新です。"))
