from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class KernelConfig(AppConfig):
    """The project's kernel: what every app shares (access, mail, spreadsheets,
    charts, accounts, template tags). It imports no app (docs/decisions/0600)."""

    name = "config"
    verbose_name = "サイト共通"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .access import Role
        from .navigation import MenuItem, register_menu_item
        from .roles import sync_staff_group

        # After every app's permissions exist (post_migrate runs per app; the
        # last run sees them all), keep the staff group exact.
        post_migrate.connect(sync_staff_group, dispatch_uid="sync_staff_group")
        register_menu_item(MenuItem("管理画面", "admin:index", 90, lambda held: Role.STAFF in held, ("admin:index",)))


class SiteAdminConfig(AdminConfig):
    default_site = "config.admin_site.StaffAdminSite"
