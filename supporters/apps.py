from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class SupportersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "supporters"
    verbose_name = "支援者リスト"

    def ready(self):
        from . import cache, markup, navigation
        from .models import Supporter

        # Any write to an entry invalidates the cached public pages.
        post_save.connect(cache.bump_version, sender=Supporter, dispatch_uid="supporters_cache_save")
        post_delete.connect(cache.bump_version, sender=Supporter, dispatch_uid="supporters_cache_delete")
        # Its markup on the list, rendered once the change is committed (supporters/markup.py).
        post_save.connect(markup.refresh_saved, sender=Supporter, dispatch_uid="supporters_markup_save")
        post_migrate.connect(cache.bump_after_migrate, dispatch_uid="supporters_cache_migrate")
        navigation.register()
