from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SupportersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "supporters"
    verbose_name = "支援者リスト"

    def ready(self):
        from config.roles import sync_staff_group

        # After every app's permissions exist (post_migrate runs per app; the
        # last run sees them all), keep the staff group exact.
        post_migrate.connect(sync_staff_group, dispatch_uid="sync_staff_group")
