from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.spreadsheets import SpreadsheetRefused, read_path
from supporters.importing import parse_table
from supporters.services import import_supporters


class Command(BaseCommand):
    help = "支援者リストを .csv(UTF-8/CP932)または .xlsx から取り込みます(全件成功時のみ保存)。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".csv または .xlsx ファイル")
        parser.add_argument("--dry-run", action="store_true", help="検証のみ行い、保存しません")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            result = parse_table(read_path(path))
        except OSError as exc:
            raise CommandError(f"ファイルを開けません: {path} ({exc.strerror})") from exc
        except SpreadsheetRefused as exc:
            raise CommandError(f"{exc} ファイルから何も保存していません。") from exc
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len({e.line for e in result.errors})}行にエラーがあります。ファイルから何も保存していません。"
            )
        summary = import_supporters(rows=result.rows, dry_run=dry_run)
        prefix = "[検証のみ] " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{len(result.rows)}件を確認しました({summary})。"))
