"""The seed's free-text categories, so staff can tag answers from day one.

A copy of the list at the time of writing: migrations must not import code
that may change later.
"""

from django.db import migrations

CATEGORIES = [
    "スキル・経験等の不足",
    "副業・兼業、本業との競合",
    "活動に関する不安",
    "報酬水準",
    "契約・責任",
    "サポートや相談窓口",
    "中小企業側の意識・投資余力",
    "指導ツールの活用",
    "支援者リストのわかりにくさ",
    "公開情報・プライバシー",
]


def add_categories(apps, schema_editor):
    AnswerCategory = apps.get_model("seminars", "AnswerCategory")
    for order, name in enumerate(CATEGORIES, start=1):
        AnswerCategory.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("seminars", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
