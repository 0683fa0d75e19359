from django.db import migrations


def install(apps, schema_editor):
    from assessments.catalogue import install_seed_catalogue

    install_seed_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
